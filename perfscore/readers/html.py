"""HTML pages (.html, .htm, and the .xls files that are really HTML) via lxml: every table, into one Grid.

Government sites publish forms as HTML tables, and many "download as Excel" buttons save the same HTML
under an ``.xls`` name. Each innermost ``<table>`` (one that holds no other table) is read as a table:
``rowspan``/``colspan`` become merges, ``<br>`` and block elements inside a cell become line breaks. A
table that holds tables is page layout: its own text is read as text, like the headings and paragraphs
around the tables, so the title and the sentences around a form reach the interpreter in page order.
Scripts, styles and navigation are dropped. The bytes are decoded by :mod:`perfscore.readers.encoding`,
with the page's ``<meta charset>`` used when the bytes are not UTF-8.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from perfscore.errors import MissingDependency, ReadError
from perfscore.model import Document, SourceRef
from perfscore.readers.encoding import decode
from perfscore.readers.grid import Grid, Merge, forms_from_grid

__all__ = ["looks_like_html", "read", "read_text", "table_rows"]

# HTML's own limits (colspan ≤ 1000, rowspan ≤ 65534); a table whose grid would exceed _MAX_CELLS is refused.
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534
_MAX_CELLS = 200_000
_SKIP = {"script", "style", "head", "noscript", "template", "nav", "select", "button", "iframe", "object", "svg"}
_BLOCK = {"p", "div", "br", "tr", "td", "th", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
          "h6", "table", "caption", "section", "article", "header", "footer", "center", "blockquote", "pre",
          "hr", "form", "address", "thead", "tbody", "tfoot", "main", "aside", "figure", "figcaption"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_HTML_START = re.compile(rb"(?<!\s)\s*+(?:<!--(?:(?!-->).){0,200}+-->\s*+)*+"
                         rb"<(?:!doctype\s+html|html|head|body|meta|table|title)\b",
                         re.I | re.S)
_SINGLE_BYTE = {"ascii", "iso8859-1", "cp1252", "iso8859-15", "cp437"}
_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "csgb2312", "gb18030", "x-euc-cn"}


def looks_like_html(head: bytes) -> bool:
    """Does a file start like an HTML page? (For ``sniff``: an ``.xls`` saved by a web page is HTML.)"""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            if bom != b"\xef\xbb\xbf":
                head = head.replace(b"\x00", b"")
            break
    return _HTML_START.match(head[:2048]) is not None


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    return "gb18030" if name in _GB_ALIASES else name  # pages labelled GB2312 use GBK characters anyway


def read_text(data: bytes, file: str) -> tuple[str, str]:
    """The page as text and the encoding used: a byte-order mark or valid UTF-8 first (pages re-saved as
    UTF-8 often keep their old ``<meta charset>``), then a declared multi-byte charset (GBK, Big5, …), then
    the usual guesses. A declared single-byte charset (``iso-8859-1``) is not trusted: it decodes anything."""
    declared = _declared_charset(data)
    if declared and not _utf8_or_bom(data):
        try:
            if codecs.lookup(declared).name not in _SINGLE_BYTE:
                return data.decode(declared), codecs.lookup(declared).name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, file)


def _utf8_or_bom(data: bytes) -> bool:
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ------------------------------------------------------------------------------------------ text


def _tag(el) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _clean_lines(parts: list[str]) -> list[str]:
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    return [line for line in lines if line]


def _cell_text(td) -> str:
    """A cell's text as the browser shows it: spaces collapsed, ``<br>`` and blocks as line breaks."""
    return "\n".join(_clean_lines([str(piece) for kind, piece in _rendered(td, split_tables=False) if kind == "text"]))


def _rendered(root, *, split_tables: bool) -> Iterator[tuple[str, object]]:
    """What a browser shows of ``root``, in reading order: ``("text", piece)`` (a ``"\n"`` where a block
    starts or ends) and, with ``split_tables``, ``("table", element)`` for each innermost table instead of
    its text. Iterative, so deep nesting cannot overflow."""
    from lxml import etree

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = _tag(el)
        if event == "start":
            if tag is None or tag in _SKIP:
                walker.skip_subtree()
                continue
            if split_tables and tag == "table" and not _has_table(el):
                yield "table", el
                walker.skip_subtree()
                continue
            if tag in _BLOCK and el is not root:
                yield "text", "\n"
            if el.text:
                yield "text", el.text.replace("\n", " ")
        else:
            if el is root:
                break
            if tag in _BLOCK:
                yield "text", "\n"
            if el.tail:
                yield "text", el.tail.replace("\n", " ")


def _own_rows(table) -> list:
    """The table's ``<tr>`` in order, directly or inside ``thead``/``tbody``/``tfoot`` (not nested tables)."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if _tag(tr) == "tr")
    return rows


def _span(el, name: str, limit: int) -> int:
    value = (el.get(name) or "").strip()
    m = re.match(r"\d{1,6}", value)
    if not m:
        return 1
    n = int(m.group(0))
    if name == "rowspan" and n == 0:
        return limit  # rowspan="0": to the end of the table
    return max(1, min(n, limit))


def table_rows(table, file: str = "", number: int | None = None) -> tuple[list[list[str]], list[Merge]]:
    """Rows of cell text (text at each merged cell's first position) and the merged regions, laid out by
    the HTML table algorithm: a cell goes to the next column not taken by a rowspan from above."""
    trs = _own_rows(table)
    n_rows = len(trs)
    taken: set[tuple[int, int]] = set()
    rows: list[list[str]] = [[] for _ in trs]
    merges: list[Merge] = []
    cells = 0
    for r, tr in enumerate(trs):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            colspan = _span(td, "colspan", _MAX_COLSPAN)
            rowspan = min(_span(td, "rowspan", _MAX_ROWSPAN), n_rows - r)
            cells += colspan * rowspan
            if cells > _MAX_CELLS:
                where = f"table {number}" if number else None
                raise ReadError(file, f"table too large (over {_MAX_CELLS:,} cells with its spans)", where=where)
            row = rows[r]
            if len(row) < c + colspan:
                row.extend([""] * (c + colspan - len(row)))
            row[c] = _cell_text(td)
            if colspan > 1 or rowspan > 1:
                merges.append((r, c, r + rowspan - 1, c + colspan - 1))
                for rr in range(r, r + rowspan):
                    for cc in range(c, c + colspan):
                        taken.add((rr, cc))
            c += colspan
    return rows, merges


def _has_table(table) -> bool:
    return any(True for _ in table.iterdescendants("table"))


def _blocks(root) -> Iterator[tuple[str, object]]:
    """The page in reading order: ``("text", line)`` for text outside the innermost tables and
    ``("table", element)`` for each innermost table."""
    parts: list[str] = []
    for kind, item in _rendered(root, split_tables=True):
        if kind == "text":
            parts.append(item)  # type: ignore[arg-type]
            continue
        for line in _clean_lines(parts):
            yield "text", line
        parts.clear()
        yield kind, item
    for line in _clean_lines(parts):
        yield "text", line


# ---------------------------------------------------------------------------------------- reader


def read(path: Path) -> Iterator[Document]:
    file = str(path)
    try:
        import lxml.html
        from lxml import etree
    except ImportError:
        raise MissingDependency(file, "lxml", "html") from None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(file, f"cannot open: {exc.strerror or exc}") from None
    text, _encoding = read_text(data, file)
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(file, f"not a readable HTML page ({str(exc).strip()[:120] or type(exc).__name__})") from None
    title_el = root.find(".//title")
    title = " ".join((title_el.text_content() if title_el is not None else "").split()) or None
    grid = Grid(file=file)
    tables = 0
    pending: list[str] = []
    for kind, item in _blocks(root):
        if kind == "text":
            pending.append(str(item))
            continue
        tables += 1
        grid.add_text(pending, table=tables)
        pending = []
        rows, merges = table_rows(item, file, tables)
        grid.add_table(rows, merges, table=tables)
    grid.add_text(pending, table=tables or None)
    if not tables:
        raise ReadError(file, "no table in the page: the forms are expected as HTML tables")
    forms = forms_from_grid(grid, hint=title)
    if not forms:
        raise ReadError(file, "no self-evaluation form found (no 一级指标/三级指标 header in any table)")
    yield Document(title=title, forms=forms, source=SourceRef(file=file))
