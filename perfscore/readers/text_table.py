"""Rows and cells of a table extracted to text.

Two layouts are known:

* ``tabs``: one table row per line, cells separated by tabs (PDF-to-text, spreadsheet paste). Cells
  never wrap, but merged cells leave a varying number of empty cells at both ends of a row.
* ``word``: Word-table extraction. Each table row is a block of lines separated by blank lines; each
  cell begins with a tab and may wrap over several lines (``数量\\n指标``) with padding spaces and
  full-width spaces (``　``).

Both are turned into :class:`Row` objects: a list of cleaned cell strings and the 1-based line the row
starts on. Lines outside tables become one-cell rows flagged ``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# Patterns here run on whole lines of untrusted text, so none may backtrack over a run twice: a
# quantifier is possessive (``*+``) where giving characters back cannot help the match, and a run is
# tried from its first character only (a look-behind), which keeps every match linear in the line.
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \u3000\u00a0]++|(?<![ \u00a0])[ \u3000\u00a0]+(?=[{_CJK}])")
_WS = re.compile(r"[\s\u3000\u00a0]+")
_PAD = " \t\r\n\u3000\u00a0"
_ATTACHMENT = re.compile(r"^\s*附件\s*\d")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*+\|?+(?:\s*+:?+-{3,}+:?+\s*+\|)++\s*+:?+-*+:?+\s*+\|?+\s*+$")


@dataclass
class Row:
    cells: list[str]
    line: int
    text: bool = False
    extra: dict = field(default_factory=dict)

    def nonempty(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c]

    def joined(self) -> str:
        return "".join(norm(c) for c in self.cells)

    def first(self) -> str:
        for c in self.cells:
            if c:
                return c
        return ""


def norm(text: str | None) -> str:
    """A label for matching: every kind of whitespace removed."""
    return _WS.sub("", text or "")


def clean_cell(text: str) -> str:
    return (text or "").strip(_PAD).replace("\u3000", " ").replace("\u00a0", " ").strip()


def join_wrapped(parts: list[str]) -> str:
    """Join the lines of a wrapped Word cell: no space between CJK pieces, one space otherwise."""
    out = ""
    for part in parts:
        piece = part.strip(_PAD)
        if not piece:
            continue
        if not out:
            out = piece
        elif re.match(rf"[{_CJK}]", out[-1]) or re.match(rf"[{_CJK}()（）]", piece[0]):
            out += piece
        else:
            out += " " + piece
    # padding inside a cell (``全年  预算数``) is extraction damage when it separates CJK text
    return _CJK_GAP.sub("", out).strip()


def detect_layout(lines: list[str]) -> str:
    """``tabs`` when lines near the title hold several cells, ``pipes`` for a Markdown table, else ``word``
    (one leading tab per cell line).

    Only the first lines are looked at: the running text after a form may carry stray tabs.
    """
    head = [line for line in lines if line.strip(" \r")][:60]
    tabbed = sum(1 for line in head if line.count("\t") >= 2 or re.search(r"\S\t+\S", line))
    if tabbed >= 3:
        return "tabs"
    piped = sum(1 for line in head if _PIPE_ROW.match(line))
    return "pipes" if piped >= 3 else "word"


def _is_blank(line: str) -> bool:
    # a line of full-width spaces is the padding of a wrapped cell, not a row separator
    return not line.strip(" \r\n")


def split_rows(lines: list[str], first_line: int, layout: str) -> list[Row]:
    """Rows of ``lines`` (a slice of the document starting at 1-based ``first_line``)."""
    if layout == "tabs":
        return _split_tabs(lines, first_line)
    if layout == "pipes":
        return _split_pipes(lines, first_line)
    return _split_word(lines, first_line)


def _split_pipes(lines: list[str], first_line: int) -> list[Row]:
    rows: list[Row] = []
    for offset, line in enumerate(lines):
        number = first_line + offset
        if _PIPE_RULE.match(line):
            continue
        if _PIPE_ROW.match(line):
            inner = line.strip().strip("|")
            rows.append(Row([clean_cell(c.replace("<br>", "")) for c in inner.split("|")], number))
        elif line.strip(_PAD):
            rows.append(Row([clean_cell(line)], number, text=True))
    return rows


def _split_tabs(lines: list[str], first_line: int) -> list[Row]:
    rows: list[Row] = []
    for offset, line in enumerate(lines):
        number = first_line + offset
        if "\t" in line:
            rows.append(Row([clean_cell(c) for c in line.split("\t")], number))
        elif line.strip(_PAD):
            rows.append(Row([clean_cell(line)], number, text=True))
    return rows


def _split_word(lines: list[str], first_line: int) -> list[Row]:
    rows: list[Row] = []
    cells: list[list[str]] = []
    start = 0

    def flush() -> None:
        nonlocal cells
        if cells:
            rows.append(Row([join_wrapped(parts) for parts in cells], start))
        cells = []

    for offset, line in enumerate(lines):
        number = first_line + offset
        if _is_blank(line):
            flush()
            continue
        if line.startswith("\t"):
            if not cells:
                start = number
            for piece in line.split("\t")[1:]:
                cells.append([piece])
        elif cells and not _ATTACHMENT.match(line):
            cells[-1].append(line)
        else:
            flush()
            rows.append(Row([clean_cell(line)], number, text=True))
    flush()
    return rows
