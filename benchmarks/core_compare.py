#!/usr/bin/env python3
"""compare.py's cold passes of score() (wall and this thread's CPU time), for a tree with or without `perfscore.caches.clear_all`.

compare.py empties the caches by their old names (``rules.indicator_memo`` …); since the memos moved to the
modules that use them (issue 14), `caches.clear_all` empties every one. This script uses it where it exists
and compare.py's list otherwise, so the two sides of a before/after comparison are equally cold:

    PYTHONPATH=/tmp/base14 .venv/bin/python benchmarks/core_compare.py --input forms.jsonl
    .venv/bin/python benchmarks/core_compare.py --input forms.jsonl
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path


def empty_caches(rules) -> None:
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", type=Path, required=True, help="a JSONL of forms")
    p.add_argument("--passes", type=int, default=7)
    args = p.parse_args(argv)
    from perfscore import load_rules, read_forms, score

    rules = load_rules("national")
    forms = list(read_forms(args.input))
    gc.collect()
    gc.freeze()
    times, cpu = [], []
    for _ in range(args.passes):
        empty_caches(rules)
        gc.collect()
        start, start_cpu = time.perf_counter(), time.thread_time()
        for form in forms:
            score(form, rules)
        times.append((time.perf_counter() - start) / len(forms) * 1e6)
        cpu.append((time.thread_time() - start_cpu) / len(forms) * 1e6)
    import perfscore

    print(f"{Path(perfscore.__file__).parent}: cold score() min {min(times):.1f} median "
          f"{statistics.median(times):.1f} µs/form ({' '.join(f'{t:.0f}' for t in times)}); CPU min {min(cpu):.1f} "
          f"median {statistics.median(cpu):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
