#!/usr/bin/env python3
"""Reading speed per source format: forms read per second by each reader, on real forms.

* ``txt (corpus)``: every ``raw`` text of ``../shared/corpus/forms`` as the user's ``.txt`` (when present);
* ``txt``, ``html``, ``xlsx``, ``docx``: the samples' forms in the standard layout, written by perfscore's
  own writers (xlsx, docx) and from the same layout as a pipe table (text, merged cells once) and as an
  HTML page with row/column spans.

Reading only (``read_documents``), no scoring; each file is read ``--repeat`` times and the best pass kept,
so the figures are comparable between formats within one run (ratios beat absolute times here).

    .venv/bin/python benchmarks/readers.py
    .venv/bin/python benchmarks/readers.py --repeat 5
"""

from __future__ import annotations

import argparse
import html
import tempfile
import time
from pathlib import Path

import yaml

from perfscore.readers import read_documents
from perfscore.writers import export
from perfscore.writers.layout import cell_text, layout_form

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "forms"


def _covered(merges) -> set[tuple[int, int]]:
    return {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)}


def _pipe_text(form) -> str:
    lay = layout_form(form)
    covered = _covered(lay.merges)
    return "\n".join(" | ".join(cell_text(v) for c, v in enumerate(row) if cell_text(v) and (r, c) not in covered)
                     for r, row in enumerate(lay.rows))


def _html_page(form) -> str:
    lay = layout_form(form)
    covered = _covered(lay.merges)
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in lay.merges}
    cells = []
    for r, row in enumerate(lay.rows):
        tds = "".join(f"<td rowspan='{spans.get((r, c), (1, 1))[0]}' colspan='{spans.get((r, c), (1, 1))[1]}'>"
                      f"{html.escape(cell_text(v))}</td>" for c, v in enumerate(row) if (r, c) not in covered)
        cells.append(f"<tr>{tds}</tr>")
    return f"<html><head><meta charset='utf-8'></head><body><table>{''.join(cells)}</table></body></html>"


def make_inputs(work: Path) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {"txt (corpus)": [], "txt": [], "html": [], "xlsx": [], "docx": []}
    for k, path in enumerate(sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")).get("raw")
        if raw:
            out = work / f"corpus-{k}.txt"
            out.write_text(raw, encoding="utf-8")
            files["txt (corpus)"].append(out)
    forms = [f for p in sorted((ROOT / "samples").glob("*.yaml")) for d in read_documents(p) for f in d.forms]
    for k, form in enumerate(forms):
        base = work / f"sample-{k}"
        (base.with_suffix(".txt")).write_text(_pipe_text(form), encoding="utf-8")
        (base.with_suffix(".html")).write_text(_html_page(form), encoding="utf-8")
        export(form, base.with_suffix(".xlsx"), "xlsx")
        export(form, base.with_suffix(".docx"), "docx")
        for ext in ("txt", "html", "xlsx", "docx"):
            files[ext].append(base.with_suffix(f".{ext}"))
    return files


def measure(paths: list[Path], repeat: int) -> tuple[int, float]:
    best = float("inf")
    forms = 0
    for _ in range(repeat):
        start = time.perf_counter()
        forms = 0
        for path in paths:
            try:
                forms += sum(len(d.forms) for d in read_documents(path))
            except Exception:  # noqa: BLE001 - an unreadable file counts as no form, as in a batch
                pass
        best = min(best, time.perf_counter() - start)
    return forms, best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        inputs = make_inputs(Path(d))
        print(f"{'format':14} {'files':>5} {'forms':>5} {'seconds':>8} {'forms/s':>8}")
        for fmt, paths in inputs.items():
            if not paths:
                continue
            forms, seconds = measure(paths, args.repeat)
            print(f"{fmt:14} {len(paths):5} {forms:5} {seconds:8.3f} {forms / seconds if seconds else 0:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
