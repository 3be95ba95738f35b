"""Grids of cells → Forms: the layout walk shared by the Excel, Word and PDF readers.

:func:`forms_from_grid` finds every form in a :class:`~perfscore.readers.grid_cells.Grid`, in any position
and any number per grid, by the labels the forms print (:mod:`perfscore.readers.grid_labels`):

* a title row (``…项目支出绩效自评表``, ``部门整体支出绩效自评表``, ``…绩效目标完成情况表``) and a year
  (``(2023年度)``), both optional;
* label/value rows (项目名称, 主管部门及代码, 预算单位/实施单位, 预算部门名称, …);
* the funding block, found by its header (年初预算数 [目标申报数 | 预算编制数], 全年预算数, 全年执行数,
  资金结(转)余, 分值, 执行率, 得分, 偏差原因…; or 预算数/执行数), one row per source, the first row
  (资金总额 / 年度资金总额) being the total;
* the goals block (年度目标 / 预期目标 | 实际完成情况) and its text rows;
* the indicator block, found by its header (一级指标 | 二级指标 | 三级指标 | …), one row per 三级指标,
  a blank or merged 一级/二级 cell meaning "same as above";
* the 总分 row with the grade beside it (in the next cell or two cells later).

Columns are mapped by header label, never by position, so extra columns (度量单位, 指标性质, a leading
caption column) and missing ones (a single 年度指标值 column) are handled. Cell text and numbers are read
by :mod:`perfscore.readers.grid_cells`. Repairs and gaps leave a :class:`~perfscore.model.ReadNote`:
``repair-number`` (separators in impossible places dropped), ``repair-label-shift`` (a 三级/二级 label in
the wrong column put back), ``read-incomplete`` (a number that cannot be read, a form without a name).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import Form, Funding, FundingRow, Goals, Indicator, ReadNote, SourceRef
from perfscore.readers.grid_cells import (
    Grid,
    Merge,
    join_lines,
    label_key,
    label_text,
    level_label,
    simplified,
)
from perfscore.readers.grid_labels import (
    ATTACHMENT,
    DEPT_LABELS,
    DEPT_NAME_LABELS,
    FUNDING_POINTS,
    GOAL_EXPECTED,
    GRADE,
    GRADES,
    GRADE_KEYS,
    INLINE_AMOUNT,
    NAME_LABELS,
    STOP_PREFIXES,
    TITLE,
    TITLE_SUFFIX,
    TOTAL_KEYS,
    UNIT_IN_CAPTION,
    UNIT_LABELS,
    YEAR,
    YEAR_ONLY,
    YEAR_PAREN,
    ColumnMap,
    funding_field,
    funding_header,
    indicator_field,
    indicator_header,
    looks_like_level,
    match_header,
)
from perfscore.readers.levels import Levels
from perfscore.readers.numbers import is_garbled, parse_decimal, repair
from perfscore.readers.row_align import align_funding, align_indicators, indicator_fields, label_of, splits

__all__ = [
    "Grid",
    "Merge",
    "forms_from_grid",
    "read_grid",
    "parse_decimal",
    "label_key",
    "join_lines",
]


# --------------------------------------------------------------------------------------- builder


@dataclass
class _Builder:
    grid: Grid
    first_row: int
    index: int
    title: str | None = None
    name: str | None = None
    name_label: str | None = None
    department: str | None = None
    unit: str | None = None
    year: int | None = None
    stage: str = "head"  # head, funding, goals, indicators, done
    fund_map: ColumnMap | None = None
    fund_labels: list[int] = field(default_factory=list)
    fund_pair: dict[str, int] | None = None
    fund_pair_label: int | None = None
    fund_sub: list[str] = field(default_factory=list)
    blank_total: FundingRow | None = None  # a 资金总额 row printed with no figure
    unit_pending: bool = False  # a 预算单位 label printed with no value beside it
    fund_more: list[str] = field(default_factory=list)  # columns named only on the 目标申报数 row
    fund_weight: Decimal | None = None  # 分值 printed in the header ((20分), 得分(20分*执行率)), not in a column
    funding: Funding | None = None
    goals: Goals | None = None
    goal_cols: tuple[int, int] | None = None
    goal_parts: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    ind_map: ColumnMap | None = None
    indicators: list[Indicator] = field(default_factory=list)
    levels: Levels = field(default_factory=Levels)
    total: Decimal | None = None
    grade: str | None = None
    notes: list[ReadNote] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return self.fund_map is not None or self.fund_pair is not None or self.ind_map is not None or (
            self.goal_cols is not None)

    def ref(self, r: int) -> SourceRef:
        return self.grid.ref(r, self.index)

    def number(self, text: str, fieldname: str, r: int, raw: dict[str, str] | None = None,
               key: str | None = None) -> Decimal | None:
        value, status = parse_decimal(text)
        if status == "repaired":
            self.notes.append(ReadNote(code="repair-number", field=fieldname, source=self.ref(r),
                                       message=f"number {text!r} read as {format(value, 'f')}"))  # type: ignore[arg-type]
        elif status == "unreadable":
            self.notes.append(ReadNote(code="read-incomplete", field=fieldname, source=self.ref(r),
                                       message=f"cannot read {text!r} as a number"))
        if status and raw is not None and key:
            raw[key] = text
        return value

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
            c, value = cells[i]
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
                if i < len(cells) and self.unit is None and _sub_unit(self.department, cells[i][1]):
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
            self.funding_row(r)
        elif self.stage == "goals":
            self.goal_row(r)
        elif self.stage == "indicators":
            self.indicator_row(r)
        elif self.stage == "head" and self.year is None:
            m = YEAR.search(_row_text(self.grid, r))
            if m and len(_row_text(self.grid, r)) <= 60:
                self.year = int(m.group(1))

    # -- funding ------------------------------------------------------------------------------------

    def start_funding(self, r: int) -> int:
        grid = self.grid
        self.stage = "funding"
        head = grid.distinct(r)
        if self.unit_pending and head and _sub_unit(self.department, head[0][1]):
            self.unit = label_text(head[0][1])  # 预算单位 | (wrapped) ⏎ 001001-某单位 | 年初预算数 | …
        self.funding = self.funding or Funding()
        distinct = grid.distinct(r)
        caption = ""
        cmap = match_header(grid, r, funding_field)
        value_cols = sorted(c for cols in cmap.fields.values() for c in cols)
        first_value = value_cols[0] if value_cols else 0
        for c, v in distinct:
            if c < first_value:
                caption = v
                break
        m = UNIT_IN_CAPTION.search(unicodedata.normalize("NFKC", " ".join(v for _, v in distinct)))
        if m:
            self.funding.unit = m.group(1)
        above = [v for _, v in grid.distinct(r - 1)] if r and r - 1 in grid.loose_rows else []
        m = FUNDING_POINTS.search(unicodedata.normalize("NFKC", " ".join([*above, *(v for _, v in distinct)])))
        if m:
            self.fund_weight = Decimal(m.group(1) or m.group(2))
        # Pair layout (预算数: | 89.496 | 执行数: | 89.496): the values sit beside the labels.
        pair: dict[str, int] = {}
        for i, (c, v) in enumerate(distinct):
            name = funding_field(label_key(v))
            if name in ("annual_budget", "executed") and i + 1 < len(distinct):
                nc, nv = distinct[i + 1]
                if parse_decimal(nv)[0] is not None and funding_field(label_key(nv)) is None:
                    pair[name] = nc
                    if name == "annual_budget":
                        self.fund_pair_label = c
        if pair:
            self.fund_pair = pair
            label = join_lines(caption)
            label = UNIT_IN_CAPTION.sub("", unicodedata.normalize("NFKC", label)).strip() or "资金总额"
            self.add_funding_row(r, label, {k: grid.cell(r, c) for k, c in pair.items()})
            return 1
        self.fund_map = cmap
        self.fund_labels = [c for c in range(first_value)]
        if r in grid.loose_rows and r + 1 in grid.loose_rows and "initial_budget" in cmap.fields:
            # 年初预算数 over 目标申报数 | 预算编制数, printed as a row of its own (alone, or with the
            # header's other columns printed again, and a caption in front)
            below = [v for v in grid.cells[r + 1] if v]
            sub = [funding_field(label_key(v)) for v in below]
            split = [name for name in sub if name in ("target_declared", "budget_compiled")]
            if split and all(name is not None for name in sub[1:]) and not any(
                    parse_decimal(v)[0] is not None for v in below):
                self.fund_sub = split
                self.fund_more = [name for name in sub if name and name not in cmap.fields and name not in split]
                return 2
        return cmap.header_rows

    def funding_row(self, r: int) -> None:
        grid = self.grid
        if self.fund_pair is not None and r in grid.loose_rows:
            # label | amount pairs with the columns lost: the first amount is budgeted, the second spent
            cells = grid.cells[r]
            amounts = [v for v in cells[1:] if parse_decimal(v)[0] is not None]
            if cells and parse_decimal(cells[0])[0] is None and amounts:
                names = sorted(self.fund_pair, key=lambda name: self.fund_pair[name])  # type: ignore[index]
                self.add_funding_row(r, cells[0], dict(zip(names, amounts, strict=False)))
            return
        if self.fund_pair is not None:
            label_col = self.fund_pair_label if self.fund_pair_label is not None else 0
            label = grid.cell(r, label_col)
            if not label:
                for c, v in grid.distinct(r):
                    if c < min(self.fund_pair.values()):
                        label = v
            self.add_funding_row(r, label, {k: grid.cell(r, c) for k, c in self.fund_pair.items()})
            return
        assert self.fund_map is not None
        if r in grid.loose_rows:
            if self.inline_amounts(r):
                return
            label, rest = label_of(grid.cells[r])
            rest, repaired = self.repair_garbled(rest)
            order = sorted(self.fund_map.fields, key=lambda name: self.fund_map.fields[name][0])  # type: ignore[union-attr]
            if self.fund_sub:
                at = order.index("initial_budget")
                order[at:at + 1] = self.fund_sub
                order += self.fund_more
            placed = align_funding(rest, order)
            if not placed and _clean_fund_label(label) in ("资金总额", "年度资金总额"):
                self.add_funding_row(r, label, {})  # the total row printed with no figure
            row = self.add_funding_row(r, label, placed) if placed else None
            if row is None:
                return
            where = "funding.total" if row is self.funding.total else (  # type: ignore[union-attr]
                f"funding.breakdown[{len(self.funding.breakdown) - 1}]")  # type: ignore[union-attr]
            for name, text in placed.items():
                if text in repaired:
                    row.raw[name] = repaired[text][0]
                    self.notes.append(ReadNote(code="repair-number", field=f"{where}.{name}", source=self.ref(r),
                                               message=f"printed {repaired[text][0]!r} read as {text} "
                                                       f"({repaired[text][1]})"))
            printed = [v for v in rest if v.strip() and v in placed.values()]
            amounts = [f for f in order if f in placed or f in _AMOUNT_FIELDS]
            if list(placed) != [f for f in amounts if f in placed] or list(placed.values()) != printed or (
                    [f for f in amounts if f != "deviation_reason"][:len(placed)] != list(placed)):
                self.notes.append(ReadNote(
                    code="repair-funding-shift", field=where, source=self.ref(r),
                    message="figures placed where the amounts add up: " + ", ".join(
                        f"{name} {text}" for name, text in placed.items())))
            return
        label = ""
        for c in self.fund_labels:
            v = grid.cell(r, c)
            # the block caption merged down over the rows is not a label
            if v and not grid.covered_from_left(r, c) and not grid.covered_from_above(r, c):
                label = v
                break
        values: dict[str, str] = {}
        for name, cols in self.fund_map.fields.items():
            for c in cols:
                v = grid.cell(r, c)
                if v:
                    values[name] = v
                    break
        amounts = {k: v for k, v in values.items() if k != "deviation_reason"}
        if not any(parse_decimal(v)[0] is not None for v in amounts.values()):
            if self.inline_amounts(r):
                return
            clean = _clean_fund_label(label)
            if not clean or clean.endswith("分"):
                return  # "其中：", "按收入性质分：": headings, not rows
            if amounts and not any(re.search(r"\d", v) for v in amounts.values()):
                return  # words in the amount columns (a second heading column), no figures at all
        self.add_funding_row(r, label, values)

    def inline_amounts(self, r: int) -> bool:
        """其中 rows printed inside their cells (其中：一般公共预算：321.013328 | 其中：基本支出：241.024804)."""
        cells = [v for _, v in self.grid.distinct(r)]
        if any(parse_decimal(v)[0] is not None for v in cells):
            return False
        inline = [m for m in (INLINE_AMOUNT.match(join_lines(v)) for v in cells) if m]
        for m in inline:
            self.add_funding_row(r, m.group("label"), {"annual_budget": m.group("num")})
        return bool(inline)

    def repair_garbled(self, cells: list[str]) -> tuple[list[str], dict[str, tuple[str, str]]]:
        """Garbled amounts (``79.98852.24``) read by the figures beside them and in the document's text;
        returns the cells with each repaired and, by the value now printed, (what was printed, why)."""
        near = [v for v in (parse_decimal(c)[0] for c in cells if not is_garbled(c)) if v is not None]
        out: list[str] = []
        repaired: dict[str, tuple[str, str]] = {}
        for cell in cells:
            if is_garbled(cell) and parse_decimal(cell)[1] == "unreadable":
                value, why = repair(cell, near, None, self.grid.figures)
                if value is not None:
                    text = format(value, "f")
                    repaired[text] = (cell, why)
                    cell = text
            out.append(cell)
        return out, repaired

    def add_funding_row(self, r: int, label: str, values: dict[str, str]) -> FundingRow | None:
        assert self.funding is not None
        clean = _clean_fund_label(label)
        is_total = self.funding.total is None and not self.funding.breakdown and self.blank_total is None and (
            not re.match(r"^\s*其中", label_text(label)))
        if not is_total and self.funding.total is None and re.search(r"总额|合计|总计", clean):
            is_total = True
        where = "funding.total" if is_total else f"funding.breakdown[{len(self.funding.breakdown)}]"
        row = FundingRow(label=clean, source=self.ref(r))
        for name, text in values.items():
            if name == "deviation_reason":
                row.deviation_reason = text.strip() or None
            else:
                setattr(row, name, self.number(text, f"{where}.{name}", r, row.raw, name))
        empty = all(getattr(row, n) is None for n in (
            "target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance",
            "weight", "execution_rate", "score", "deviation_reason"))
        if is_total and row.weight is None and self.fund_weight is not None and not empty:
            row.weight = self.fund_weight
        if is_total:
            if empty and clean in ("资金总额", "年度资金总额", ""):
                # a placeholder total with nothing in it: kept only if a 其中 row holds the amounts
                self.blank_total = row
                return None
            self.funding.total = row
        else:
            self.funding.breakdown.append(row)
        return row

    def funding_pairs(self, r: int) -> bool:
        """Funding figures printed as label | amount pairs among the form's particulars (计划安排资金(万元) |
        1088.00 | 实际到位资金(万元) | 1020.02, then 实际支出(万元) | 1020.02): each fills the total row once."""
        cells = [v for _, v in self.grid.distinct(r)]
        found = False
        for label, value in zip(cells, cells[1:], strict=False):
            name = funding_field(label_key(label))
            if name not in ("annual_budget", "executed") or parse_decimal(value)[0] is None:
                continue
            self.funding = self.funding or Funding()
            total = self.funding.total or FundingRow(label="资金总额", source=self.ref(r))
            if getattr(total, name) is None:
                setattr(total, name, self.number(value, f"funding.total.{name}", r, total.raw, name))
                self.funding.total = total
                found = True
        return found

    # -- goals --------------------------------------------------------------------------------------

    def start_goals(self, r: int, exp_col: int, act_col: int) -> None:
        self.stage = "goals"
        self.goals = self.goals or Goals()
        self.goal_cols = (exp_col, act_col)
        grid = self.grid
        # inline: 年度目标 | text | 实际完成情况 | text
        distinct = grid.distinct(r)
        exp = [v for c, v in distinct if exp_col < c < act_col]
        act = [v for c, v in distinct if c > act_col]
        if exp or act:
            self.goal_parts[0].extend(exp[:1])
            self.goal_parts[1].extend(act[:1])

    def goal_row(self, r: int) -> None:
        assert self.goal_cols is not None
        exp_col, act_col = self.goal_cols
        grid = self.grid
        if r in grid.loose_rows:
            cells = [v for _, v in grid.distinct(r)]
            half = (len(cells) + 1) // 2
            self.goal_parts[0].append(" ".join(cells[:half]))
            self.goal_parts[1].extend([" ".join(cells[half:])] if cells[half:] else [])
            return
        for part, lo, hi in ((self.goal_parts[0], exp_col, act_col), (self.goal_parts[1], act_col, 10 ** 6)):
            for c in range(lo, min(hi, len(grid.cells[r]))):
                v = grid.cell(r, c)
                if not v or grid.covered_from_left(r, c) and c != lo:
                    continue
                if grid.covered_from_above(r, c):
                    break
                part.append(v)
                break

    # -- indicators ---------------------------------------------------------------------------------

    def start_indicators(self, r: int) -> int:
        self.stage = "indicators"
        self.ind_map = match_header(self.grid, r, indicator_field)
        return self.ind_map.header_rows

    def indicator_row(self, r: int) -> None:
        grid = self.grid
        cmap = self.ind_map
        assert cmap is not None
        if r in grid.loose_rows:
            order = sorted(cmap.fields, key=lambda name: cmap.fields[name][0])
            before: list[tuple[str, str]] = []
            for values in align_indicators(grid.cells[r], indicator_fields(order)):
                if _fragment(values):
                    continue
                if set(values) <= {"level1", "level2"}:
                    # labels alone, the line's indicator still to come: 质量指标 | 时效指标 | 督查工作完成率
                    before += [(k, level_label(v)) for k, v in values.items()]
                    continue
                self.add_indicator(r, values, None, None, before)
                before = []
            if before:
                self.levels.caption(before)
            return
        values: dict[str, str] = {}
        for name, cols in cmap.fields.items():
            for c in cols:
                v = grid.cell(r, c)
                if v:
                    values[name] = v
                    break
        for name in ("weight", "score"):
            c = cmap.first(name)
            origin = grid.covered.get((r, c)) if c is not None else None
            if origin is not None and origin[0] < r and values.get(name) == grid.cell(r, c):
                # one 分值/得分 merged down a 二级 group: the group's figure, read once on its first row
                del values[name]
                if origin[0] + 1 == r:
                    self.notes.append(ReadNote(
                        code="repair-merged-score", field=f"indicators[{len(self.indicators) - 1}].{name}",
                        source=self.ref(origin[0]),
                        message=f"{'分值' if name == 'weight' else '得分'} {grid.cell(r, c)} is printed once for the "
                                "rows its cell spans; it is kept on the first of them"))
        self.add_indicator(r, values, cmap.first("level1"), cmap.first("level2"))

    def add_indicator(self, r: int, values: dict[str, str], c1: int | None, c2: int | None,
                      before: list[tuple[str, str]] | None = None) -> None:
        """One indicator row from its cells by field (``c1``/``c2``: the 一级/二级 columns of a table;
        ``before``: labels printed earlier on the same line of text, as (slot, text))."""
        grid = self.grid
        l1 = level_label(values.pop("level1", ""))
        l2 = level_label(values.pop("level2", ""))
        l3 = label_text(values.pop("level3", ""))
        # a label repeated from a merged cell above was not printed here: the row continues its group
        printed = [*(before or []), *((slot, text) for slot, text, c in (("level1", l1, c1), ("level2", l2, c2))
                                      if text and not (c is not None and grid.covered_from_above(r, c)))]
        if not values and not l3:
            self.levels.caption(printed)  # a label-only row (一级 caption on its own row) heads what follows
            return
        index = len(self.indicators)
        if not l3:
            for k in (1, 0) if len(printed) > 1 or not printed else (0,):
                if k < len(printed) and not looks_like_level(printed[k][1]):
                    l3 = printed.pop(k)[1]
                    break
            if l3:
                self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level3",
                                           source=self.ref(r),
                                           message=f"三级指标 {l3!r} printed in the 一级/二级 column"))
            else:
                self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level3",
                                           source=self.ref(r), message="row has values but no 三级指标"))

        def note(name: str, message: str) -> None:
            self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].{name}",
                                       source=self.ref(r), message=message))

        ref = self.ref(r)
        level1, level2 = self.levels.row(printed, ref.line or ref.row or r + 1, note, name=l3,
                                         columns=r not in grid.loose_rows)
        ind = Indicator(level1=level1, level2=level2, level3=l3, source=self.ref(r))
        for name in ("initial_target", "adjusted_target", "actual", "deviation_reason", "measure_unit",
                     "nature"):
            if name in values:
                setattr(ind, name, values[name])
        for name in ("weight", "score"):
            if name in values:
                setattr(ind, name, self.number(values[name], f"indicators[{index}].{name}", r))
        self.indicators.append(ind)

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
                    len(below) == 1 or _grade(below[1])):
                self.total = self.number(_glued_total(below[0]), "reported_total", r + 1)
                self.grade = _grade(below[1]) if len(below) == 2 else None
                return 2
        total_col = None
        score_col = self.ind_map.first("score") if self.ind_map and r not in grid.loose_rows else None
        if score_col is not None and grid.cell(r, score_col):
            text = grid.cell(r, score_col)
            m = re.match(r"^\s*+([\d.,]++)\s*+(?:分)?\s*+[（(]\s*+([^\s()（）]++)\s*+[)）]\s*+$", text)
            if m and GRADE.match(m.group(2)):
                text, self.grade = m.group(1), GRADES.get(m.group(2), m.group(2))
            value, status = parse_decimal(text)
            if value is not None:
                self.total = self.number(text, "reported_total", r)
                total_col = score_col
        if total_col is None:
            if r in grid.loose_rows:
                # 总分 | 100 | 98.99附件2…: the score ran into the text after the table
                distinct = [(c, m.group(0) if m and parse_decimal(v)[0] is None else v)
                            for c, v in distinct for m in [_LEADING_FIGURE.match(v)]]
            numeric = [(c, v) for c, v in distinct if parse_decimal(v)[0] is not None]
            if numeric:
                total_col, text = numeric[-1]
                if r in grid.loose_rows:
                    text = _glued_total(text)
                self.total = self.number(text, "reported_total", r)
        after = [v for c, v in distinct if total_col is None or c > total_col]
        for v in after[:2]:
            grade = _grade(v)
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
        inline = _grade(distinct[0][1])
        for _, v in distinct[1:3]:
            inline = inline or _grade(v)
        if inline:
            self.grade = self.grade or inline
        return True

    # -- result -------------------------------------------------------------------------------------

    def weight_in_target(self) -> None:
        """A row whose only figure, a bare number, landed in the target column while the row has no 分值:
        it is the 分值 when that makes the weights add up to 100 (less the funding block's)."""
        rows = [i for i in self.indicators if i.weight is None and i.actual is None and i.score is None
                and i.adjusted_target is None and re.fullmatch(r"\d{1,3}(?:\.\d+)?", i.initial_target or "")]
        weights = [i.weight for i in self.indicators if i.weight is not None]
        if len(rows) != 1 or not weights:
            return
        funding = self.funding.total.weight if self.funding and self.funding.total else None
        row = rows[0]
        value = Decimal(row.initial_target)  # type: ignore[arg-type]
        if sum(weights) + value + (funding or 0) == 100 or sum(weights) + value == self.total:
            index = self.indicators.index(row)
            self.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].weight",
                                       source=row.source, message=f"{row.initial_target} printed where the target "
                                       "goes is the row's 分值: with it the weights add up"))
            row.weight, row.initial_target = value, None

    def check_total_blank(self) -> None:
        """A 资金总额 row printed 0 or blank while a 其中 row holds the amounts: both kept as printed, and said."""
        funding = self.funding
        assert funding is not None
        if funding.total is None and self.blank_total is not None and any(map(_holds_amounts, funding.breakdown)):
            funding.total = self.blank_total
        total = funding.total
        if total is None or any(getattr(total, f) not in (None, Decimal(0)) for f in (
                "annual_budget", "executed", "initial_budget", "budget_compiled")):
            return
        for row in funding.breakdown:
            if _holds_amounts(row):
                self.notes.append(ReadNote(
                    code="funding-total-blank", field="funding.total", source=total.source,
                    message=f"the {total.label or '资金总额'} row is printed 0/blank while the {row.label!r} row "
                            "holds the amounts; both rows are kept as printed"))
                return

    def build(self, hint: str | None) -> Form | None:
        if self.ind_map is None and self.funding is None and not self.indicators:
            if self.first_row not in self.grid.loose_rows or not self.title:
                return None
            # text that names a form but whose tables could not be made out: the form, said to be incomplete
            self.notes.append(ReadNote(code="read-incomplete", source=self.ref(self.first_row),
                                       message="no funding block or indicator table could be read"))
        if self.funding is not None:
            self.check_total_blank()
        self.weight_in_target()
        if self.ind_map is None and not self.indicators and self.has_body:
            self.notes.append(ReadNote(code="read-incomplete", field="indicators", source=self.ref(self.first_row),
                                       message="no indicator table (一级指标/二级指标/三级指标) found"))
        if self.goal_cols is not None and self.goals is not None:
            exp, act = self.goal_parts
            self.goals.expected = "\n".join(exp) or None
            self.goals.achieved = "\n".join(act) or None
        title = self.title or ""
        kind = "project"
        if "部门整体" in title or "整体支出" in title or self.name_label in DEPT_NAME_LABELS:
            kind = "department"
        elif "目标完成情况" in title or (self.ind_map is not None and not (
                {"weight", "score"} & set(self.ind_map.fields))):
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
                    year=self.year, funding=self.funding, goals=self.goals, indicators=self.indicators,
                    reported_total=self.total, reported_grade=self.grade, source=self.ref(self.first_row),
                    read_notes=self.notes)


_VALUE_FIELDS = ("initial_target", "adjusted_target", "actual", "weight", "score")


def _fragment(values: dict[str, str]) -> bool:
    """A loose row that is no indicator: no value at all, and for a name a header word or a piece of a
    wrapped label (年度, 目标(80分), 分)) that the text lost its cell for."""
    if any(values.get(k) for k in _VALUE_FIELDS):
        return False
    name = values.get("level3", "")
    if not name:
        return False  # a label-only row: it updates the 一级/二级 carried down
    key = label_key(name)
    opened, closed = name.count("(") + name.count("（"), name.count(")") + name.count("）")
    return len(key) < 3 or indicator_field(key) is not None or opened != closed or "分" in name[-3:]


_FILLED_BY = re.compile(r"填报单位\s*+[:：]\s*+(?:[（(]\s*+盖章\s*+[)）])?+\s*+(?P<unit>[^\s（()]++)")
_LEADING_FIGURE = re.compile(r"^\d{1,3}(?:\.\d{1,2})?(?=[^\d.%])")


_AMOUNT_FIELDS = ("target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance",
                  "weight", "execution_rate", "score")


def _holds_amounts(row: FundingRow) -> bool:
    return any(getattr(row, f) not in (None, Decimal(0)) for f in ("annual_budget", "executed")) or bool(row.score)


def _sub_unit(department: str | None, cell: str) -> bool:
    """Is ``cell`` a 预算单位 under ``department`` by its code (001-某部门 → 001001-某单位)?"""
    dept = re.match(r"^(\d{2,})\s*[-－—]", department or "")
    unit = re.match(r"^(\d{2,})\s*[-－—]", cell.strip())
    return bool(dept and unit and unit.group(1) != dept.group(1) and unit.group(1).startswith(dept.group(1)))


def _glued_total(text: str) -> str:
    """总分 glued to the weight total in front of it (``10098``: 100 | 98) is the second number."""
    value = parse_decimal(text)[0]
    if value is not None and value > 100:
        pairs = [p for p in splits(text, 2) if p[0] == "100" and Decimal(p[1]) <= 100]
        if len(pairs) == 1:
            return pairs[0][1]
    return text


def _clean_fund_label(label: str) -> str:
    t = label_text(label)
    t = re.sub(r"^其中\s*[-—:：、,，]?\s*", "", t)
    t = re.sub(r"[:：]\s*$", "", t)
    return t.strip()


def _grade(text: str) -> str | None:
    t = simplified(label_text(text))
    t = re.sub(r"^(自评等级|评价等级|绩效等级|评定等级|等级|自评结果|评价结果)\s*[:：]?\s*", "", t)
    t = re.sub(r"\s+", "", t)
    return GRADES.get(t, t) if GRADE.match(t) else None


def _goal_columns(grid: Grid, r: int) -> tuple[int, int] | None:
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


_SECTION = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|第[一二三四五六七八九十]{1,3}[部章节])")


def _ends_table(first: str) -> bool:
    """A row of text that closes the table it follows: a section heading of the report around it
    ("（三）存在的问题", "四、…"), or the header of another table (序号 | …)."""
    return bool(_SECTION.match(first)) or label_key(first) in ("序号", "编号") or first.startswith(("注:", "注："))


def _row_text(grid: Grid, r: int) -> str:
    return " ".join(v for _, v in grid.distinct(r))


def _title_text(grid: Grid, r: int) -> str | None:
    cells = grid.distinct(r)
    if not cells or len(cells) > 3 and r not in grid.loose_rows:
        return None
    text = label_text(cells[0][1])
    if len(text) > 80 or not TITLE.search(simplified(text)):
        return None
    if label_key(text).startswith(STOP_PREFIXES):
        return None
    return text


def _year_only(grid: Grid, r: int) -> int | None:
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
def _names_form(value: str) -> bool:
    """Is this cell a 项目名称 label (alone, or as "项目名称：…")?"""
    if label_key(value) in NAME_LABELS:
        return True
    m = _LABEL_COLON.match(value.strip())
    return bool(m and label_key(m.group(1)) in NAME_LABELS)


def _is_name_row(grid: Grid, r: int) -> bool:
    return any(_names_form(v) for _, v in grid.distinct(r))


def _is_label_row(grid: Grid, r: int) -> bool:
    return any(label_key(v) in DEPT_LABELS | UNIT_LABELS for _, v in grid.distinct(r))


def _opens_form(grid: Grid, r: int) -> bool:
    """Does the next table row from r start a form (name, label or funding header rows)?"""
    while r < len(grid) and (r in grid.text_rows or not grid.distinct(r)):
        r += 1
    if r >= len(grid):
        return False
    return _is_name_row(grid, r) or _is_label_row(grid, r) or funding_header(grid, r) or (
        _title_text(grid, r) is not None)


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
        cur = _Builder(grid, r, len(forms) + 1)
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
        title = _title_text(grid, r)
        if title is not None:
            if text_row and cur is not None and cur.stage in ("funding", "goals", "indicators") and (
                    cur.title is not None and label_key(YEAR_PAREN.sub("", title)) == label_key(cur.title)
                    and not _opens_form(grid, r + 1)):
                r += 1  # the form's own title repeated as a page header while it continues
                continue
            b = start(r) if cur is None or cur.has_body or cur.name else cur
            b.first_row = r  # a mention above (附件：…自评表, a contents line) is not where the form starts
            b.set_title(title)
            r += 1
            continue
        m = _FILLED_BY.search(distinct[0][1]) if text_row else None
        if m and cur is not None and cur.stage == "head" and cur.unit is None:
            cur.unit = m.group("unit")  # 填报单位：（盖章）区委巡察办, above the table
        year = _year_only(grid, r)
        if year is not None:
            b = start(r) if cur is None or cur.has_body else cur
            b.year = year
            r += 1
            continue
        if _is_name_row(grid, r):
            if cur is None or cur.has_body or cur.name:
                start(r)
            assert cur is not None
            cur.label_values(r)
            r += 1
            continue
        if text_row:
            r += 1
            continue
        if _is_label_row(grid, r) and (cur is None or cur.stage in ("head", "done")):
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
            cols = _goal_columns(grid, r)
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
                r in grid.loose_rows and _ends_table(distinct[0][1]))):
            cur.stage = "done"
            r += 1
            continue
        if cur is not None and r in grid.loose_rows and (cur.stage in ("head", "done") or (
                cur.stage == "indicators" and len(distinct) <= 3)) and cur.funding_pairs(r):
            # (a checklist form prints 年度预算资金总额: 1084.25 among its indicator rows)
            r += 1
            continue
        if cur is not None:
            try:
                cur.body_row(r)
            except Exception as exc:  # a row the interpreter cannot make out costs that row, said on its form
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
