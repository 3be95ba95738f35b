"""The funding block of a form (项目资金 / 预算执行情况): its header, one row per source, the total.

Columns come from the header by what they name (年初预算数 [目标申报数 | 预算编制数], 全年预算数, 全年执行数,
资金结(转)余, 分值, 执行率, 得分), or the figures sit beside their labels (预算数: | 89.496 | 执行数: | …).
A row recovered from text, whose columns were lost, is placed where the amounts add up
(:func:`~perfscore.readers.row_align.align_funding`), its garbled figures repaired by the figures around
them; each such choice is a note (``repair-funding-shift``, ``repair-number``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import Funding, FundingRow, ReadNote
from perfscore.readers.grid_cells import Grid, join_lines, label_key, label_text
from perfscore.readers.grid_labels import (
    FUNDING_POINTS,
    INLINE_AMOUNT,
    UNIT_IN_CAPTION,
    ColumnMap,
    funding_field,
    match_header,
)
from perfscore.readers.numbers import is_garbled, parse_decimal, repair
from perfscore.readers.reading import Reading
from perfscore.readers.row_align import align_funding, label_of

_AMOUNT_FIELDS = ("target_declared", "budget_compiled", "initial_budget", "annual_budget", "executed", "balance",
                  "weight", "execution_rate", "score")


@dataclass
class FundingBlock:
    at: Reading
    fund_map: ColumnMap | None = None
    fund_labels: list[int] = field(default_factory=list)
    fund_pair: dict[str, int] | None = None
    fund_pair_label: int | None = None
    fund_sub: list[str] = field(default_factory=list)
    fund_more: list[str] = field(default_factory=list)  # columns named only on the 目标申报数 row
    fund_weight: Decimal | None = None  # 分值 printed in the header ((20分), 得分(20分*执行率)), not in a column
    blank_total: FundingRow | None = None  # a 资金总额 row printed with no figure
    funding: Funding | None = None

    @property
    def grid(self) -> Grid:
        return self.at.grid

    @property
    def started(self) -> bool:
        """Was the block's header seen (the form has a body)?"""
        return self.fund_map is not None or self.fund_pair is not None

    def start(self, r: int) -> int:
        """The block's header at row r (and a 目标申报数 | 预算编制数 row under it); returns the rows used."""
        grid = self.grid
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
            self.add_row(r, label, {k: grid.cell(r, c) for k, c in pair.items()})
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

    def row(self, r: int) -> None:
        """One row of the block: a source's amounts (or the pairs, or 其中 amounts inside their cells)."""
        grid = self.grid
        if self.fund_pair is not None and r in grid.loose_rows:
            # label | amount pairs with the columns lost: the first amount is budgeted, the second spent
            cells = grid.cells[r]
            figures = [v for v in cells[1:] if parse_decimal(v)[0] is not None]
            if cells and parse_decimal(cells[0])[0] is None and figures:
                names = sorted(self.fund_pair, key=lambda name: self.fund_pair[name])  # type: ignore[index]
                self.add_row(r, cells[0], dict(zip(names, figures, strict=False)))
            return
        if self.fund_pair is not None:
            label_col = self.fund_pair_label if self.fund_pair_label is not None else 0
            label = grid.cell(r, label_col)
            if not label:
                for c, v in grid.distinct(r):
                    if c < min(self.fund_pair.values()):
                        label = v
            self.add_row(r, label, {k: grid.cell(r, c) for k, c in self.fund_pair.items()})
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
            if not placed and clean_fund_label(label) in ("资金总额", "年度资金总额"):
                self.add_row(r, label, {})  # the total row printed with no figure
            row = self.add_row(r, label, placed) if placed else None
            if row is None:
                return
            where = "funding.total" if row is self.funding.total else (  # type: ignore[union-attr]
                f"funding.breakdown[{len(self.funding.breakdown) - 1}]")  # type: ignore[union-attr]
            for name, text in placed.items():
                if text in repaired:
                    row.raw[name] = repaired[text][0]
                    self.at.notes.append(ReadNote(code="repair-number", field=f"{where}.{name}", source=self.at.ref(r),
                                               message=f"printed {repaired[text][0]!r} read as {text} "
                                                       f"({repaired[text][1]})"))
            printed = [v for v in rest if v.strip() and v in placed.values()]
            columns = [f for f in order if f in placed or f in _AMOUNT_FIELDS]
            if list(placed) != [f for f in columns if f in placed] or list(placed.values()) != printed or (
                    [f for f in columns if f != "deviation_reason"][:len(placed)] != list(placed)):
                self.at.notes.append(ReadNote(
                    code="repair-funding-shift", field=where, source=self.at.ref(r),
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
            clean = clean_fund_label(label)
            if not clean or clean.endswith("分"):
                return  # "其中：", "按收入性质分：": headings, not rows
            if amounts and not any(re.search(r"\d", v) for v in amounts.values()):
                return  # words in the amount columns (a second heading column), no figures at all
        self.add_row(r, label, values)

    def inline_amounts(self, r: int) -> bool:
        """其中 rows printed inside their cells (其中：一般公共预算：321.013328 | 其中：基本支出：241.024804)."""
        cells = [v for _, v in self.grid.distinct(r)]
        if any(parse_decimal(v)[0] is not None for v in cells):
            return False
        inline = [m for m in (INLINE_AMOUNT.match(join_lines(v)) for v in cells) if m]
        for m in inline:
            self.add_row(r, m.group("label"), {"annual_budget": m.group("num")})
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

    def add_row(self, r: int, label: str, values: dict[str, str]) -> FundingRow | None:
        """A row of amounts by field: the first (or a 总额/合计 one) is the total, the others its breakdown."""
        assert self.funding is not None
        clean = clean_fund_label(label)
        is_total = self.funding.total is None and not self.funding.breakdown and self.blank_total is None and (
            not re.match(r"^\s*其中", label_text(label)))
        if not is_total and self.funding.total is None and re.search(r"总额|合计|总计", clean):
            is_total = True
        where = "funding.total" if is_total else f"funding.breakdown[{len(self.funding.breakdown)}]"
        row = FundingRow(label=clean, source=self.at.ref(r))
        for name, text in values.items():
            if name == "deviation_reason":
                row.deviation_reason = text.strip() or None
            else:
                setattr(row, name, self.at.number(text, f"{where}.{name}", r, row.raw, name))
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

    def pairs(self, r: int) -> bool:
        """Funding figures printed as label | amount pairs among the form's particulars (计划安排资金(万元) |
        1088.00 | 实际到位资金(万元) | 1020.02, then 实际支出(万元) | 1020.02): each fills the total row once."""
        cells = [v for _, v in self.grid.distinct(r)]
        found = False
        for label, value in itertools.pairwise(cells):
            name = funding_field(label_key(label))
            if name not in ("annual_budget", "executed") or parse_decimal(value)[0] is None:
                continue
            self.funding = self.funding or Funding()
            total = self.funding.total or FundingRow(label="资金总额", source=self.at.ref(r))
            if getattr(total, name) is None:
                setattr(total, name, self.at.number(value, f"funding.total.{name}", r, total.raw, name))
                self.funding.total = total
                found = True
        return found

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
                self.at.notes.append(ReadNote(
                    code="funding-total-blank", field="funding.total", source=total.source,
                    message=f"the {total.label or '资金总额'} row is printed 0/blank while the {row.label!r} row "
                            "holds the amounts; both rows are kept as printed"))
                return


def _holds_amounts(row: FundingRow) -> bool:
    return any(getattr(row, f) not in (None, Decimal(0)) for f in ("annual_budget", "executed")) or bool(row.score)


def clean_fund_label(label: str) -> str:
    """A funding row's label without 其中 and a trailing colon."""
    t = label_text(label)
    t = re.sub(r"^其中\s*[-—:：、,，]?\s*", "", t)
    t = re.sub(r"[:：]\s*$", "", t)
    return t.strip()
