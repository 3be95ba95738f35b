"""Zip packages (xlsx, docx) checked before a library inflates them: declared sizes, sheet extents.

A zip's central directory declares each member's uncompressed size, and Python's `zipfile` never
inflates a member past it (a member that inflates to more fails its CRC): so the declared total bounds
what python-docx will hold, and streaming a member through `zipfile` proves what calamine will find.
A worksheet's extent — the `<dimension>` it declares and the cells it writes — is what calamine
allocates (rows × columns from A1): one cell at XFD1048576 is 17 billion cells.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator

from perfscore.errors import ReadError
from perfscore.readers.limits import Limits

CHUNK = 1 << 20
BEYOND = 1 << 40  # a row or column number no sheet has

_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b[^<>]*?\sref=["'](?:[A-Za-z$]+\d+:)?\$?([A-Za-z]+)\$?(\d+)["']""")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF = re.compile(rb"""<(?:\w+:)?c\s[^<>]*?(?<=\s)r=["']([A-Z]+)(\d+)["']""")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_REF = re.compile(rb"""<(?:\w+:)?row\s[^<>]*?(?<=\s)r=["'](\d+)["']""")
_TAG = re.compile(rb'<(?:\w+:)?(row|c)(?=[\s>/])([^<>]*)>')
_R_ATTR = re.compile(rb"""(?<=\s)r=["']([A-Z]*)(\d+)["']""")


def column_number(letters: bytes | str) -> int:
    """1-based column number of `A`…`XFD` (a run of letters too long for any sheet: `BEYOND`)."""
    text = letters.decode("ascii", "replace") if isinstance(letters, bytes) else letters
    if len(text) > 4:
        return BEYOND
    n = 0
    for ch in text.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else BEYOND


def check_declared_size(zf: zipfile.ZipFile, limits: Limits, file: str) -> None:
    """Refuse a package whose members declare more than ``--max-uncompressed-mb`` in all."""
    total = sum(info.file_size for info in zf.infolist())
    if total > limits.max_uncompressed_bytes:
        raise ReadError(file, limits.zip_bomb(total))


def member_chunks(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """A member inflated a chunk at a time (never more than it declares; a lie fails its CRC)."""
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def sheet_extent(chunks: Callable[[], Iterator[bytes]]) -> tuple[int, int]:
    """(rows, columns) a worksheet spans from A1: the larger of its declared `<dimension>` and its
    cells, whose positions are read from `r=` attributes (or counted, where a writer left them out).
    `chunks` gives the worksheet's XML anew each time it is called."""
    rows = cols = 0
    implicit = False
    head = True
    for data in _whole_tags(chunks()):
        if head:  # the dimension comes before the cells
            dim = _DIMENSION.search(data)
            if dim:
                rows, cols = max(rows, _number(dim.group(2))), max(cols, column_number(dim.group(1)))
                head = False
        refs = _CELL_REF.findall(data)
        if refs:  # the distinct letters and numbers are few: convert only those
            cols = max(cols, max(map(column_number, {c for c, _ in refs})))
            rows = max(rows, max(map(_number, {r for _, r in refs})))
        row_refs = _ROW_REF.findall(data)
        if row_refs:
            rows = max(rows, max(map(_number, row_refs)))
        if len(refs) != len(_CELL_TAG.findall(data)) or len(row_refs) != len(_ROW_TAG.findall(data)):
            implicit = True
    if implicit:  # rare: some writers leave positions out, and readers count them
        counted_rows, counted_cols = _counted_extent(_whole_tags(chunks()))
        rows, cols = max(rows, counted_rows), max(cols, counted_cols)
    return rows, cols


def _whole_tags(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks re-cut so that no tag is split between two of them."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut < 0:
            yield data
            carry = b""
        else:
            yield data[:cut]
            carry = data[cut:]
    if carry:
        yield carry


def _counted_extent(chunks: Iterator[bytes]) -> tuple[int, int]:
    """Rows and columns with positions as a reader infers them: a row without `r` follows the
    previous row, a cell without `r` the previous cell of its row."""
    row = col = rows = cols = 0
    for data in chunks:
        for tag, attrs in _TAG.findall(data):
            ref = _R_ATTR.search(attrs)
            if tag == b"row":
                row = _number(ref.group(2)) if ref else row + 1
                col = 0
            else:
                if ref and ref.group(1):
                    col = column_number(ref.group(1))
                    row = max(row, _number(ref.group(2)))
                else:
                    col += 1
                cols = max(cols, col)
            rows = max(rows, row)
    return rows, cols
