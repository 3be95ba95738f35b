#!/usr/bin/env python3
"""Growth of the readers' regular expressions on hostile input: cost at n and 4n, one row per case.

The cases are those of ``tests/readers/test_regex_linear.py`` (loaded from there, so the table and the
test never disagree): whole documents with the hostile lines of issue #12 read through
``read_documents``, then every reader pattern under its worst pumped input. A linear reading grows ~4×
from n to 4n, a quadratic one ~16×, a cubic one ~64×; a call is cut at 20 s.

    .venv/bin/python benchmarks/regex.py                 # documents and every pattern
    .venv/bin/python benchmarks/regex.py --only documents
    .venv/bin/python benchmarks/regex.py --only patterns --all   # also the patterns that look linear
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _tests():
    spec = importlib.util.spec_from_file_location("test_regex_linear", REPO / "tests/readers/test_regex_linear.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _row(name: str, measure) -> None:
    try:
        g = measure()
    except BaseException as exc:  # the cap (Expired) or anything else: print it, go on
        if isinstance(exc, KeyboardInterrupt):
            raise
        print(f"{name:58}  {type(exc).__name__}: {exc}", flush=True)
        return
    verdict = "linear" if g.ratio < 8 else "SUPER-LINEAR"
    print(f"{name:58}  n={g.n:>9,}  {g.small * 1e3:9.2f} ms  4n: {g.large * 1e3:9.2f} ms  "
          f"×{g.ratio:5.1f}  {verdict}", flush=True)


def documents(t) -> None:
    print("# documents (read_documents on a .md file; hostile line in the table, a cell and the narrative)")
    with tempfile.TemporaryDirectory(prefix="perfscore-regex-") as tmp:
        for case, hostile in t.HOSTILE.items():
            def make(n: int, case=case, hostile=hostile) -> Path:
                path = Path(tmp) / f"{abs(hash(case))}-{n}.md"
                if not path.exists():
                    path.write_text(t._document(hostile(n)), encoding="utf-8")
                return path
            _row(case, lambda make=make, case=case: t.growth(
                t._read, make, 1 << 13, floor=0.02, limit=1 << (18 if case in t.ISSUE else 16)))


def patterns(t, every: bool) -> None:
    print("# patterns (worst pumped input of each; the known slow ones of other modules included)")
    for key, (_, pattern) in t.PATTERNS.items():
        try:
            found = list(t.suspects(pattern))
        except t.Expired as exc:
            print(f"{key[:58]:58}  already at 256 characters: {exc}", flush=True)
            continue
        if not found:
            if every:
                print(f"{key[:58]:58}  no input grows faster than linear at 256 → 2,048 characters")
            continue
        label, op, make = found[0]
        _row(key[:58], lambda op=op, make=make: t.growth(op, make, 256))
        print(f"{'':4}{label[:110]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("documents", "patterns"))
    parser.add_argument("--all", action="store_true", help="list the patterns with no suspect input too")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    t = _tests()
    if args.only in (None, "documents"):
        documents(t)
    if args.only in (None, "patterns"):
        patterns(t, args.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
