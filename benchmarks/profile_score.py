#!/usr/bin/env python3
"""cProfile of perfscore's hot paths on generated forms: where the time of a form goes.

Why a separate script: bench.py says *whether* a target is met; this says *what to change*. It profiles

  score     ``score(form, rules)`` alone, forms already validated in memory (what bench.py's `score` times)
  pipeline  the CLI's JSONL→JSONL pipeline in-process (``run_score`` on a file, output to /dev/null):
            reading, validation, scoring, audit and JSON output together
  jobs      the parent process of ``--jobs 2`` on the same input (workers are not profiled: what the
            parent spends per form bounds the speed-up)

and prints the top functions by own time and by cumulative time.

    .venv/bin/python benchmarks/profile_score.py --forms 3000 --indicators 15
    .venv/bin/python benchmarks/profile_score.py --what pipeline --forms 5000 --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import generate  # noqa: E402


def make_input(forms: int, indicators: int, seed: int, directory: Path) -> Path:
    path = directory / f"forms-{forms}x{indicators}-seed{seed}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            generate.write_jsonl(generate.generate(forms, indicators=indicators, seed=seed), out)
    return path


def profile_score(path: Path) -> tuple[cProfile.Profile, int, float]:
    from perfscore import load_rules, read_forms, score

    rules = load_rules("national")
    forms = list(read_forms(path))
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for form in forms:
        score(form, rules)
    profiler.disable()
    return profiler, len(forms), time.perf_counter() - start


def profile_pipeline(path: Path, jobs: int = 1) -> tuple[cProfile.Profile, int, float]:
    import contextlib
    import os

    from perfscore.run import run_score

    profiler = cProfile.Profile()
    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        start = time.perf_counter()
        profiler.enable()
        run_score([str(path)], rules="national", fmt="jsonl", output=None, fail_on="never", select=None,
                  ignore=None, explain=False, jobs=jobs, progress=False)
        profiler.disable()
    with path.open("rb") as fh:
        count = sum(1 for _ in fh)
    return profiler, count, time.perf_counter() - start


def report(profiler: cProfile.Profile, count: int, seconds: float, top: int) -> str:
    out = io.StringIO()
    out.write(f"{count:,} forms in {seconds:.2f} s under the profiler ({count / seconds:,.0f} forms/s, "
              f"{seconds / count * 1e6:,.0f} µs/form; profiling roughly doubles the time)\n")
    for key in ("tottime", "cumulative"):
        out.write(f"\n=== top {top} by {key} ===\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--what", choices=("score", "pipeline", "jobs"), default="score")
    p.add_argument("--forms", type=int, default=3000)
    p.add_argument("--indicators", type=int, default=15)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--input", type=Path, help="a JSONL of forms to use instead of generating one")
    p.add_argument("--save", type=Path, help="also write the raw profile here (for snakeviz, pstats)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.input or make_input(args.forms, args.indicators, args.seed, Path(tmp))
        if args.what == "score":
            profiler, count, seconds = profile_score(path)
        else:
            profiler, count, seconds = profile_pipeline(path, jobs=2 if args.what == "jobs" else 1)
    if args.save:
        profiler.dump_stats(args.save)
    print(report(profiler, count, seconds, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
