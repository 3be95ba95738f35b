"""Which kind of row a grid row is (a title, a year, a 项目名称 or 主管部门 row, the goals header, the end
of a table) and the small readings of single cells the layout walk needs (a grade, a glued 总分, a
unit's code under its department's). Pure functions of the grid: the walk in :mod:`grid` decides.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from perfscore.readers.grid_cells import Grid, label_key, label_text, simplified
from perfscore.readers.grid_labels import (
    DEPT_LABELS,
    GOAL_EXPECTED,
    GRADE,
    GRADES,
    NAME_LABELS,
    STOP_PREFIXES,
    TITLE,
    UNIT_LABELS,
    YEAR_ONLY,
    funding_header,
)
from perfscore.readers.numbers import parse_decimal
from perfscore.readers.row_align import splits

FILLED_BY = re.compile(r"填报单位\s*+[:：]\s*+(?:[（(]\s*+盖章\s*+[)）])?+\s*+(?P<unit>[^\s（()]++)")
LEADING_FIGURE = re.compile(r"^\d{1,3}(?:\.\d{1,2})?(?=[^\d.%])")


def sub_unit(department: str | None, cell: str) -> bool:
    """Is ``cell`` a 预算单位 under ``department`` by its code (001-某部门 → 001001-某单位)?"""
    dept = re.match(r"^(\d{2,})\s*[-－—]", department or "")
    unit = re.match(r"^(\d{2,})\s*[-－—]", cell.strip())
    return bool(dept and unit and unit.group(1) != dept.group(1) and unit.group(1).startswith(dept.group(1)))


def glued_total(text: str) -> str:
    """总分 glued to the weight total in front of it (``10098``: 100 | 98) is the second number."""
    value = parse_decimal(text)[0]
    if value is not None and value > 100:
        pairs = [p for p in splits(text, 2) if p[0] == "100" and Decimal(p[1]) <= 100]
        if len(pairs) == 1:
            return pairs[0][1]
    return text


def grade_of(text: str) -> str | None:
    t = simplified(label_text(text))
    t = re.sub(r"^(自评等级|评价等级|绩效等级|评定等级|等级|自评结果|评价结果)\s*[:：]?\s*", "", t)
    t = re.sub(r"\s+", "", t)
    return GRADES.get(t, t) if GRADE.match(t) else None


def goal_columns(grid: Grid, r: int) -> tuple[int, int] | None:
    exp = act = None
    for c, v in grid.distinct(r):
        k = label_key(v)
        if act is None and exp is not None and (k.startswith("实际完成") or (
                r in grid.loose_rows and "完成情况" in k and len(k) <= 16)):
            act = c
        elif act is None and (k in GOAL_EXPECTED or (r in grid.loose_rows and exp is None and k.endswith("目标")
                                                     and len(k) <= 10)):
            exp = c
    if exp is not None and act is not None:
        return exp, act
    return None


_SECTION = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]"
                      r"|第[一二三四五六七八九十]{1,3}[部章节])")


def ends_table(first: str) -> bool:
    """A row of text that closes the table it follows: a section heading of the report around it
    ("（三）存在的问题", "四、…"), or the header of another table (序号 | …)."""
    return bool(_SECTION.match(first)) or label_key(first) in ("序号", "编号") or first.startswith(("注:", "注："))


def row_text(grid: Grid, r: int) -> str:
    return " ".join(v for _, v in grid.distinct(r))


def title_text(grid: Grid, r: int) -> str | None:
    cells = grid.distinct(r)
    if not cells or (len(cells) > 3 and r not in grid.loose_rows):
        return None
    text = label_text(cells[0][1])
    if len(text) > 80 or not TITLE.search(simplified(text)):
        return None
    if label_key(text).startswith(STOP_PREFIXES):
        return None
    return text


def year_only(grid: Grid, r: int) -> int | None:
    cells = grid.distinct(r)
    if r in grid.text_rows and cells:
        # a line above the table that ends in the year: 填报单位：（盖章）区委巡察办      （2023年度）
        cells = [(0, re.split(r"\s{2,}|\u3000", cells[0][1].strip())[-1])]
    if not cells or len(cells) > 2:
        return None
    for _, v in cells:
        m = YEAR_ONLY.match(unicodedata.normalize("NFKC", label_text(v)))
        if m:
            return int(m.group(1))
    return None


_LABEL_COLON = re.compile(r"^([^:：]{2,10})\s*[:：]")


@functools.lru_cache(maxsize=1 << 14)
def names_form(value: str) -> bool:
    """Is this cell a 项目名称 label (alone, or as "项目名称：…")?"""
    if label_key(value) in NAME_LABELS:
        return True
    m = _LABEL_COLON.match(value.strip())
    return bool(m and label_key(m.group(1)) in NAME_LABELS)


def is_name_row(grid: Grid, r: int) -> bool:
    return any(names_form(v) for _, v in grid.distinct(r))


def is_label_row(grid: Grid, r: int) -> bool:
    return any(label_key(v) in DEPT_LABELS | UNIT_LABELS for _, v in grid.distinct(r))


def opens_form(grid: Grid, r: int) -> bool:
    """Does the next table row from r start a form (name, label or funding header rows)?"""
    while r < len(grid) and (r in grid.text_rows or not grid.distinct(r)):
        r += 1
    if r >= len(grid):
        return False
    return is_name_row(grid, r) or is_label_row(grid, r) or funding_header(grid, r) or (
        title_text(grid, r) is not None)
