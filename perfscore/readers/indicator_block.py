"""The indicator table of a form (一级指标 | 二级指标 | 三级指标 | 指标值… | 分值 | 得分 | 偏差原因).

Columns come from the header by what they name; a row recovered from text, whose columns were lost, is
placed by what its cells hold (:func:`~perfscore.readers.row_align.align_indicators`). Which 一级/二级 a
row belongs to is kept by :class:`~perfscore.readers.levels.Levels`, which also puts labels printed out
of place back. A 分值/得分 merged down a 二级 group is read once (``repair-merged-score``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import Indicator, ReadNote
from perfscore.readers.grid_cells import Grid, label_key, label_text, level_label
from perfscore.readers.grid_labels import (
    ColumnMap,
    indicator_field,
    looks_like_level,
    match_header,
)
from perfscore.readers.levels import Levels
from perfscore.readers.reading import Reading
from perfscore.readers.row_align import align_indicators, indicator_fields

_VALUE_FIELDS = ("initial_target", "adjusted_target", "actual", "weight", "score")


@dataclass
class IndicatorBlock:
    at: Reading
    ind_map: ColumnMap | None = None
    indicators: list[Indicator] = field(default_factory=list)
    levels: Levels = field(default_factory=Levels)

    @property
    def grid(self) -> Grid:
        return self.at.grid

    def start(self, r: int) -> int:
        """The table's header at row r (and a sub-header under it); returns the rows used."""
        self.ind_map = match_header(self.grid, r, indicator_field)
        return self.ind_map.header_rows

    def row(self, r: int) -> None:
        """One row of the table (several, when text ran rows together)."""
        grid = self.grid
        cmap = self.ind_map
        assert cmap is not None
        if r in grid.loose_rows:
            order = sorted(cmap.fields, key=lambda name: cmap.fields[name][0])
            before: list[tuple[str, str]] = []
            for placed in align_indicators(grid.cells[r], indicator_fields(order)):
                if _fragment(placed):
                    continue
                if set(placed) <= {"level1", "level2"}:
                    # labels alone, the line's indicator still to come: 质量指标 | 时效指标 | 督查工作完成率
                    before += [(k, level_label(v)) for k, v in placed.items()]
                    continue
                self.add(r, placed, None, None, before)
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
            col = cmap.first(name)
            origin = grid.covered.get((r, col)) if col is not None else None
            if col is not None and origin is not None and origin[0] < r and values.get(name) == grid.cell(r, col):
                # one 分值/得分 merged down a 二级 group: the group's figure, read once on its first row
                del values[name]
                if origin[0] + 1 == r:
                    self.at.notes.append(ReadNote(
                        code="repair-merged-score", field=f"indicators[{len(self.indicators) - 1}].{name}",
                        source=self.at.ref(origin[0]),
                        message=f"{'分值' if name == 'weight' else '得分'} {grid.cell(r, col)} is printed once for the "
                                "rows its cell spans; it is kept on the first of them"))
        self.add(r, values, cmap.first("level1"), cmap.first("level2"))

    def add(self, r: int, values: dict[str, str], c1: int | None, c2: int | None,
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
                self.at.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level3",
                                           source=self.at.ref(r),
                                           message=f"三级指标 {l3!r} printed in the 一级/二级 column"))
            else:
                self.at.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].level3",
                                           source=self.at.ref(r), message="row has values but no 三级指标"))

        def note(name: str, message: str) -> None:
            self.at.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].{name}",
                                       source=self.at.ref(r), message=message))

        ref = self.at.ref(r)
        level1, level2 = self.levels.row(printed, ref.line or ref.row or r + 1, note, name=l3,
                                         columns=r not in grid.loose_rows)
        ind = Indicator(level1=level1, level2=level2, level3=l3, source=self.at.ref(r))
        for name in ("initial_target", "adjusted_target", "actual", "deviation_reason", "measure_unit",
                     "nature"):
            if name in values:
                setattr(ind, name, values[name])
        for name in ("weight", "score"):
            if name in values:
                setattr(ind, name, self.at.number(values[name], f"indicators[{index}].{name}", r))
        self.indicators.append(ind)

    def weight_in_target(self, funding: Decimal | None, total: Decimal | None) -> None:
        """A row whose only figure, a bare number, landed in the target column while the row has no 分值:
        it is the 分值 when that makes the weights add up to 100 (less the funding block's)."""
        rows = [i for i in self.indicators if i.weight is None and i.actual is None and i.score is None
                and i.adjusted_target is None and re.fullmatch(r"\d{1,3}(?:\.\d+)?", i.initial_target or "")]
        weights = [i.weight for i in self.indicators if i.weight is not None]
        if len(rows) != 1 or not weights:
            return
        row = rows[0]
        value = Decimal(row.initial_target)  # type: ignore[arg-type]
        if sum(weights) + value + (funding or 0) == 100 or sum(weights) + value == total:
            index = self.indicators.index(row)
            self.at.notes.append(ReadNote(code="repair-label-shift", field=f"indicators[{index}].weight",
                                       source=row.source, message=f"{row.initial_target} printed where the target "
                                       "goes is the row's 分值: with it the weights add up"))
            row.weight, row.initial_target = value, None


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
