#!/usr/bin/env python3
"""score() timed in repeated cold passes over the same forms: for comparing two trees or interpreters.

bench.py's `score` runs each measurement in a fresh process, three times: a change worth 3 % hides in
this machine's ±5–15 % noise. Here one process scores the same forms several times, emptying every
cache between passes (indicator outcomes, parsed values, number texts, labels, kinds) so that each pass
is as cold as the benchmark's, and prints the minimum and the median µs per form. Run it alternately on
the two sides of a comparison, a few times each:

    PYTHONPATH=/tmp/other-tree .venv/bin/python benchmarks/compare.py --input /tmp/pb/forms-5000x15-seed1.jsonl
    .venv/bin/python benchmarks/compare.py --input /tmp/pb/forms-5000x15-seed1.jsonl
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_score import make_input  # noqa: E402


def empty_caches(rules) -> None:
    """Every cache the scorer fills, as far as the tree being measured has it: `caches.clear_all` since the
    memos moved to the modules that use them (issue 14), the caches by their old names before."""
    from perfscore import caches

    if hasattr(caches, "clear_all"):
        caches.clear_all()
        return
    from perfscore import audit, decimals, library

    rules.indicator_memo.clear()
    rules.vocabulary.cache_clear()
    getattr(rules, "_level1_cache", {}).clear()
    for module, name in ((decimals, "_plain_cache"), (audit, "_COMPACT"), (library, "_KIND_CACHE")):
        getattr(module, name, {}).clear()


def cold_passes(path: Path, passes: int, clock=time.perf_counter) -> list[float]:
    from perfscore import load_rules, read_forms, score

    rules = load_rules("national")
    forms = list(read_forms(path))
    gc.collect()
    gc.freeze()  # the forms held in memory are not the collector's work in a real run
    times = []
    for _ in range(passes):
        empty_caches(rules)
        gc.collect()
        start = clock()
        for form in forms:
            score(form, rules)
        times.append((clock() - start) / len(forms) * 1e6)
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", type=Path, help="a JSONL of forms (default: 5,000 generated, seed 1)")
    p.add_argument("--forms", type=int, default=5000)
    p.add_argument("--indicators", type=int, default=15)
    p.add_argument("--passes", type=int, default=7)
    p.add_argument("--cpu", action="store_true", help="CPU time of the process instead of wall time: on a shared "
                   "machine another job's load stretches the wall time, much less the CPU time")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.input or make_input(args.forms, args.indicators, 1, Path(tmp))
        times = cold_passes(path, args.passes, time.process_time if args.cpu else time.perf_counter)
    import perfscore

    print(f"{Path(perfscore.__file__).parent}  python {sys.version.split()[0]}: cold score() "
          f"{'CPU' if args.cpu else 'wall'} "
          f"min {min(times):.1f} median {statistics.median(times):.1f} µs/form "
          f"({' '.join(f'{t:.0f}' for t in times)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
