#!/usr/bin/env python3
"""``score()`` against the minimal reference scorer (``reference.py``), same forms, one process.

Why a ratio: on a shared VM absolute timings move by ±15 % from one hour to the next, but both scorers
meet the same load within one interleaved run, so their ratio holds. Issue #17's targets: ``score()``
at most 2.2× the reference's cost, and within 10 % of the previous code (run with ``--tree`` on a
checkout of it, e.g. ``git worktree add /tmp/base HEAD``, and compare the µs per form).

Each round scores every form once with each scorer (alternately, scorer order swapped every round);
the median round is reported. Forms come from ``generate.py`` (15 indicators, seed 1), validated
before timing.

    .venv/bin/python benchmarks/ratio.py                    # 2,000 forms, 7 rounds
    .venv/bin/python benchmarks/ratio.py --tree /tmp/base17 # the same against another checkout
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--forms", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--tree", type=Path, help="import perfscore from this checkout (default: this one)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = p.parse_args(argv)
    if args.tree:
        sys.path.insert(0, str(args.tree.resolve()))
    sys.path.insert(1 if args.tree else 0, str(HERE))
    from generate import generate
    from reference import reference_score

    from perfscore import load_rules, score
    from perfscore.model import Form

    rules = load_rules("national")
    forms = [Form.model_validate(d) for d in generate(args.forms, indicators=15, seed=1)]
    for form in forms[:50]:  # warm both (imports, compiled formulas)
        score(form, rules)
        reference_score(form)
    agree = sum(reference_score(f)[0] == score(f, rules).computed_total for f in forms)

    def timed(fn) -> float:
        gc.collect()
        start = time.process_time()
        for form in forms:
            fn(form)
        return time.process_time() - start

    perf: list[float] = []
    ref: list[float] = []
    for k in range(args.rounds):
        pair = [("perf", lambda f: score(f, rules)), ("ref", reference_score)]
        for name, fn in (pair if k % 2 == 0 else pair[::-1]):
            (perf if name == "perf" else ref).append(timed(fn))
    t_perf, t_ref = statistics.median(perf), statistics.median(ref)
    out = {"forms": len(forms), "score_us": 1e6 * t_perf / len(forms), "reference_us": 1e6 * t_ref / len(forms),
           "ratio": t_perf / t_ref, "totals_agree": agree, "tree": str(args.tree or HERE.parent)}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{out['forms']:,} forms, 15 indicators, median of {args.rounds} interleaved rounds ({out['tree']}):")
        print(f"  score():   {out['score_us']:.0f} µs/form")
        print(f"  reference: {out['reference_us']:.0f} µs/form   (same total on {agree:,} of {len(forms):,} forms)")
        print(f"  ratio:     {out['ratio']:.2f}× (target ≤ 2.2×)")
    return 0 if out["ratio"] <= 2.2 else 1


if __name__ == "__main__":
    sys.exit(main())
