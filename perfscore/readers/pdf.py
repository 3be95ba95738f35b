"""PDF files with a text layer, via pdfplumber: the tables on every page, read as one stream.

Each table found by ``page.find_tables()`` becomes rows of cell text; the cells' boxes give the merged
regions (a merged cell spans several column or row boundaries), and a cell's wrapped lines are joined
(no space inside Chinese text). The text above each table is kept as free text for the title and year.
Tables follow each other across pages, so a form that continues on the next page reads on; when a
continuation table has other column boundaries its cells are placed by position under the previous
table's columns.

Pages without any table go to the text reader (``perfscore.readers.text.read_text``, or its
``parse_text``), consecutive such pages together; the forms it finds are placed by page.
A PDF that needs a password to open, a PDF without a text layer (scanned) or a damaged file raises one
ReadError line; one encrypted with an owner password only is read like any other. What pdfminer inflates
is bounded by ``--max-uncompressed-mb`` (:mod:`perfscore.readers.pdf_budget`).

Speed: pdfplumber's own page parsing, table finding and cell extraction cost ~60 ms a form; the same
objects, tables and texts come from :mod:`perfscore.readers.pdf_objects` (the content stream tokenized
by :mod:`perfscore.readers.pdf_tokens`, run by :mod:`perfscore.readers.pdf_direct`, else by pdfminer's
handlers) and :mod:`perfscore.readers.pdf_tables` at a sixth of that, and a page they cannot read
exactly the way pdfminer does is parsed by pdfplumber as before.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

from perfscore.errors import MissingDependency, ReadError
from perfscore.model import Document, Form, SourceRef
from perfscore.readers.grid import Grid, Merge, forms_from_grid, join_lines, label_key
from perfscore.readers.limits import DEFAULT_LIMITS, Limits
from perfscore.readers.pdf_budget import InflateLimit, inflate_budget
from perfscore.readers.pdf_direct import fill_page
from perfscore.readers.pdf_objects import Unsupported
from perfscore.readers.pdf_tables import cell_texts, find_tables
from perfscore.readers.pdf_tokens import install as install_ascii85

__all__ = ["read", "table_cells"]

_TOL = 1.5


def _chain(exc: BaseException, *, args: bool = False) -> Iterator[BaseException]:
    """An exception and what it was raised from (and, with ``args``, exceptions carried in its args),
    at most eight: pdfminer wraps its errors in each other."""
    seen = 0
    stack: list[BaseException | None] = [exc]
    while stack and seen < 8:
        e = stack.pop()
        if e is None:
            continue
        seen += 1
        yield e
        stack.extend([e.__cause__, e.__context__])
        if args:
            stack.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))


def _is_password_error(exc: BaseException) -> bool:
    return any("Password" in type(e).__name__ or "Encrypt" in type(e).__name__ for e in _chain(exc, args=True))


def _bounds(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _index(bounds: list[float], value: float) -> int:
    """The last boundary at or left of (above) the value, give or take the tolerance (bounds are sorted)."""
    return max(0, bisect_right(bounds, value + _TOL) - 1)


def table_cells(table) -> tuple[list[list[str]], list[Merge], list[float]]:
    """Rows of cell text, merged regions, and the column boundaries (x) of one pdfplumber table."""
    boxes = [c for c in table.cells if c]
    xs = _bounds([b[0] for b in boxes])
    ys = _bounds([b[1] for b in boxes])
    texts = cell_texts(table)
    rows = [[""] * len(xs) for _ in ys]
    merges: list[Merge] = []
    for i, prow in enumerate(table.rows):
        for j, box in enumerate(prow.cells):
            if not box:
                continue
            x0, top, x1, bottom = box
            r0, c0 = _index(ys, top), _index(xs, x0)
            r1, c1 = _index(ys, bottom - 2 * _TOL), _index(xs, x1 - 2 * _TOL)
            found = texts[i][j] if i < len(texts) and j < len(texts[i]) else None
            text = join_lines(found) if found else ""
            rows[r0][c0] = text
            if r1 > r0 or c1 > c0:
                merges.append((r0, c0, r1, c1))
    return rows, merges, xs


def _realign(rows: list[list[str]], merges: list[Merge], xs: list[float],
             target: list[float]) -> tuple[list[list[str]], list[Merge]]:
    """Place a continuation table's cells under the previous table's columns, by x position."""
    mapping = [_index(target, x + _TOL) for x in xs]
    width = len(target)
    out = [[""] * width for _ in rows]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                cc = mapping[c]
                out[r][cc] = (out[r][cc] + text) if out[r][cc] else text
    moved = [(r0, mapping[c0], r1, mapping[c1]) for r0, c0, r1, c1 in merges]
    return out, [m for m in moved if m[2] > m[0] or m[3] > m[1]]


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    file = str(path)
    try:
        import pdfplumber
    except ImportError:
        raise MissingDependency(file, "pdfplumber", "pdf") from None
    install_ascii85()
    with inflate_budget(limits.max_uncompressed_bytes):
        try:
            pdf = pdfplumber.open(file)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for damaged files
            if _caused_by(exc, InflateLimit):
                raise ReadError(file, limits.inflate_bomb()) from None
            if _is_password_error(exc):
                raise ReadError(file, "encrypted PDF: it needs a password to open; save an unprotected copy") from None
            raise ReadError(file, f"not a readable PDF ({_first_line(exc)})") from None
        try:
            if getattr(pdf.doc, "encryption", None):
                _repair_cid_fonts(pdf)
            docs = list(_read_pdf(pdf, file))
        except Exception as exc:
            if _caused_by(exc, InflateLimit):
                raise ReadError(file, limits.inflate_bomb()) from None
            raise
        finally:
            pdf.close()
    yield from docs


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(e, kind) for e in _chain(exc))


# The character collection (CIDSystemInfo) a predefined CMap belongs to, by its name: UniGB-UCS2-H is
# Adobe-GB1. Checked in this order (GBK-EUC-H is GB1; KSC-EUC-H is Korea1).
_CMAP_COLLECTIONS = [(re.compile(p), ordering) for p, ordering in (
    (r"GB", b"GB1"), (r"CNS|B5|ETen|HK", b"CNS1"), (r"KS", b"Korea1"), (r"JIS|RKSJ|EUC|^(?:90|83|78)", b"Japan1"))]


def _repair_cid_fonts(pdf) -> None:
    """In an encrypted PDF, give a CID font whose CIDSystemInfo does not decrypt to text the collection
    its predefined CMap names. Some writers (reportlab among them) leave those strings unencrypted,
    pdfminer decrypts them into noise, and without the collection it cannot map a character to Unicode:
    the whole text layer would read as `(cid:N)`."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    for page in pdf.pages:
        fonts = resolve1((page.page_obj.resources or {}).get("Font")) or {}
        for font in (resolve1(f) for f in fonts.values() if isinstance(fonts, dict)):
            if not isinstance(font, dict):
                continue
            encoding = resolve1(font.get("Encoding"))
            if not isinstance(encoding, PSLiteral):
                continue
            ordering = next((o for pattern, o in _CMAP_COLLECTIONS if pattern.search(str(encoding.name))), None)
            for descendant in resolve1(font.get("DescendantFonts")) or []:
                info = resolve1((resolve1(descendant) or {}).get("CIDSystemInfo"))
                if ordering and isinstance(info, dict) and not (_ascii(info.get("Registry"))
                                                                and _ascii(info.get("Ordering"))):
                    info["Registry"], info["Ordering"] = b"Adobe", ordering


def _ascii(value: object) -> bool:
    return isinstance(value, bytes) and value.isascii() and value.isalnum()


def _read_pdf(pdf, file: str) -> Iterator[Document]:
    grid = Grid(file=file)
    any_text = False
    chars = undecoded = 0
    previous_cols: list[float] | None = None
    textless: list[list[tuple[int, str]]] = []  # runs of consecutive pages without a table
    try:
        pages = pdf.pages
        for number, page in enumerate(pages, start=1):
            _fill(page)
            if page.chars:
                any_text = True
                chars += len(page.chars)
                undecoded += sum(1 for ch in page.chars if ch["text"].startswith("(cid:"))
            tables = sorted(find_tables(page), key=lambda t: (t.bbox[1], t.bbox[0]))
            if not tables:
                text = page_text_with_tabs(page)
                if text.strip():
                    if textless and textless[-1] and textless[-1][-1][0] == number - 1:
                        textless[-1].append((number, text))
                    else:
                        textless.append([(number, text)])
                    # its last lines may title a table on the next page
                    grid.add_text(text.strip().splitlines()[-3:], page=number)
                _release(page)
                continue
            top = 0.0
            for index, table in enumerate(tables, start=1):
                _, t_top, _, t_bottom = table.bbox
                if t_top - top > 2:
                    grid.add_text(_text_between(page, top, t_top).splitlines(), page=number)
                rows, merges, xs = table_cells(table)
                if previous_cols is not None and rows and not _starts_form(rows) and (
                        len(xs) != len(previous_cols)
                        or any(abs(a - b) > 3 for a, b in zip(xs, previous_cols, strict=False))):
                    rows, merges = _realign(rows, merges, xs, previous_cols)
                else:
                    previous_cols = xs
                grid.add_table(rows, merges, page=number, table=index)
                top = t_bottom
            if page.height - top > 2:
                grid.add_text(_text_between(page, top, page.height).splitlines()[-3:], page=number)
            _release(page)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        if _is_password_error(exc):
            raise ReadError(file, "encrypted PDF: it needs a password to open; save an unprotected copy") from None
        raise ReadError(file, f"damaged PDF ({_first_line(exc)})") from None
    if not any_text:
        raise ReadError(file, "no text layer: image-only PDF, run OCR first")
    forms: list[Form] = forms_from_grid(grid)
    if not forms and undecoded > chars // 2:
        raise ReadError(file, "the text layer cannot be decoded (fonts without a Unicode map): run OCR first")
    title = None
    narrative = None
    if textless:
        from perfscore.readers.text import read_text

        for run in textless:
            text = ""
            starts: list[tuple[int, int]] = []  # (first line, page)
            for page_no, page_text in run:
                starts.append((text.count("\n") + 1, page_no))
                text += page_text.rstrip("\n") + "\n"
            try:
                doc = read_text(text, file)  # never raises anything but ReadError
            except ReadError:
                continue
            for form in doc.forms:
                _place(form, starts)
                forms.append(form)
            title = title or doc.title
            narrative = narrative or doc.narrative
        forms.sort(key=lambda f: (f.source.page or 0) if f.source else 0)
    if not forms:
        raise ReadError(file, "no self-evaluation form found (no table with a 一级指标/三级指标 header)")
    yield Document(title=title, forms=forms, narrative=narrative, source=SourceRef(file=file))


def _fill(page) -> None:
    """Read the page's objects the fast way (:mod:`perfscore.readers.pdf_direct`); when that way
    cannot, pdfplumber parses the page itself on first use, with the errors it always gave."""
    try:
        fill_page(page)
    except Unsupported:
        pass
    except Exception as exc:  # whatever tripped the fast way, pdfminer meets again and reports as before
        if _caused_by(exc, InflateLimit):
            raise


def _release(page) -> None:
    """Free a page's parsed objects once read, so long reports stay within memory."""
    close = getattr(page, "close", None) or getattr(page, "flush_cache", None)
    if close is not None:
        close()


def page_text_with_tabs(page) -> str:
    """The page's text, one line per printed line, with a tab where a wide gap separates two words
    (a borderless table's columns), the way the text reader reads tab-separated forms."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2.5, keep_blank_chars=False)
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 2.5:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        text = line[0]["text"]
        for prev, word in pairwise(line):
            size = max(prev["bottom"] - prev["top"], 1.0)
            gap = word["x0"] - prev["x1"]
            if gap > 1.8 * size:
                text += "\t"
            elif gap > 0.25 * size and not (_wide(prev["text"][-1]) or _wide(word["text"][0])):
                text += " "
            text += word["text"]
        out.append(text)
    return "\n".join(out)


def _wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F


def _text_between(page, top: float, bottom: float) -> str:
    """Text of the characters whose middle lies between two heights (a line touching a table counts)."""

    from pdfplumber.utils import chars_to_textmap

    chars = [c for c in page.chars if top <= (c["top"] + c["bottom"]) / 2 < bottom]
    # what page.filter(...).extract_text() does, without testing every object of the page in Python
    return chars_to_textmap(chars, layout_bbox=page.bbox, layout_width=page.width,
                            layout_height=page.height).as_string or ""


def _starts_form(rows: list[list[str]]) -> bool:
    """Does a table open with its own header (so its columns are its own), not continue the last one?"""
    for row in rows[:3]:
        for cell in row:
            k = label_key(cell)
            if k.startswith(("一级指标", "项目名称", "预算部门名称", "项目支出名称")) or k.endswith("自评表"):
                return True
    return False


def _place(form: Form, starts: list[tuple[int, int]]) -> None:
    """Give a text-read form the page its line falls on."""
    if form.source is None:
        form.source = SourceRef()
    line = form.source.line
    page = starts[0][1]
    if line is not None:
        for first, number in starts:
            if line >= first:
                page = number
    if form.source.page is None:
        form.source.page = page


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
