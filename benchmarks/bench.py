#!/usr/bin/env python3
"""perfscore benchmarks: throughput, start-up and memory, measured against the project's targets.

Every measurement runs in a fresh child process, for two reasons: peak RSS then belongs to that one
job (read from ``/usr/bin/time -v``, else from ``os.wait4``'s rusage of that child), and no cache warmed
by one benchmark flatters the next. Input is made by ``generate.py`` from the real samples, so the
value strings, findings and output size are those of real forms, not of one form repeated.

Benchmarks (``--only NAME[,NAME...]``):

  score    in-process ``score()`` on 15-indicator forms, one core: each form scored once in a fresh
           process (parsing/validation of the input excluded); tracemalloc peak of a further pass
  cli      ``perfscore score - --format jsonl --jobs 1 < forms.jsonl > out.jsonl``, 100,000 forms, end to
           end: wall time and peak RSS of that process
  xlsx     reading + scoring a generated workbook of 200 forms (one sheet each), in-process
  jobs     the same JSONL through the CLI with --jobs 1 and --jobs 2: speed-up factor
  startup  ``perfscore --help`` and ``perfscore score samples/shangdang-2023-xunchaban.yaml``: wall time,
           interpreter start included, median of several runs
  same     the CLI's JSON lines for the 100,000 forms == ``score_many`` in-process, form by form
  ratio    ``score()`` against the minimal reference scorer (``ratio.py``), same forms, one process
  folder   300 files (100 xlsx, 100 docx, 100 PDF; 3,000 forms) through ``perfscore score DIR``, this tree
           against ``--old`` (``folder.py``), interleaved: CPU speed-up and identical JSON

    .venv/bin/python benchmarks/bench.py                  # everything, full sizes (a few minutes)
    .venv/bin/python benchmarks/bench.py --quick          # smoke run, small sizes
    .venv/bin/python benchmarks/bench.py --only score,startup --workdir /tmp/pb --keep
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
GNU_TIME = "/usr/bin/time"
SMALL_FORM = ROOT / "samples" / "shangdang-2023-xunchaban.yaml"
NAMES = ("score", "cli", "xlsx", "jobs", "startup", "same", "ratio", "folder")


@dataclass(frozen=True)
class Sizes:
    indicators: int = 15
    score_forms: int = 5_000      # forms held in memory and scored once per run
    score_runs: int = 3           # fresh processes; the median is reported
    cli_forms: int = 100_000
    xlsx_forms: int = 200
    jobs_forms: int = 20_000
    jobs_runs: int = 3
    startup_runs: int = 7


FULL = Sizes()
QUICK = Sizes(score_forms=500, score_runs=1, cli_forms=5_000, xlsx_forms=20, jobs_forms=3_000, jobs_runs=1,
              startup_runs=3)


@dataclass
class Row:
    """One line of the results table; ``ok`` is None for a number reported without a target."""

    benchmark: str
    target: str
    measured: str
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "FAIL")


@dataclass
class Measured:
    wall: float                  # seconds, from fork to exit
    cpu: float                   # user + system seconds of the child and the children it reaped
    maxrss_kb: int | None        # peak resident set size of the child (its reaped children included)
    returncode: int
    stdout: str = ""


@dataclass
class Context:
    sizes: Sizes
    workdir: Path
    python: str
    seed: int
    quick: bool
    rows: list[Row] = field(default_factory=list)
    cli_output: Path | None = None   # out.jsonl of the `cli` benchmark, reused by `same`
    old: Path | None = None          # checkout to compare against (`folder`)

    @property
    def perfscore(self) -> list[str]:
        """The installed console script next to the interpreter (what users run), else ``-m``."""
        script = Path(self.python).parent / "perfscore"
        return [str(script)] if script.exists() else [self.python, "-m", "perfscore"]


# --- running and measuring children ------------------------------------------------------------------


def run_measured(cmd: list[str], *, stdin: Path | None = None, stdout: Path | None = None,
                 capture: bool = False, cwd: Path = ROOT) -> Measured:
    """Run one command; wall time and its own peak RSS (GNU time -v when installed, else wait4).

    stderr goes to a file, never to the terminal: the CLI would draw a progress bar on a terminal, and
    a benchmark should time what a script piping JSON Lines gets.
    """
    with tempfile.TemporaryDirectory() as tmp:
        time_file = Path(tmp) / "time.txt"
        err_file = Path(tmp) / "stderr.txt"
        wrapped = [GNU_TIME, "-v", "-o", str(time_file), *cmd] if os.access(GNU_TIME, os.X_OK) else cmd
        with _open(stdin, "rb") as fin, _open(stdout, "wb") as fout, err_file.open("wb") as ferr:
            out = subprocess.PIPE if capture else (fout or subprocess.DEVNULL)
            start = time.perf_counter()
            proc = subprocess.Popen(wrapped, stdin=fin or subprocess.DEVNULL, stdout=out, stderr=ferr, cwd=cwd)
            captured = proc.stdout.read().decode() if capture and proc.stdout else ""
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        maxrss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        if wrapped is not cmd:
            text = time_file.read_text(errors="replace")
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
            maxrss = int(found.group(1)) if found else maxrss
            times = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text)
            cpu = sum(map(float, times)) if len(times) == 2 else cpu
            code = re.search(r"Exit status: (\d+)", text)
            proc.returncode = int(code.group(1)) if code else proc.returncode
        if proc.returncode not in (0, 1):  # 1 = findings reached --fail-on: expected on these forms
            tail = err_file.read_text(errors="replace")[-2000:]
            raise SystemExit(f"bench: {' '.join(cmd)} exited {proc.returncode}\n{tail}")
        return Measured(wall, cpu, maxrss, proc.returncode, captured)


class _open:
    """``open`` that accepts None (no redirection) as a context manager."""

    def __init__(self, path: Path | None, mode: str):
        self.fh = path.open(mode) if path is not None else None

    def __enter__(self):
        return self.fh

    def __exit__(self, *exc: object) -> None:
        if self.fh is not None:
            self.fh.close()


def run_child(ctx: Context, name: str, **params: Any) -> tuple[dict[str, Any], Measured]:
    """Run ``bench.py --child NAME`` (an in-process benchmark) in a fresh interpreter; its JSON result."""
    measured = run_measured([ctx.python, str(Path(__file__).resolve()), "--child", name, json.dumps(params)],
                            capture=True)
    return json.loads(measured.stdout.strip().splitlines()[-1]), measured


# --- input data ------------------------------------------------------------------------------------


def forms_file(ctx: Context, count: int, fmt: str = "jsonl") -> Path:
    """Generated forms, made once per work directory (same seed, so the same forms every time).

    The generator draws form after form from one random stream, so the first n forms of a larger
    JSONL for the same seed are exactly the n-form file: those are cut from it instead of generated.
    """
    path = _data_path(ctx, count, fmt)
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".part" + path.suffix)
    larger = [p for p in ctx.workdir.glob(f"forms-*x{ctx.sizes.indicators}-seed{ctx.seed}.jsonl")
              if _count_of(p) > count] if fmt == "jsonl" else []
    if larger:
        with min(larger, key=_count_of).open("rb") as src, tmp.open("wb") as dst:
            dst.writelines(itertools.islice(src, count))
    else:
        print(f"  generating {count:,} forms → {path.name}", file=sys.stderr, flush=True)
        subprocess.run([ctx.python, str(BENCH_DIR / "generate.py"), "--forms", str(count), "--indicators",
                        str(ctx.sizes.indicators), "--seed", str(ctx.seed), "--format", fmt, "--out", str(tmp)],
                       check=True, stderr=subprocess.DEVNULL)
    tmp.replace(path)
    return path


def _data_path(ctx: Context, count: int, fmt: str) -> Path:
    return ctx.workdir / f"forms-{count}x{ctx.sizes.indicators}-seed{ctx.seed}.{fmt}"


def _count_of(path: Path) -> int:
    return int(path.name.split("-")[1].split("x")[0])


def prepare_inputs(ctx: Context, selected: list[str]) -> None:
    """Generate the largest JSONL needed first, so that the smaller ones are cut from it."""
    sizes = {"score": ctx.sizes.score_forms, "cli": ctx.sizes.cli_forms, "jobs": ctx.sizes.jobs_forms,
             "same": ctx.sizes.cli_forms}
    needed = [sizes[name] for name in selected if name in sizes]
    if needed:
        forms_file(ctx, max(needed))


# --- the benchmarks ----------------------------------------------------------------------------------


def bench_score(ctx: Context) -> None:
    path = forms_file(ctx, ctx.sizes.score_forms)
    runs = [run_child(ctx, "score", forms=str(path)) for _ in range(ctx.sizes.score_runs)]
    rates = [r["forms"] / r["seconds"] for r, _ in runs]
    rate = statistics.median(rates)
    result, measured = runs[0]
    ctx.rows.append(Row(f"score() in-process, {ctx.sizes.indicators} indicators, 1 core", "≥ 10,000 forms/s",
                        f"{rate:,.0f} forms/s", rate >= 10_000))
    cpu_rate = statistics.median(r["forms"] / r["cpu"] for r, _ in runs)
    ctx.rows.append(Row(f"  per form / runs ({ctx.sizes.score_forms:,} forms each)", "",
                        f"{1e6 / rate:,.0f} µs/form; runs {', '.join(f'{r:,.0f}' for r in rates)}; "
                        f"{cpu_rate:,.0f} forms per CPU-s"))
    ctx.rows.append(Row("  tracemalloc peak while scoring (results dropped)", "",
                        f"{result['tracemalloc_peak'] / 1024:,.0f} KiB over {result['traced_forms']:,} forms"))
    ctx.rows.append(Row("  peak RSS of that process (forms held in memory)", "", _mb(measured.maxrss_kb)))


def bench_cli(ctx: Context) -> None:
    n = ctx.sizes.cli_forms
    path = forms_file(ctx, n)
    out = ctx.workdir / "cli-out.jsonl"
    measured = run_measured([*ctx.perfscore, "score", "-", "--format", "jsonl", "--jobs", "1"], stdin=path, stdout=out)
    lines = _count_lines(out)
    if lines != n:
        raise SystemExit(f"bench: the CLI wrote {lines} lines for {n} forms")
    ctx.cli_output = out
    rate = n / measured.wall
    ctx.rows.append(Row(f"CLI JSONL→JSONL, --jobs 1, {n:,} forms", "≥ 5,000 forms/s",
                        f"{rate:,.0f} forms/s ({measured.wall:.1f} s wall, {measured.cpu:.1f} s CPU)", rate >= 5_000))
    rss_mb = (measured.maxrss_kb or 0) / 1024
    ctx.rows.append(Row(f"CLI peak RSS, {n:,} forms", "< 200 MB", _mb(measured.maxrss_kb), rss_mb < 200))
    ctx.rows.append(Row("  input / output size", "",
                        f"{path.stat().st_size / 2**20:,.0f} MiB in, {out.stat().st_size / 2**20:,.0f} MiB out"))


def bench_xlsx(ctx: Context) -> None:
    n = ctx.sizes.xlsx_forms
    path = forms_file(ctx, n, "xlsx")
    result, measured = run_child(ctx, "xlsx", book=str(path))
    rate = result["forms"] / result["read_and_score"]
    ctx.rows.append(Row(f"xlsx read + score, {result['forms']:,} forms (1 sheet each)", "≥ 200 forms/s",
                        f"{rate:,.0f} forms/s", rate >= 200))
    ctx.rows.append(Row("  xlsx read only / peak RSS", "",
                        f"{result['forms'] / result['read_only']:,.0f} forms/s / {_mb(measured.maxrss_kb)}"))
    cli = run_measured([*ctx.perfscore, "score", str(path), "--format", "jsonl", "--jobs", "1"])
    ctx.rows.append(Row("  CLI on the workbook, start-up included", "",
                        f"{n / cli.wall:,.0f} forms/s ({cli.wall:.2f} s)"))


def bench_jobs(ctx: Context) -> None:
    n = ctx.sizes.jobs_forms
    path = forms_file(ctx, n)
    out = ctx.workdir / "jobs-out.jsonl"
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    rss: dict[int, int | None] = {}
    for _ in range(ctx.sizes.jobs_runs):
        for jobs in (1, 2):  # interleaved, so that a burst of load elsewhere hits both alike
            m = run_measured([*ctx.perfscore, "score", "-", "--format", "jsonl", "--jobs", str(jobs)],
                             stdin=path, stdout=out)
            walls[jobs].append(m.wall)
            cpus[jobs].append(m.cpu)
            rss[jobs] = m.maxrss_kb
    t1, t2 = statistics.median(walls[1]), statistics.median(walls[2])
    speedup = t1 / t2
    ctx.rows.append(Row(f"--jobs 2 vs --jobs 1, CLI, {n:,} forms", "≥ 1.7×", f"{speedup:.2f}×", speedup >= 1.7))
    ctx.rows.append(Row("  --jobs 1 / --jobs 2", "",
                        f"{n / t1:,.0f} / {n / t2:,.0f} forms/s (median of {ctx.sizes.jobs_runs}); CPU "
                        f"{statistics.median(cpus[1]):.1f} / {statistics.median(cpus[2]):.1f} s (all processes); "
                        f"peak RSS {_mb(rss[1])} / {_mb(rss[2])} (largest process)"))


def bench_startup(ctx: Context) -> None:
    runs = ctx.sizes.startup_runs
    run_measured([*ctx.perfscore, "--help"])  # warm the page cache once: we time start-up, not the disk
    helps = [run_measured([*ctx.perfscore, "--help"]).wall for _ in range(runs)]
    small = [run_measured([*ctx.perfscore, "score", str(SMALL_FORM)]).wall for _ in range(runs)]
    h, s = statistics.median(helps), statistics.median(small)
    ctx.rows.append(Row("`perfscore --help` wall", "< 0.3 s", f"{h:.3f} s (median of {runs})", h < 0.3))
    ctx.rows.append(Row(f"`perfscore score {SMALL_FORM.name}` wall", "< 0.5 s",
                        f"{s:.3f} s (median of {runs})", s < 0.5))


def bench_same(ctx: Context) -> None:
    n = ctx.sizes.cli_forms
    path = forms_file(ctx, n)
    out = ctx.cli_output
    if out is None:  # `--only same`: make the CLI's output first (not timed)
        out = ctx.workdir / "cli-out.jsonl"
        run_measured([*ctx.perfscore, "score", "-", "--format", "jsonl", "--jobs", "1"], stdin=path, stdout=out)
    result, _ = run_child(ctx, "same", forms=str(path), output=str(out))
    same = result["diffs"] == 0 and result["forms"] == n
    measured = f"OK: {result['forms']:,} forms identical" if same else \
        f"DIFF: {result['diffs']:,} of {result['forms']:,} differ; first at line {result['first'][0]}"
    ctx.rows.append(Row(f"CLI output == score_many() in-process, {n:,} forms", "identical", measured, same))
    if not same:
        print(f"first difference:\n  CLI:        {result['first'][1]}\n  in-process: {result['first'][2]}",
              file=sys.stderr)


def bench_ratio(ctx: Context) -> None:
    forms = 500 if ctx.quick else 2000
    m = run_measured([ctx.python, str(BENCH_DIR / "ratio.py"), "--json", "--forms", str(forms)], capture=True)
    result = json.loads(m.stdout.strip().splitlines()[-1])
    ctx.rows.append(Row(f"score() / reference scorer, {forms:,} forms", "≤ 2.2×", f"{result['ratio']:.2f}×",
                        result["ratio"] <= 2.2))
    ctx.rows.append(Row("  score() / reference, per form", "", f"{result['score_us']:.0f} / "
                        f"{result['reference_us']:.0f} µs (same total on {result['totals_agree']:,} forms)"))


def bench_folder(ctx: Context) -> None:
    if ctx.old is None:
        ctx.rows.append(Row("folder of 300 files vs --old", "≥ 3×", "skipped: needs --old CHECKOUT"))
        return
    files, per_file = (30, 2) if ctx.quick else (300, 10)
    m = run_measured([ctx.python, str(BENCH_DIR / "folder.py"), "--old", str(ctx.old), "--files", str(files),
                      "--per-file", str(per_file), "--runs", "1" if ctx.quick else "2",
                      "--workdir", str(ctx.workdir / "folder")], capture=True)
    found = re.search(r"new is ([\d.]+)× faster .*JSON output (\w+)", m.stdout)
    speedup, same = (float(found.group(1)), found.group(2)) if found else (0.0, "?")
    ctx.rows.append(Row(f"folder, {files} files ({files * per_file:,} forms) vs {ctx.old}", "≥ 3×, same JSON",
                        f"{speedup:.2f}× (CPU), JSON {same}", speedup >= 3 and same == "identical"))


BENCHMARKS: dict[str, Callable[[Context], None]] = {
    "score": bench_score, "cli": bench_cli, "xlsx": bench_xlsx, "jobs": bench_jobs,
    "startup": bench_startup, "same": bench_same, "ratio": bench_ratio, "folder": bench_folder,
}


# --- children: the in-process parts, run in a fresh interpreter ------------------------------------


def child_score(forms: str) -> dict[str, Any]:
    """Score every form once (timed), then a traced pass to see the transient memory of scoring."""
    import gc
    import tracemalloc

    from perfscore import load_rules, read_forms, score

    rules = load_rules("national")
    batch = list(read_forms(forms))
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    for form in batch:
        score(form, rules)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    traced = batch[: min(len(batch), 500)]
    tracemalloc.start()
    for form in traced:
        score(form, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"forms": len(batch), "seconds": seconds, "cpu": cpu, "tracemalloc_peak": peak,
            "traced_forms": len(traced)}


def child_xlsx(book: str) -> dict[str, Any]:
    """Read + score the workbook as a stream (timed), then read it alone (timed)."""
    from perfscore import load_rules, read_forms, score

    rules = load_rules("national")
    start = time.perf_counter()
    n = 0
    for form in read_forms(book):
        score(form, rules)
        n += 1
    both = time.perf_counter() - start
    start = time.perf_counter()
    read = sum(1 for _ in read_forms(book))
    return {"forms": n, "read_and_score": both, "read_only": time.perf_counter() - start, "read_forms": read}


class NamedStream:
    """A text stream with the name the CLI gives stdin, so `source.file` matches in both outputs."""

    def __init__(self, fh: Any, name: str):
        self.fh, self.name = fh, name

    def read(self, *args: Any) -> str:
        return self.fh.read(*args)

    def __iter__(self):
        return iter(self.fh)


def child_same(forms: str, output: str) -> dict[str, Any]:
    """Compare the CLI's JSON lines with ``score_many`` over the same JSONL, streaming both."""
    from perfscore import load_rules, read_forms, score_many

    rules = load_rules("national")
    n = diffs = 0
    first: tuple[int, str, str] | None = None
    with open(forms, encoding="utf-8") as fin, open(output, encoding="utf-8") as fout:
        results = score_many(read_forms(NamedStream(fin, "<stdin>")), rules, jobs=1)
        for n, (result, line) in enumerate(itertools.zip_longest(results, fout), start=1):
            mine = result.model_dump_json() if result is not None else "<missing>"
            theirs = line.rstrip("\n") if line is not None else "<missing>"
            if mine != theirs:
                diffs += 1
                first = first or (n, theirs[:300], mine[:300])
    return {"forms": n, "diffs": diffs, "first": first}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {"score": child_score, "xlsx": child_xlsx, "same": child_same}


# --- report ----------------------------------------------------------------------------------------


def machine(python: str) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    probe = "import sys, perfscore; print(sys.version.split()[0], perfscore.__version__)"
    # a fixed pure-Python workload, so that results from two machines can be compared: run the same
    # `python -m timeit "sum(range(10**6))"` on yours and scale the forms/s by the ratio
    reference = subprocess.run([python, "-m", "timeit", "-n", "20", "-r", "5", "sum(range(10**6))"],
                               capture_output=True, text=True, cwd=ROOT).stdout.strip()
    version = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout.split()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()  # read-only
    return {"cpu": cpu, "cores": f"{os.cpu_count()} ({usable} usable)",
            "python": version[0] if version else "?", "perfscore": " ".join(version[1:2]) + f" @ {commit or '?'}",
            "os": f"{platform.system()} {platform.release()}",
            "reference": f"sum(range(10**6)): {reference.split(': ', 1)[-1] or '?'}",
            "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())}


def table(rows: list[Row]) -> str:
    """A Markdown table: readable in a terminal and pasted as is into README.md."""
    head = ("benchmark", "target", "measured", "result")
    body = [(r.benchmark, r.target, r.measured, r.verdict) for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(4)]
    fmt = "| " + " | ".join(f"{{:{w}}}" for w in widths) + " |"
    lines = [fmt.format(*head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [fmt.format(*row) for row in body]
    return "\n".join(lines)


def _mb(kb: int | None) -> str:
    return "n/a" if kb is None else f"{kb / 1024:,.0f} MB"


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


# --- command line ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every benchmark")
    p.add_argument("--only", help=f"comma-separated subset of: {', '.join(NAMES)}")
    p.add_argument("--workdir", type=Path, help="where generated input and outputs go (default: a temporary "
                   "directory, removed at the end); files already there are reused")
    p.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--python", default=sys.executable, help="interpreter with perfscore installed (default: this one)")
    p.add_argument("--json", type=Path, help="also write machine and results as JSON here")
    p.add_argument("--old", type=Path, help="checkout of the previous code, for `folder` (git worktree add …)")
    p.add_argument("--child", nargs=2, metavar=("NAME", "PARAMS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.only:
        unknown = [n for n in args.only.split(",") if n not in NAMES]
        if unknown:
            p.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        name, params = args.child
        print(json.dumps(CHILDREN[name](**json.loads(params))))
        return 0
    selected = args.only.split(",") if args.only else list(NAMES)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="perfscore-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = Context(QUICK if args.quick else FULL, workdir, args.python, args.seed, args.quick, old=args.old)
    info = machine(args.python)
    try:
        prepare_inputs(ctx, selected)
        for name in NAMES:
            if name in selected:
                print(f"[{name}]", file=sys.stderr, flush=True)
                started = time.perf_counter()
                BENCHMARKS[name](ctx)
                print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
    info["load after"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print()
    for key, value in info.items():
        print(f"{key:>10}: {value}")
    if ctx.quick:
        print("     sizes: --quick (reduced; PASS/FAIL indicative only)")
    print()
    print(table(ctx.rows))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "quick": ctx.quick, "sizes": asdict(ctx.sizes),
                                         "rows": [asdict(r) for r in ctx.rows]}, ensure_ascii=False, indent=2))
    failed = [r for r in ctx.rows if r.ok is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
