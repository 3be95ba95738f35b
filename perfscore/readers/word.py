"""Word documents (.docx) via python-docx: every table, with the paragraphs just before it.

Each table becomes rows of cell text with its merges taken from the XML (``w:gridSpan`` across,
``w:vMerge`` down), so a merged cell is read once however many grid columns it spans — python-docx's own
``row.cells`` repeats the merged cell object instead. The last few paragraphs before a table are given to
:mod:`perfscore.readers.grid` as free text: the title paragraph (``…项目支出绩效自评表``) and ``(2023年度)``
name the form when the table does not. All tables are read as one stream, so a form split over two
tables (a page break in Word) reads on. A package that declares more than ``--max-uncompressed-mb`` is
refused before python-docx inflates it (python-docx holds every part in memory).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from perfscore.errors import MissingDependency, ReadError
from perfscore.model import Document, SourceRef
from perfscore.readers import package
from perfscore.readers.grid import Grid, Merge, forms_from_grid
from perfscore.readers.limits import DEFAULT_LIMITS, Limits

__all__ = ["read", "table_grid"]

_PARAGRAPHS_BEFORE_TABLE = 4


_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TC, _TR, _P, _TCPR, _TRPR = f"{_NS}tc", f"{_NS}tr", f"{_NS}p", f"{_NS}tcPr", f"{_NS}trPr"
_T, _TAB, _BR, _CR, _SDT, _SDT_CONTENT = (f"{_NS}t", f"{_NS}tab", f"{_NS}br", f"{_NS}cr", f"{_NS}sdt",
                                          f"{_NS}sdtContent")
_VAL, _VMERGE = f"{_NS}val", f"{_NS}vMerge"


def _int_prop(parent, tag: str, default: int) -> int:
    if parent is None:
        return default
    el = parent.find(f"{_NS}{tag}")
    if el is None:
        return default
    try:
        return int(el.get(_VAL, default))
    except ValueError:
        return default


def _paragraphs(tc):
    for child in tc:
        if child.tag == _P:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from (p for p in content if p.tag == _P)


def _cell_text(tc) -> str:
    """A cell's text as Word shows it: paragraphs on their own lines, tabs and line breaks kept."""
    lines = []
    for p in _paragraphs(tc):
        parts = []
        for el in p.iter(_T, _TAB, _BR, _CR):
            if el.tag == _T:
                parts.append(el.text or "")
            elif el.tag == _TAB:
                parts.append("\t")
            else:
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def table_grid(table) -> tuple[list[list[str]], list[Merge]]:
    """Rows of cell text (text at each merged cell's first position only) and the merged regions.

    Read from the table XML: ``w:gridSpan`` gives a cell's width in grid columns, ``w:vMerge`` (without
    ``restart``) continues the cell above, ``w:gridBefore`` skips leading grid columns.
    """
    rows: list[list[str]] = []
    above: list[tuple[int, int] | None] = []  # the origin of each grid column of the row above
    extent: dict[tuple[int, int], list[int]] = {}  # origin -> [r0, c0, r1, c1], in reading order
    for r, tr in enumerate(el for el in table._tbl if el.tag == _TR):
        c = _int_prop(tr.find(_TRPR), "gridBefore", 0)
        row: list[str] = [""] * c
        here: list[tuple[int, int] | None] = [None] * c
        for tc in (el for el in tr if el.tag == _TC):
            props = tc.find(_TCPR)
            span = max(1, _int_prop(props, "gridSpan", 1))
            vmerge = props.find(_VMERGE) if props is not None else None
            if vmerge is not None and vmerge.get(_VAL, "continue") != "restart" and r > 0:
                prev = above[c] if c < len(above) else None
                origin = prev if prev is not None else (r - 1, c)
                text = ""
                box = extent.get(origin)
                if box is None:  # continues nothing read: its own cells only
                    extent[origin] = [r, c, r, c + span - 1]
                else:
                    box[0], box[1] = min(box[0], r), min(box[1], c)
                    box[2], box[3] = max(box[2], r), max(box[3], c + span - 1)
            else:
                origin = (r, c)
                text = _cell_text(tc)
                extent[origin] = [r, c, r, c + span - 1]
            here.extend([origin] * span)
            row.extend([text] + [""] * (span - 1))
            c += span
        rows.append(row)
        above = here
    merges = [(b[0], b[1], b[2], b[3]) for b in extent.values() if b[2] > b[0] or b[3] > b[1]]
    return rows, merges


def _check_package(path: Path, limits: Limits) -> None:
    """Refuse an encrypted document and a package too large to inflate, before python-docx opens it."""
    file = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise ReadError(file, f"cannot open: {exc.strerror or exc}") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE: a password-protected package, or a legacy .doc
        from perfscore.readers.excel import ENCRYPTED_WORD

        if "EncryptedPackage".encode("utf-16-le") in head or "EncryptionInfo".encode("utf-16-le") in head:
            raise ReadError(file, ENCRYPTED_WORD)
        raise ReadError(file, "a legacy Office file (.doc), not a .docx: save it as .docx")
    try:
        with zipfile.ZipFile(path) as zf:
            package.check_declared_size(zf, limits, file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        pass  # python-docx says what is wrong with it


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    file = str(path)
    try:
        import docx
        from docx.table import Table
    except ImportError:
        raise MissingDependency(file, "python-docx", "word") from None
    _check_package(path, limits)
    try:
        document = docx.Document(file)
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors all mean "not a .docx"
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise ReadError(file, f"not a Word .docx document ({detail})") from None
    grid = Grid(file=file)
    pending: list[str] = []
    tables = 0
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                tables += 1
                grid.add_text(pending[-_PARAGRAPHS_BEFORE_TABLE:], table=tables)
                pending = []
                rows, merges = table_grid(block)
                grid.add_table(rows, merges, table=tables)
            else:
                text = block.text.strip()
                if text:
                    pending.append(text)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed table XML
        raise ReadError(file, f"cannot read the document's tables ({type(exc).__name__}: {exc})") from None
    if not tables:
        raise ReadError(file, "no table in the document: the forms are expected as Word tables")
    forms = forms_from_grid(grid)
    if not forms:
        raise ReadError(file, "no self-evaluation form found (no 一级指标/三级指标 header in any table)")
    title = document.core_properties.title or None
    yield Document(title=title, forms=forms, source=SourceRef(file=file))
