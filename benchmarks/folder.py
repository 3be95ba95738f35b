#!/usr/bin/env python3
"""The folder a user has: ``perfscore score DIR`` on 100 xlsx, 100 docx and 100 PDF files, old code
against new, interleaved, with the JSON output compared.

Why: what users wait for is reading, and reading costs differ by format by two orders of magnitude
(issue #17: PDF was ~90 % of such a folder). The folder is made from ``generate.py``'s forms (10 a file
by default, so 3,000 forms): xlsx and docx written by perfscore's writers, PDFs drawn with reportlab
(the ``test`` extra) as title lines and one ruled table per form, a page break between forms. Each tree
(``--old``, ``--new``: checkouts of perfscore, e.g. ``git worktree add /tmp/base HEAD``) runs
``perfscore score DIR --format jsonl --jobs 1`` in a fresh process, alternately, ``--runs`` times; the
table gives CPU and wall seconds (median), the speed-up, and whether both trees wrote the same JSON.

    .venv/bin/python benchmarks/folder.py --old /tmp/base17 --workdir /tmp/pf
    .venv/bin/python benchmarks/folder.py --old /tmp/base17 --workdir /tmp/pf --per-format   # + per format
    .venv/bin/python benchmarks/folder.py --old /tmp/base17 --per-file 2 --files 20 --runs 1   # smoke
    .venv/bin/python benchmarks/generate.py --format folder --out /tmp/pf/folder   # the folder alone
"""

from __future__ import annotations

import argparse
import statistics
import sys
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

FORMATS = ("xlsx", "docx", "pdf")
RUNNER = ("import sys; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'perfscore'; "
          "from perfscore.cli import main; main()")


def write_pdf(forms: list, path: Path) -> None:
    """Forms as title paragraphs and reportlab tables in the standard layout (spans = merges)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    from perfscore.writers.layout import cell_text, layout_form

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    title = ParagraphStyle("title", fontName=font, fontSize=13, leading=17, alignment=1)
    width = landscape(A4)[0] - 30 * mm
    story: list = []
    for index, form in enumerate(forms):
        if index:
            story.append(PageBreak())
        lay = layout_form(form)
        story += [Paragraph(escape(cell_text(lay.rows[r][0])), title) for r in range(lay.title_rows)]
        data = [[Paragraph(escape(cell_text(v)), cell) if v not in (None, "") else "" for v in row]
                for row in lay.rows[lay.title_rows:]]
        total = sum(lay.col_widths)
        table = Table(data, colWidths=[width * w / total for w in lay.col_widths])
        commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        commands += [("SPAN", (c0, r0 - lay.title_rows), (c1, r1 - lay.title_rows))
                     for r0, c0, r1, c1 in lay.merges if r0 >= lay.title_rows]
        table.setStyle(TableStyle(commands))
        story.append(table)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=12 * mm, bottomMargin=12 * mm).build(story)


def make_folder(folder: Path, files: int = 300, per_file: int = 10, indicators: int = 15, seed: int = 1) -> Path:
    """``files`` files, a third of each format in turn (form-00000.xlsx, form-00001.docx, …), each
    holding ``per_file`` generated forms; reused when complete."""
    import shutil

    from generate import generate

    from perfscore.model import Document, Form
    from perfscore.writers import export

    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    batch: list = []
    index = 0
    for data in generate(files * per_file, indicators=indicators, seed=seed):
        batch.append(Form.model_validate(data))
        if len(batch) < per_file:
            continue
        fmt = FORMATS[index % 3]
        path = folder / f"form-{index:05d}.{fmt}"
        if fmt == "pdf":
            write_pdf(batch, path)
        else:
            export(Document(forms=batch), path, to=fmt)
        batch, index = [], index + 1
    done.touch()
    return folder


def run_tree(tree: Path, inputs: list[Path], out: Path, jobs: int):
    from bench import run_measured

    return run_measured([sys.executable, "-c", RUNNER, str(tree), "score", *map(str, inputs), "--format", "jsonl",
                         "--jobs", str(jobs), "--fail-on", "never"], stdout=out)


def per_format(trees: dict[str, Path], folder: Path, workdir: Path, runs: int) -> None:
    """CPU per form of each format's files alone, old and new interleaved (median of ``runs``)."""
    print("\n| format | files | forms | old ms/form | new ms/form | speed-up | same JSON |")
    print("|---|---|---|---|---|---|---|")
    for fmt in FORMATS:
        files = sorted(folder.glob(f"*.{fmt}"))
        cpu: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(runs):
            for name, tree in trees.items():
                cpu[name].append(run_tree(tree, files, workdir / f"{name}-{fmt}.jsonl", 1).cpu)
        outs = [(workdir / f"{n}-{fmt}.jsonl").read_bytes() for n in ("old", "new")]
        forms = outs[1].count(b"\n")
        old, new = (1000 * statistics.median(cpu[n]) / max(forms, 1) for n in ("old", "new"))
        print(f"| {fmt} | {len(files)} | {forms:,} | {old:.1f} | {new:.1f} | {old / new:.2f}× | "
              f"{'yes' if outs[0] == outs[1] else 'NO'} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", type=Path, required=True, help="checkout of the code to compare against")
    p.add_argument("--new", type=Path, default=ROOT, help="checkout of the new code (default: this one)")
    p.add_argument("--files", type=int, default=300)
    p.add_argument("--per-file", type=int, default=10)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/perfscore-folder"))
    p.add_argument("--per-format", action="store_true", help="also each format's files alone (ms per form)")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    folder = make_folder(args.workdir / f"folder-{args.files}x{args.per_file}", args.files, args.per_file)
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    runs: dict[str, list] = {"old": [], "new": []}
    for _ in range(args.runs):
        for name, tree in trees.items():  # interleaved: a burst of load elsewhere hits both alike
            runs[name].append(run_tree(tree, [folder], args.workdir / f"{name}.jsonl", args.jobs))
            print(f"folder: {name} {runs[name][-1].cpu:.1f} CPU-s", file=sys.stderr, flush=True)
    old, new = ((args.workdir / f"{n}.jsonl").read_bytes() for n in ("old", "new"))
    cpu = {n: statistics.median(m.cpu for m in runs[n]) for n in runs}
    wall = {n: statistics.median(m.wall for m in runs[n]) for n in runs}
    forms = new.count(b"\n")
    print(f"| tree | CPU s (median of {args.runs}) | wall s | ms per form (CPU) |")
    print("|---|---|---|---|")
    for n in ("old", "new"):
        print(f"| {n} ({trees[n]}) | {cpu[n]:.1f} | {wall[n]:.1f} | {1000 * cpu[n] / max(forms, 1):.1f} |")
    print(f"\n{args.files} files, {forms:,} forms, --jobs {args.jobs}: new is {cpu['old'] / cpu['new']:.2f}× faster "
          f"(CPU; target ≥ 3×); JSON output {'identical' if old == new else 'DIFFERENT'}")
    if args.per_format:
        per_format(trees, folder, args.workdir, args.runs)
    return 0 if old == new else 1


if __name__ == "__main__":
    sys.exit(main())
