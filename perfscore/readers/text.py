"""Plain-text and Markdown 决算公开 documents: every 自评表 printed in them, plus the narrative counts.

The text reader only recovers the tables' rows (:mod:`text_grid`: tabs, pipes, runs of spaces, one cell
per line, Word tables copied as text, cells glued together); the one layout interpreter
(:mod:`perfscore.readers.grid`) finds the forms in them and reads them as it reads a spreadsheet's, and
figures stated only in the prose around a form are taken from there (:mod:`text_context`). Traditional
characters and pinyin glosses (``項(xiàng)目``) are normalised first.

The narrative counts (``自评个数15个``, ``3个项目自评等级为优``) are read from the prose for the audit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from perfscore.errors import ReadError
from perfscore.model import Document, Form, NarrativeCounts, ReadNote, SourceRef
from perfscore.readers.chinese import strip_pinyin, to_simplified
from perfscore.readers.encoding import decode
from perfscore.readers.grid import forms_from_grid
from perfscore.readers.numbers import parse_decimal
from perfscore.readers.text_context import fill_from_text
from perfscore.readers.text_grid import grid_from_text

NO_FORM = "no 自评表 found"
# full-width figures (２０２３, ９５％, ３．５) read as the numbers they are; other full-width text is kept
_FULL_WIDTH_DIGITS = re.compile(r"[０-９]++(?:[．.][０-９]++)?+％?+")


def _ascii(m: re.Match[str]) -> str:
    return m.group(0).translate(_FOLD)


_FOLD = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


def read(path: Path) -> Iterator[Document]:
    """Yield the one Document held in a .txt/.md file (every form found in it)."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(file, f"cannot open: {exc.strerror or exc}") from None
    text, encoding = decode(data, file)
    doc = read_text(text, file)
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        for form in doc.forms:  # say how the file was read: a wrong guess shows as mojibake
            form.read_notes.append(ReadNote(code="read-encoding", source=SourceRef(file=file),
                                            message=f"the file is not UTF-8; read as {encoding}"))
    yield doc


def read_text(text: str, file: str) -> Document:
    """The Document in already-decoded text (the PDF reader passes pages without tables here).

    Raises ReadError when no form is found.
    """
    try:
        return _read(text, file)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - never a traceback: one line naming the file
        raise ReadError(file, f"unexpected structure: {type(exc).__name__}: {exc}") from None


def _read(text: str, file: str) -> Document:
    # mirrored copies: 項(xiàng)目 → 项目; printed punctuation and values otherwise kept as they are
    text = _FULL_WIDTH_DIGITS.sub(_ascii, to_simplified(strip_pinyin(text)))
    lines = re.split(r"\r\n|\r|\n", text)
    forms = forms_from_grid(grid_from_text(text, file))
    starts = [(f.source.line or 1) - 1 if f.source else 0 for f in forms]
    for k, form in enumerate(forms):
        lo = starts[k - 1] if k else 0
        hi = starts[k + 1] if k + 1 < len(forms) else len(lines)
        fill_from_text(form, "\n".join(lines[lo:hi]), SourceRef(file=file, line=lo + 1))
    year = _document_year(text)
    for form in forms:
        form.year = form.year or year
        if form.indicators and not _has_figures(form):
            # every digit lost (a page that stripped them): a form to check by hand, never one of zeros
            form.read_notes.append(ReadNote(code="read-incomplete", source=form.source,
                                            message="no figure could be read on this form: its digits are missing"))
    # a heading with nothing under it or around it is not a form; one with a table head is, incomplete
    forms = [f for f in forms if _has_content(f) or (f.funding is not None and f.title)]
    if not forms:
        raise ReadError(file, NO_FORM)
    if not any(map(_has_content, forms)):
        first = forms[0]
        raise ReadError(file, "no indicator table (一级指标/二级指标/三级指标) and no funding figures found",
                        form=first.name, where=f"line {first.source.line}" if first.source else None)
    for number, form in enumerate(forms, 1):
        _renumber(form, number)
    heading = next((line.strip().lstrip("#").strip() for line in lines if line.strip()), None)
    return Document(title=heading or None, forms=forms, narrative=find_narrative(lines, file),
                    source=SourceRef(file=file))


def _has_content(form: Form) -> bool:
    return bool(form.indicators or (form.funding and form.funding.rows()) or form.reported_total is not None)


def _renumber(form: Form, table: int) -> None:
    """Number the forms kept 1, 2, … (headings dropped above took numbers while they were read)."""
    refs = [form.source, *(i.source for i in form.indicators), *(n.source for n in form.read_notes),
            *(r.source for r in (form.funding.rows() if form.funding else []))]
    for ref in refs:
        if ref is not None:
            ref.table = table


def _has_figures(form: Form) -> bool:
    """Does the form print any number at all (a weight, a score, an amount, a digit in a value)?"""
    if form.reported_total is not None or (form.funding and form.funding.rows()):
        return True
    return any(i.weight is not None or i.score is not None or any(
        ch.isdigit() for ch in f"{i.initial_target or ''}{i.adjusted_target or ''}{i.actual or ''}")
        for i in form.indicators)


def _document_year(text: str) -> int | None:
    """The year a document reports on, for forms that print none: the one its text names most."""
    counts: dict[str, int] = {}
    for pattern in (r"(20\d{2})\s*年度", r"(20\d{2})\s*年"):
        for year in re.findall(pattern, text):
            counts[year] = counts.get(year, 0) + 1
        if counts:
            return int(max(counts, key=lambda y: counts[y]))
    return None


# ---------------------------------------------------------------------------------------------- narrative
# Possessive spaces and numbers read from their first digit: these run on every line of a document, and
# a long run of digits or spaces must not be re-scanned from each of its characters.
_GRADE_COUNT = re.compile(
    r"(?<!\d)(\d++)\s*+个(?:项目|二级项目)?\s*+(?:的)?\s*+自评(?:等级|结果)?\s*+(?:为|是)\s*+[“\"'‘]?\s*+(优|良|中|差)")
_FORM_COUNT = (
    re.compile(r"(?:绩效)?自评个数\s*(\d+)\s*个"),
    re.compile(r"涉及二级项目\s*(\d+)\s*个"),
    re.compile(r"对\s*+(\d++)\s*+个项目(?:开展|进行)了?[^。，,；;]{0,80}?自评"),  # 自评 within one clause
)
_AMOUNT = (
    re.compile(r"涉及资金\s*([\d,]+(?:\.\d+)?)\s*万元"),
    re.compile(r"涉及二级项目\s*\d+\s*个\s*[，,]\s*资金\s*([\d,]+(?:\.\d+)?)\s*万元"),
)


def find_narrative(lines: list[str], file: str) -> NarrativeCounts | None:
    fallback = None
    for i, line in enumerate(lines):
        grades = list(_GRADE_COUNT.finditer(line))
        count = next((m for p in _FORM_COUNT for m in [p.search(line)] if m), None)
        if not grades and not count:
            continue
        amount = next((m for p in _AMOUNT for m in [p.search(line)] if m), None)
        start = count.start() if count else grades[0].start()
        stop = grades[-1].end() if grades or count is None else count.end()
        text = _sentences(line, start, stop)
        result = NarrativeCounts(
            forms=int(count.group(1)) if count else None,
            grades={m.group(2): int(m.group(1)) for m in grades},
            amount=parse_decimal(amount.group(1))[0] if amount else None,
            text=text, source=SourceRef(file=file, line=i + 1),
        )
        if grades:
            return result
        fallback = fallback or result
    return fallback


def _sentences(line: str, start: int, stop: int) -> str:
    begin = max(line.rfind("。", 0, start) + 1, 0)
    end = line.find("。", stop)
    return line[begin:(end + 1) if end >= 0 else len(line)].strip()
