"""Text as it really arrives → a :class:`~perfscore.readers.grid_cells.Grid` of *loose* rows.

A copied web page or an extracted PDF keeps the order of a table's cells but rarely its columns: a merged
一级/二级 cell is printed once, empty cells vanish, and the row breaks may be lost too. So this module only
recovers *rows of cells in reading order*; which column each cell belongs to is decided later by the
layout interpreter (:mod:`perfscore.readers.grid`), which aligns loose rows to the header by what the
cells hold (:mod:`perfscore.readers.row_align`).

Cells are separated by ``|`` (pipe and Markdown tables, HTML tables flattened by a browser), by tabs,
or by runs of spaces (``pdftotext -layout``, pages copied as text). A line that holds a single cell is
one cell of a table printed one cell per line; such cells are gathered into rows, a new row starting at
a cell that can only begin one (a header label, a 一级/二级 label, a funding source, 项目名称, 总分 …), and
at a line of bare pipes (``||||``). Markdown rules (``|---|``) and blank lines separate nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from perfscore.readers.grid_cells import Grid, label_key, simplified
from perfscore.readers.grid_labels import (
    DEPT_LABELS,
    GOAL_EXPECTED,
    LEVEL_LABELS,
    NAME_LABELS,
    STOP_PREFIXES,
    TITLE,
    TOTAL_KEYS,
    UNIT_LABELS,
    funding_field,
    indicator_field,
    level_kind,
)
from perfscore.readers.numbers import long_figures
from perfscore.readers.text_glued import glued_cells, is_glued

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_RULE = re.compile(r"^[\s|:\-—=+]*$")
_BARE_PIPES = re.compile(r"^\s*(?:\|\s*){2,}$")
_SPACES = re.compile(r"[ \u3000\u00a0]{2,}|\t")
_SEPARATOR = re.compile(r"[|\t]|[ \u3000\u00a0]{3,}")  # what divides a line into cells, single spaces aside
_WIDE = re.compile(r"[ \u3000\u00a0]{3,}")
_ONE_SPACE = re.compile(r"[ \u3000\u00a0]+")
_VALUE_START = re.compile(r"^[≥≤=<>＞＜≧≦±+\-]?\s*\d")
_LONE_CJK = re.compile(rf"^[{_CJK}]$")
_FUNDING_SOURCES = ("资金总额", "其中", "财政拨款", "上年结转", "其他资金", "本级资金", "地方资金", "中央", "省级",
                    "市级", "县级资金", "财政资金", "结转资金", "专项资金", "自有资金")
_SECTION = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．])")
_STREAM = 300
_NOTE = re.compile(r"^[(（][^()（）]{1,12}[)）]$")
_HEADING = re.compile(r"^#{1,6}\s++")  # a Markdown heading's marks: ## 某某项目支出绩效自评表
_PAGE_MARK = re.compile(r"^[—\-－]\s*\d+\s*[—\-－]$")


def grid_from_text(text: str, file: str | None = None) -> Grid:
    """The loose rows of every table in ``text`` (free text lines become one-cell rows too)."""
    grid = Grid(file=file, figures=long_figures(text))
    lines = re.split(r"\r\n|\r|\n", text)
    if not _word_layout(lines):
        for cells, line in _rows(text):
            grid.add_loose(cells, line=line)
        return grid
    for row, line in _word_rows(lines):
        if row is None:  # running text between the tables: a title, a year, or prose
            grid.add_text([lines[line - 1]])
            grid.lines[len(grid) - 1] = line
        else:
            grid.add_loose(row, line=line)
    return grid


def _word_layout(lines: list[str]) -> bool:
    """A Word table copied as text: each cell on a line of its own behind one tab, wrapped cells running
    on without it, and a blank line after each table row."""
    filled = [line for line in lines if line.strip(" \r\u3000")]
    cells = sum(1 for line in filled if line.startswith("\t") and line.count("\t") == 1)
    return cells >= 20 and cells >= 0.3 * len(filled)


def _word_rows(lines: list[str]) -> Iterator[tuple[list[str] | None, int]]:
    """Rows of a Word table copied as text (see :func:`_word_layout`); None for a line of running text."""
    cells: list[list[str]] = []
    start = 0
    for number, line in enumerate(lines, 1):
        if not line.strip(" \r"):  # a line of full-width spaces pads a wrapped cell: no row break
            if cells:
                yield [c for c in (_join_wrapped(parts) for parts in cells) if c], start
            cells = []
        elif line.startswith("\t"):
            start = start if cells else number
            cells.extend([piece] for piece in line.split("\t")[1:])
        elif cells:
            cells[-1].append(line)
        elif _clean(line):
            yield None, number
    if cells:
        yield [c for c in (_join_wrapped(parts) for parts in cells) if c], start


_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \u3000\u00a0]++|(?<![ \u00a0])[ \u3000\u00a0]+(?=[{_CJK}])")


def _join_wrapped(parts: list[str]) -> str:
    """The lines of a wrapped cell as one: no space between CJK pieces (数量\n指标), one space otherwise;
    padding between CJK characters (全年  预算数) is extraction damage and goes."""
    out = ""
    for part in parts:
        piece = part.strip(" \t\r\u3000\u00a0")
        if not piece:
            continue
        if out and not (re.match(rf"[{_CJK}]", out[-1]) or re.match(rf"[{_CJK}()（）]", piece[0])):
            out += " "
        out += piece
    return _clean(_CJK_GAP.sub("", out))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines; a document whose cells were glued together gives one line per recovered cell."""
    lines = re.split(r"\r\n|\r|\n", text)
    glued = next((k for k, line in enumerate(lines) if not _SEPARATOR.search(line) and is_glued(line)), None)
    for number, line in enumerate(lines[:glued], 1):
        if len(line) > 120 and _SEPARATOR.search(line):
            yield from _glued_cell(number, line)
        elif len(line) > _STREAM and "\t" not in line and "|" not in line:
            # a whole table run into one line (PDF text): its cells, to be gathered into rows again
            for cell in split_cells(line):
                yield number, cell
        else:
            yield number, line
    if glued is not None:
        for cell in glued_cells("\n".join(lines[glued:])):
            yield glued + 1, cell


def _glued_cell(number: int, line: str) -> Iterator[tuple[int, str]]:
    """A row (cells between pipes, tabs or wide spaces) one of whose cells holds a whole glued table (a
    page's 内容概述 field): the cells before it, the glued table's own cells, the cells after it."""
    sep = "|" if "|" in line else "\t" if "\t" in line else None
    parts = line.split(sep) if sep else _WIDE.split(line)
    at = next((k for k, part in enumerate(parts) if is_glued(part)), None)
    if at is None:
        yield number, line
        return
    join = sep or "   "
    if any(p.strip() for p in parts[:at]):
        yield number, join.join(parts[:at]) + join
    for cell in glued_cells(parts[at]):
        yield number, cell
    if any(p.strip() for p in parts[at + 1:]):
        yield number, join + join.join(parts[at + 1:])


def _rows(text: str) -> Iterator[tuple[list[str], int]]:
    pending: list[str] = []
    start = 0
    for number, raw in _lines(text):
        line = _HEADING.sub("", raw.strip())
        if not line or _PAGE_MARK.match(line):
            continue
        if _BARE_PIPES.match(line):
            if pending:
                yield pending, start
                pending = []
            continue
        if "|" in line and _RULE.match(line):
            continue  # a Markdown rule, or a lone "|" between cells printed one per line
        cells = split_cells(line)
        if pending and cells and _unfinished(pending[-1]):
            # a label wrapped inside its cell (效益指 / 标(30 / 分)): its pieces are one cell
            cells[0] = pending.pop() + cells[0]
            if len(cells) > 1 and pending:
                yield pending, start
                pending = []
        if len(cells) != 1:
            if pending:
                yield pending, start
                pending = []
            if cells:
                yield cells, number
            continue
        cell = cells[0]
        if pending and _NOTE.match(cell):
            pending[-1] += cell  # (万元), (定量指标): a note printed under the cell it belongs to
            continue
        if pending and _starts_row(cell, pending):
            carried = []
            if _is_header(label_key(cell)) and len(pending) > 2 and _caption(pending[-1]):
                carried = [pending.pop()]  # the caption of the header that starts here
            yield pending, start
            pending = carried
        if not pending:
            start = number
        pending.append(cell)
    if pending:
        yield pending, start


def split_cells(line: str) -> list[str]:
    """The non-empty cells of one line: by pipes, else tabs or runs of spaces, else (between a value and
    its neighbours) single spaces; letters spaced out for print (``产 出 指 标``) are joined back."""
    if "|" in line:
        parts = line.split("|")
    elif "\t" in line:
        parts = line.split("\t")  # tabs are the separators: spaces inside a cell are its own
    elif _SPACES.search(line):
        parts = [p for chunk in _SPACES.split(line) for p in _split_values(chunk)]
    else:
        parts = _split_values(line)
    cells = [_clean(p) for p in parts]
    if "\t" in line and "|" not in line:
        # a tab line keeps its columns: an empty cell between two filled ones stays, as "" (年初指标值 blank)
        filled = [k for k, c in enumerate(cells) if c]
        return cells[filled[0]:filled[-1] + 1] if filled else []
    return [c for c in cells if c]


def _split_values(chunk: str) -> list[str]:
    """Split on single spaces only around values (``372.29万元 372.29万元 100%``), keeping words whole."""
    words = _ONE_SPACE.split(chunk.strip())
    if len(words) < 2:
        return words
    out: list[str] = []
    for word in words:
        if out and _joins(out[-1], word):
            sep = " " if out[-1][-1:].isascii() and word[:1].isascii() else ""
            out[-1] = out[-1] + sep + word
        else:
            out.append(word)
    return out


def _joins(left: str, right: str) -> bool:
    """Do two space-separated words belong to one cell?"""
    if _LONE_CJK.match(left[-1:]) and len(right) == 1 and _LONE_CJK.match(right):
        return True  # 产 出 指 标
    if left.count("(") + left.count("（") > left.count(")") + left.count("）"):
        return True  # a note in brackets wrapped at a space: 得分(20 分*执行率)
    if _is_value(right) or _is_value(left):
        return False
    if right.startswith(("(", "（")) or left.endswith(("(", "（", "、", "，", ",")):
        return True
    return label_key(right) in ("指标", "指标值")  # 一级 指标, 经济效益 指标


def _is_value(word: str) -> bool:
    """A figure with at most a unit or a short note (``372.29万元``), not a sentence that starts with one."""
    return len(word) <= 16 and bool(_VALUE_START.match(word))


def _clean(cell: str) -> str:
    cell = cell.strip(" \t\u3000\u00a0")
    if cell in ("R", "□", "☑", "√"):
        return ""
    return cell


def _starts_row(cell: str, pending: list[str]) -> bool:
    """Can ``cell``, printed on a line of its own, only be the first cell of a row?"""
    key = label_key(cell)
    if not key:
        return False
    header = _is_header(key)
    pending_header = all(_is_header(label_key(c)) for c in pending[1:]) and (
        len(pending) > 1 or _is_header(label_key(pending[0])))
    if key in ("备注", "说明") and pending_header:
        return False  # the last cell of a header row
    if _SECTION.match(cell) or key in ("序号", "编号") or key.startswith(STOP_PREFIXES) or cell.startswith(
            ("注:", "注：")):
        return True
    if header:
        # a caption may precede the header cells (项目资金 | 年初预算数 | …)
        return not (pending_header or (len(pending) == 1 and len(pending[0]) <= 20 and not _VALUE_START.match(
            pending[0])))
    if pending_header and len(pending) > 1:
        return True  # the header row is over
    if key in NAME_LABELS or key in DEPT_LABELS or key in UNIT_LABELS or key in GOAL_EXPECTED:
        return True
    if key in TOTAL_KEYS or key.startswith("总分"):
        return True
    if level_kind(cell) is not None:
        return True
    if any(key.startswith(s) or key.endswith(s) for s in _FUNDING_SOURCES) and not _VALUE_START.match(cell):
        return len(key) <= 20
    return bool(TITLE.search(simplified(cell))) and len(key) <= 60


def _unfinished(cell: str) -> bool:
    """A piece of a cell that wrapped onto the next line: an open bracket, or the start of a label word."""
    if cell.count("(") + cell.count("（") > cell.count(")") + cell.count("）"):
        return True
    key = label_key(cell)
    return len(key) >= 2 and level_kind(cell) is None and not _is_header(key) and any(
        word.startswith(key) and word != key for word in _WRAPPED_WORDS)


_WRAPPED_WORDS = frozenset(LEVEL_LABELS | {"一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                                          "偏差原因分析"})


def _caption(cell: str) -> bool:
    """A block caption printed before its header cells: 项目资金(万元), 预算执行情况(万元)(20分)."""
    return len(cell) <= 24 and not _VALUE_START.match(cell) and bool(re.search(r"万元|资金|预算|情况", cell))


def _is_header(key: str) -> bool:
    if not key:
        return False
    return funding_field(key) not in (None, "deviation_reason") or indicator_field(key) not in (
        None, "deviation_reason") or key.startswith(("偏差", "未完成原因"))

