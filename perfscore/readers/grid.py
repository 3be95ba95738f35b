"""Grids of cells → Forms: the one layout interpreter, for every reader (xlsx, docx, PDF, HTML, text).

:func:`forms_from_grid` walks a :class:`~perfscore.readers.grid_cells.Grid` top to bottom and finds every
form in it, in any position and any number, by what its rows print (:mod:`grid_rows`): a title and a
year, label rows (项目名称, 主管部门及代码, 预算单位 …), then the blocks in any order, each read by its own
module: funding (:mod:`funding_block`), goals (:mod:`goals_block`), indicators (:mod:`indicator_block`),
and the 总分 row with the grade beside it. Columns are mapped by header label, never by position; rows
recovered from text (``Grid.loose_rows``) are placed by content. What the interpreter repairs or cannot
read is a note on the form (:mod:`reading`); a row it trips over costs that row, not the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import Form, FormKind, ReadNote, SourceRef
from perfscore.readers.funding_block import FundingBlock
from perfscore.readers.goals_block import GoalsBlock
from perfscore.readers.grid_cells import Grid, Merge, join_lines, label_key, label_text
from perfscore.readers.grid_labels import (
    ATTACHMENT,
    DEPT_LABELS,
    DEPT_NAME_LABELS,
    GRADE,
    GRADE_KEYS,
    GRADES,
    NAME_LABELS,
    STOP_PREFIXES,
    TITLE_SUFFIX,
    TOTAL_KEYS,
    UNIT_LABELS,
    YEAR,
    YEAR_PAREN,
    funding_header,
    indicator_header,
)
from perfscore.readers.grid_rows import (
    FILLED_BY,
    LEADING_FIGURE,
    ends_table,
    glued_total,
    goal_columns,
    grade_of,
    is_label_row,
    is_name_row,
    opens_form,
    row_text,
    sub_unit,
    title_text,
    year_only,
)
from perfscore.readers.indicator_block import IndicatorBlock
from perfscore.readers.numbers import parse_decimal
from perfscore.readers.reading import Reading

__all__ = [
    "Grid",
    "Merge",
    "forms_from_grid",
    "join_lines",
    "label_key",
    "parse_decimal",
    "read_grid",
]


# --------------------------------------------------------------------------------------- builder


@dataclass
class _Builder:
    """One form while its rows are read: the head (title, labels, year), then its blocks in any order."""

    at: Reading
    first_row: int
    title: str | None = None
    name: str | None = None
    name_label: str | None = None
    department: str | None = None
    unit: str | None = None
    unit_pending: bool = False  # a 预算单位 label printed with no value beside it
    year: int | None = None
    stage: str = "head"  # head, funding, goals, indicators, done
    fund: FundingBlock = field(init=False)
    table: IndicatorBlock = field(init=False)
    goals: GoalsBlock = field(init=False)
    total: Decimal | None = None
    grade: str | None = None

    def __post_init__(self) -> None:
        self.fund = FundingBlock(self.at)
        self.table = IndicatorBlock(self.at)
        self.goals = GoalsBlock(self.at)

    @property
    def grid(self) -> Grid:
        return self.at.grid

    @property
    def notes(self) -> list[ReadNote]:
        return self.at.notes

    @property
    def has_body(self) -> bool:
        return self.fund.started or self.table.ind_map is not None or self.goals.started

    def ref(self, r: int) -> SourceRef:
        return self.at.ref(r)

    # -- head ---------------------------------------------------------------------------------------

    def set_title(self, text: str) -> None:
        text = ATTACHMENT.sub("", label_text(text))
        m = YEAR_PAREN.search(text)
        if m:
            self.year = self.year or int(m.group(1))
            text = (text[:m.start()] + text[m.end():]).strip()
        self.title = text or None

    def label_values(self, r: int) -> None:
        cells = self.grid.distinct(r)
        i = 0
        while i < len(cells):
            _, value = cells[i]
            k = label_key(value)
            inline = None
            if k not in NAME_LABELS | DEPT_LABELS | UNIT_LABELS:
                m = re.match(r"^([^:：]{2,10})\s*[:：]\s*(.+)$", label_text(value))
                if m and label_key(m.group(1)) in NAME_LABELS | DEPT_LABELS | UNIT_LABELS:
                    k, inline = label_key(m.group(1)), m.group(2).strip()
                else:
                    i += 1
                    continue
            if inline is None:
                nxt = cells[i + 1][1] if i + 1 < len(cells) else ""
                if nxt and label_key(nxt) in NAME_LABELS | DEPT_LABELS | UNIT_LABELS:
                    nxt = ""
                else:
                    i += 1
                inline = label_text(nxt) if nxt else None
            i += 1
            if k in NAME_LABELS:
                self.name, self.name_label = inline or self.name, k
            elif k in DEPT_LABELS:
                self.department = inline or self.department
                if i < len(cells) and self.unit is None and sub_unit(self.department, cells[i][1]):
                    # 主管部门及代码 | 001-某部门 | 001001-某单位: the 预算单位 label lost, its value kept
                    self.unit = label_text(cells[i][1])
                    i += 1
            else:
                self.unit = inline or self.unit
                if inline is None:
                    self.unit_pending = True  # the value went to the next row's first cell

    def body_row(self, r: int) -> None:
        """A row inside the form: funding, goals or an indicator, by the stage the form is in."""
        if self.stage == "funding":
            self.fund.row(r)
        elif self.stage == "goals":
            self.goals.row(r)
        elif self.stage == "indicators":
            self.table.row(r)
        elif self.stage == "head" and self.year is None:
            m = YEAR.search(row_text(self.grid, r))
            if m and len(row_text(self.grid, r)) <= 60:
                self.year = int(m.group(1))

    # -- blocks -------------------------------------------------------------------------------------

    def start_funding(self, r: int) -> int:
        self.stage = "funding"
        head = self.grid.distinct(r)
        if self.unit_pending and head and sub_unit(self.department, head[0][1]):
            self.unit = label_text(head[0][1])  # 预算单位 | (wrapped) ⏎ 001001-某单位 | 年初预算数 | …
        return self.fund.start(r)

    def start_indicators(self, r: int) -> int:
        self.stage = "indicators"
        return self.table.start(r)

    def start_goals(self, r: int, exp_col: int, act_col: int) -> None:
        self.stage = "goals"
        self.goals.start(r, exp_col, act_col)

    # -- total --------------------------------------------------------------------------------------

    def total_row(self, r: int) -> int:
        """Read 总分 (and a grade beside it); returns the rows used: a 总分 row with no figure takes them
        from the next row when that row holds nothing else (the cell wrapped onto its own line)."""
        grid = self.grid
        self.stage = "done"
        distinct = grid.distinct(r)[1:]
        if not any(parse_decimal(v)[0] is not None for _, v in distinct) and r + 1 < len(grid):
            below = [v for _, v in grid.distinct(r + 1)]
            if below and parse_decimal(below[0])[0] is not None and len(below) <= 2 and (
                    len(below) == 1 or grade_of(below[1])):
                self.total = self.at.number(glued_total(below[0]), "reported_total", r + 1)
                self.grade = grade_of(below[1]) if len(below) == 2 else None
                return 2
        total_col = None
        score_col = self.table.ind_map.first("score") if self.table.ind_map and r not in grid.loose_rows else None
        if score_col is not None and grid.cell(r, score_col):
            text = grid.cell(r, score_col)
            m = re.match(r"^\s*+([\d.,]++)\s*+(?:分)?\s*+[（(]\s*+([^\s()（）]++)\s*+[)）]\s*+$", text)
            if m and GRADE.match(m.group(2)):
                text, self.grade = m.group(1), GRADES.get(m.group(2), m.group(2))
            value, _ = parse_decimal(text)
            if value is not None:
                self.total = self.at.number(text, "reported_total", r)
                total_col = score_col
        if total_col is None:
            if r in grid.loose_rows:
                # 总分 | 100 | 98.99附件2…: the score ran into the text after the table
                distinct = [(c, m.group(0) if m and parse_decimal(v)[0] is None else v)
                            for c, v in distinct for m in [LEADING_FIGURE.match(v)]]
            numeric = [(c, v) for c, v in distinct if parse_decimal(v)[0] is not None]
            if numeric:
                total_col, text = numeric[-1]
                if r in grid.loose_rows:
                    text = glued_total(text)
                self.total = self.at.number(text, "reported_total", r)
        after = [v for c, v in distinct if total_col is None or c > total_col]
        for v in after[:2]:
            grade = grade_of(v)
            if grade:
                self.grade = self.grade or grade
                break
        return 1

    def grade_row(self, r: int) -> bool:
        distinct = self.grid.distinct(r)
        if not distinct:
            return False
        k = label_key(distinct[0][1])
        if not k.startswith(GRADE_KEYS):
            return False
        inline = grade_of(distinct[0][1])
        for _, v in distinct[1:3]:
            inline = inline or grade_of(v)
        if inline:
            self.grade = self.grade or inline
        return True

    # -- result ---------------------------------------------------------------------------------------

    def build(self, hint: str | None) -> Form | None:
        funding, indicators, ind_map = self.fund.funding, self.table.indicators, self.table.ind_map
        if ind_map is None and funding is None and not indicators:
            if self.first_row not in self.grid.loose_rows or not self.title:
                return None
            # text that names a form but whose tables could not be made out: the form, said to be incomplete
            self.notes.append(ReadNote(code="read-incomplete", source=self.ref(self.first_row),
                                       message="no funding block or indicator table could be read"))
        if funding is not None:
            self.fund.check_total_blank()
        self.table.weight_in_target(funding.total.weight if funding and funding.total else None, self.total)
        if ind_map is None and not indicators and self.has_body:
            self.notes.append(ReadNote(code="read-incomplete", field="indicators", source=self.ref(self.first_row),
                                       message="no indicator table (一级指标/二级指标/三级指标) found"))
        title = self.title or ""
        kind: FormKind = "project"
        if "部门整体" in title or "整体支出" in title or self.name_label in DEPT_NAME_LABELS:
            kind = "department"
        elif "目标完成情况" in title or (ind_map is not None and not ({"weight", "score"} & set(ind_map.fields))):
            kind = "target_report"
        name = self.name
        if not name and self.title:
            derived = TITLE_SUFFIX.sub("", self.title).strip()
            name = derived or None
        if not name:
            name = hint or ""
            self.notes.append(ReadNote(code="read-incomplete", source=self.ref(self.first_row),
                                       message=f"no 项目名称 found; named {name!r}" if name
                                       else "no 项目名称 found"))
        return Form(kind=kind, name=name, title=self.title, department=self.department, unit=self.unit,
                    year=self.year, funding=funding, goals=self.goals.result(), indicators=indicators,
                    reported_total=self.total, reported_grade=self.grade, source=self.ref(self.first_row),
                    read_notes=self.notes)


def forms_from_grid(grid: Grid, *, hint: str | None = None) -> list[Form]:
    """Every form found in ``grid``, top to bottom. ``hint`` names a form that prints no name at all
    (the sheet name, say)."""
    forms: list[Form] = []
    cur: _Builder | None = None

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            form = cur.build(hint)
            if form is not None:
                forms.append(form)
        cur = None

    def start(r: int) -> _Builder:
        nonlocal cur
        finish()
        cur = _Builder(Reading(grid, len(forms) + 1), r)
        return cur

    def ensure(r: int) -> _Builder:
        return cur if cur is not None else start(r)

    r = 0
    n = len(grid)
    while r < n:
        distinct = grid.distinct(r)
        if not distinct:
            r += 1
            continue
        text_row = r in grid.text_rows
        title = title_text(grid, r)
        if title is not None:
            if text_row and cur is not None and cur.stage in ("funding", "goals", "indicators") and (
                    cur.title is not None and label_key(YEAR_PAREN.sub("", title)) == label_key(cur.title)
                    and not opens_form(grid, r + 1)):
                r += 1  # the form's own title repeated as a page header while it continues
                continue
            b = start(r) if cur is None or cur.has_body or cur.name else cur
            b.first_row = r  # a mention above (附件：…自评表, a contents line) is not where the form starts
            b.set_title(title)
            r += 1
            continue
        m = FILLED_BY.search(distinct[0][1]) if text_row else None
        if m and cur is not None and cur.stage == "head" and cur.unit is None:
            cur.unit = m.group("unit")  # 填报单位：（盖章）区委巡察办, above the table
        year = year_only(grid, r)
        if year is not None:
            b = start(r) if cur is None or cur.has_body else cur
            b.year = year
            r += 1
            continue
        if is_name_row(grid, r):
            if cur is None or cur.has_body or cur.name:
                start(r)
            assert cur is not None
            cur.label_values(r)
            r += 1
            continue
        if text_row:
            r += 1
            continue
        if is_label_row(grid, r) and (cur is None or cur.stage in ("head", "done")):
            b = start(r) if cur is None or cur.stage == "done" else cur
            b.label_values(r)
            r += 1
            continue
        if indicator_header(grid, r):
            b = start(r) if cur is None or cur.stage == "done" else cur
            r += b.start_indicators(r)
            continue
        if funding_header(grid, r):
            b = start(r) if cur is None or cur.stage in ("indicators", "done") else cur
            r += b.start_funding(r)
            continue
        if cur is not None and cur.stage in ("head", "funding", "goals"):
            cols = goal_columns(grid, r)
            if cols is not None:
                cur.start_goals(r, *cols)
                r += 1
                continue
        first_key = label_key(distinct[0][1])
        if cur is not None and cur.stage in ("indicators", "goals", "funding") and (
                first_key in TOTAL_KEYS or first_key.startswith("总分")):
            r += cur.total_row(r)
            continue
        if cur is not None and cur.stage in ("indicators", "done") and cur.grade_row(r):
            r += 1
            continue
        if cur is not None and cur.stage != "head" and (first_key.startswith(STOP_PREFIXES) or (
                r in grid.loose_rows and ends_table(distinct[0][1]))):
            cur.stage = "done"
            r += 1
            continue
        if cur is not None and r in grid.loose_rows and (cur.stage in ("head", "done") or (
                cur.stage == "indicators" and len(distinct) <= 3)) and cur.fund.pairs(r):
            # (a checklist form prints 年度预算资金总额: 1084.25 among its indicator rows)
            r += 1
            continue
        if cur is not None:
            try:
                cur.body_row(r)
            except Exception as exc:  # noqa: BLE001 - a row the interpreter cannot make out costs that row, said on its form
                cur.notes.append(ReadNote(code="read-incomplete", source=cur.ref(r),
                                          message=f"row not read: {type(exc).__name__}: {exc}"))
        r += 1
    finish()
    return forms


def read_grid(rows: Sequence[Sequence[object]], *, merges: Iterable[Merge] | None = None,
              file: str | None = None, sheet: str | None = None, page: int | None = None,
              table: int | None = None, hint: str | None = None) -> list[Form]:
    """Forms in one grid of cells (``None`` and blanks are empty; ``merges`` as (r0, c0, r1, c1))."""
    grid = Grid(file=file)
    grid.add_table(rows, merges, sheet=sheet, page=page, table=table)
    return forms_from_grid(grid, hint=hint)
