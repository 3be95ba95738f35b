#!/usr/bin/env python3
"""YAML reading, this tree against ``--old``: form files and rule files, interleaved.

Why: every YAML file the project reads (forms, rule sets, rule tests, vocabulary, library) goes through
``perfscore.safeyaml``; issue #17 asks for ≥ 5× by libyaml with the same protections. Each tree reads,
in a fresh process, a generated YAML file of ``--forms`` forms (``read_documents``: YAML, checks and
validation) and every shipped rule file (``rules.loader.load_file``: YAML, positions, checks; one
warm-up pass, then the best of five); the trees alternate ``--runs`` times and the best run of each
is reported.

    .venv/bin/python benchmarks/yamlread.py --old /tmp/base17
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(tree: str, forms_file: str) -> dict:
    sys.path.insert(0, tree)
    from perfscore.readers import read_documents
    from perfscore.rules import loader

    start = time.process_time()
    forms = sum(len(d.forms) for d in read_documents(Path(forms_file)))
    form_s = time.process_time() - start
    files = sorted(Path(tree).glob("indicators/*.yaml"))
    passes = []
    for _ in range(6):  # the first pass warms up (imports, compiled patterns); the best of the others
        start = time.process_time()
        for path in files:
            loader.load_file(path, [])
        passes.append(time.process_time() - start)
    return {"forms": forms, "form_ms": 1000 * form_s / forms, "rule_files": len(files),
            "rules_ms": 1000 * min(passes[1:])}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", type=Path, required=True)
    p.add_argument("--new", type=Path, default=ROOT)
    p.add_argument("--forms", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/perfscore-yaml"))
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    forms_file = args.workdir / f"forms-{args.forms}.yaml"
    if not forms_file.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--forms", str(args.forms), "--indicators", "15",
                        "--seed", "1", "--format", "yaml", "--out", str(forms_file)], check=True,
                       stderr=subprocess.DEVNULL)
    best: dict[str, dict] = {}
    for _ in range(args.runs):
        for name, tree in (("old", args.old), ("new", args.new)):
            out = subprocess.run([sys.executable, __file__, "--old", str(args.old), "--child", str(tree.resolve()),
                                  str(forms_file)], capture_output=True, text=True, check=True, cwd="/")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            if name not in best or result["form_ms"] < best[name]["form_ms"]:
                best[name] = {**result, "rules_ms": min(result["rules_ms"], best.get(name, result)["rules_ms"])}
    old, new = best["old"], best["new"]
    print(f"| YAML read | old | new | speed-up |\n|---|---|---|---|\n"
          f"| form file, {new['forms']:,} forms (ms per form) | {old['form_ms']:.2f} | {new['form_ms']:.2f} | "
          f"{old['form_ms'] / new['form_ms']:.1f}× |\n"
          f"| {new['rule_files']} shipped rule files (ms, all) | {old['rules_ms']:.1f} | {new['rules_ms']:.1f} | "
          f"{old['rules_ms'] / new['rules_ms']:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
