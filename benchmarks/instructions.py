#!/usr/bin/env python3
"""Instructions per form of `score()` and of the audit, counted by valgrind: a figure that does not move.

Timings on this shared 2-core VM move by 10–30 % within the hour, so a change worth 3 % hides in them, and
two trees timed an hour apart cannot be compared at all. The number of machine instructions CPython executes
for the same forms is the same on every run (`PYTHONHASHSEED=0`): it misses what memory and caches cost (a
tree that allocates more is a little slower than its count says), but it tells which change pays and which
part of the work grew. Each figure is a difference of two runs under cachegrind without its cache simulation:
reading the forms, then reading and scoring them (and then auditing them too), divided by the forms.

    python benchmarks/instructions.py                         # this tree, 1,000 generated forms (~1 minute)
    python benchmarks/instructions.py --tree /tmp/base --tree .   # two trees, side by side
    python benchmarks/instructions.py --input /tmp/pb/forms-5000x15-seed1.jsonl --warm

Needs `valgrind` on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_score import make_input

ROOT = Path(__file__).resolve().parent.parent
# what a run does after reading the forms: nothing, score each, score and audit each; `--warm` runs the same
# twice over (outcomes and findings then come from the memos), the second pass counted
CHILD = """
import sys
from perfscore import load_rules, read_forms, scoring, audit
rules = load_rules("national")
forms = list(read_forms(sys.argv[1]))
passes, what = int(sys.argv[2]), sys.argv[3]
for _ in range(passes if what != "load" else 0):
    for form in forms:
        scored = scoring.score(form, rules)
        if what == "audit":
            scored.result.findings.extend(audit.audit(form, scored, rules))
"""
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(tree: Path, forms: Path, passes: int, what: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, "-c", CHILD, str(forms), str(passes), what],
                         env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False)
    found = REFS.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"instructions: {tree}: the run failed:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measure(tree: Path, forms: Path, count: int, warm: bool) -> dict[str, int]:
    """Instructions per form: score, audit and both, cold (first sight of every value) or warm (the second of
    two passes: two passes less one)."""
    runs = [(1, "load"), (1, "score"), (1, "audit")] + ([(2, "score"), (2, "audit")] if warm else [])
    with ThreadPoolExecutor(len(runs)) as pool:
        counted = list(pool.map(lambda run: instructions(tree, forms, *run), runs))
    if warm:
        score, both = counted[3] - counted[1], counted[4] - counted[2]
    else:
        score, both = counted[1] - counted[0], counted[2] - counted[0]
    return {"score": score // count, "audit": (both - score) // count, "total": both // count}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tree", type=Path, action="append", help="a checkout to count (repeatable; default: this one)")
    p.add_argument("--input", type=Path, help="a JSONL of forms (default: 1,000 generated, seed 1)")
    p.add_argument("--forms", type=int, default=1000)
    p.add_argument("--indicators", type=int, default=15)
    p.add_argument("--warm", action="store_true", help="count a second pass over the same forms (memos full)")
    args = p.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("instructions: needs valgrind on the PATH")
    trees = [t.resolve() for t in args.tree or [ROOT]]
    with tempfile.TemporaryDirectory() as tmp:
        forms = args.input or make_input(args.forms, args.indicators, 1, Path(tmp))
        count = sum(1 for line in forms.open(encoding="utf-8") if line.strip())
        rows = [(tree, measure(tree, forms, count, args.warm)) for tree in trees]
    first = rows[0][1]
    print(f"{count:,} forms, {'warm (second pass)' if args.warm else 'cold'}, instructions per form:")
    for tree, counts in rows:
        ratio = f"  ({counts['total'] / first['total']:.2f}× the first)" if len(rows) > 1 else ""
        print(f"  {tree}: score {counts['score']:,}  audit {counts['audit']:,}  total {counts['total']:,}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
