"""Cell text, numbers and the :class:`Grid` itself: what the tabular readers share below the form layout.

Label keys and wrapped-line joining (numbers: :mod:`perfscore.readers.numbers`), and the :class:`Grid` of cell
strings (merges filled and remembered, free-text rows kept apart) that the Excel, Word and PDF readers build.
Kept apart from :mod:`perfscore.readers.grid_labels` (what the forms print) and
:mod:`perfscore.readers.grid` (finding forms) because none of it knows anything about a form.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import SourceRef
from perfscore.readers.numbers import (
    parse_decimal as parse_decimal,  # the one number parser, re-exported
)
from perfscore.values import default_vocabulary

Merge = tuple[int, int, int, int]
"""A merged region as (first row, first column, last row, last column), inclusive, 0-based."""


# --------------------------------------------------------------------------------------------- text

def simplified(text: str) -> str:
    """NFKC, then the vocabulary's normalisation (traditional → simplified, …): one place for both,
    indicators/vocabulary.yaml, so readers and the value parser read mirrored copies alike."""
    return default_vocabulary().normalise(unicodedata.normalize("NFKC", text))
_PAREN = re.compile(r"\([^()]*\)")
_KEY_DROP = re.compile(r"[\s:*#_\-—–.、]+")


@functools.lru_cache(maxsize=1 << 16)
def label_key(text: str) -> str:
    """A label reduced for matching: NFKC, simplified, no spaces, colons or parenthesised notes."""
    t = simplified(text)
    t = _PAREN.sub("", t)
    if ")" in t and "(" not in t:
        t = t.replace(")", "")  # a bracket whose opening half is in the cell before (…合计(万元) | 总额):)
    return _KEY_DROP.sub("", t)


def join_lines(text: str) -> str:
    """Join a cell's wrapped lines: no separator next to CJK text or digits, a space between words."""
    if "\n" not in text and "\r" not in text:
        return text.strip()
    parts = [p.strip() for p in re.split(r"\r\n|\r|\n", text)]
    parts = [p for p in parts if p]
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            out += " "
        out += part
    return out


def label_text(text: str) -> str:
    return join_lines(text).strip()


# tried from the first space of a run only, spaces never given back: linear in the label's length
_LEVEL_WEIGHT = re.compile(r"(?<!\s)\s*+[（(]\s*+\d++(?:\.\d++)?\s*+分\s*+[)）]\s*+$")


_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]++(?=[\u4e00-\u9fff])")


def level_label(text: str) -> str:
    """一级/二级 labels lose a printed weight note and the spaces of print: "产 出 指 标 (50分)" → "产出指标"."""
    label = _CJK_SPACE.sub("", label_text(text))
    return _LEVEL_WEIGHT.sub("", label) or label


# ------------------------------------------------------------------------------------------- grid


@dataclass
class Grid:
    """Rows of cell strings from one file, with merges remembered and where each row came from.

    Build it with :meth:`add_table` (a table's rows plus its merged regions; covered cells get the merged
    value) and :meth:`add_text` (free-text lines such as a title paragraph). Tables are stacked one below
    the other, so a form that continues on the next PDF page or in the next Word table reads on.
    """

    file: str | None = None
    cells: list[list[str]] = field(default_factory=list)
    covered: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    refs: list[tuple[str | None, int | None, int | None, int | None]] = field(default_factory=list)
    text_rows: set[int] = field(default_factory=set)
    guess_merges: set[int] = field(default_factory=set)
    loose_rows: set[int] = field(default_factory=set)
    figures: list[Decimal] = field(default_factory=list)  # long figures in the text around the tables
    lines: dict[int, int] = field(default_factory=dict)
    _distinct: dict[int, list[tuple[int, str]]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def add_table(self, rows: Sequence[Sequence[object]], merges: Iterable[Merge] | None = None, *,
                  sheet: str | None = None, page: int | None = None, table: int | None = None,
                  first_row: int = 1) -> None:
        """Append a table. ``merges`` are regions relative to ``rows``; ``None`` means unknown (the cells
        may already hold merged values: equal neighbours in label rows are then read as one cell)."""
        self._distinct.clear()
        base = len(self.cells)
        block = [["" if v is None else str(v).strip() for v in row] for row in rows]
        for r0, c0, r1, c1 in merges or ():
            if r1 < r0 or c1 < c0 or r0 < 0 or c0 < 0:
                continue
            while len(block) <= r1:
                block.append([])
            value = block[r0][c0] if c0 < len(block[r0]) else ""
            for r in range(r0, r1 + 1):
                row = block[r]
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        row[c] = value
                        self.covered[(base + r, c)] = (base + r0, c0)
        for index, row in enumerate(block):
            self.cells.append(row)
            self.refs.append((sheet, page, table, first_row + index))
            if merges is None:
                self.guess_merges.add(base + index)

    def add_text(self, lines: Iterable[str], *, sheet: str | None = None, page: int | None = None,
                 table: int | None = None) -> None:
        """Append free-text lines (a title paragraph, the text above a PDF table): title/year/name only."""
        for line in lines:
            line = line.strip()
            if not line:
                continue
            self.text_rows.add(len(self.cells))
            self.cells.append([line])
            self.refs.append((sheet, page, table, None))

    def add_loose(self, cells: Sequence[str], *, line: int | None = None) -> None:
        """Append a row recovered from text: its cells in reading order, but not in the header's columns
        (merged and empty cells were not printed), so the interpreter aligns it by content."""
        index = len(self.cells)
        self.loose_rows.add(index)
        self.cells.append([str(c).strip() for c in cells])
        self.refs.append((None, None, None, None))
        if line is not None:
            self.lines[index] = line

    # -- access -----------------------------------------------------------------------------------

    def cell(self, r: int, c: int) -> str:
        row = self.cells[r]
        return row[c] if 0 <= c < len(row) else ""

    def covered_from_left(self, r: int, c: int) -> bool:
        origin = self.covered.get((r, c))
        if origin is not None:
            return origin[1] < c
        if r in self.guess_merges and c > 0:
            value = self.cell(r, c)
            return value != "" and value == self.cell(r, c - 1)
        return False

    def covered_from_above(self, r: int, c: int, top: int | None = None) -> bool:
        """True when (r, c) repeats a merged cell that starts on an earlier row (at or after ``top``)."""
        origin = self.covered.get((r, c))
        if origin is not None:
            return origin[0] < r and (top is None or origin[0] >= top)
        if r in self.guess_merges and r > 0 and (r - 1) in self.guess_merges:
            value = self.cell(r, c)
            return value != "" and value == self.cell(r - 1, c) and (top is None or r - 1 >= top)
        return False

    def distinct(self, r: int) -> list[tuple[int, str]]:
        """Non-empty cells of row r, each merged cell once (at its first column)."""
        cached = self._distinct.get(r)
        if cached is None:
            cached = [(c, v) for c, v in enumerate(self.cells[r]) if v and not self.covered_from_left(r, c)]
            self._distinct[r] = cached
        return cached

    def ref(self, r: int, form_index: int | None = None) -> SourceRef:
        sheet, page, table, row = self.refs[r]
        if table is None:
            table = form_index
        return SourceRef(file=self.file, sheet=sheet, page=page, table=table, row=row, line=self.lines.get(r))
