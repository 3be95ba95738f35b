"""Indicator rows (一级 | 二级 | 三级 | 指标值… | 分值 | 得分 | 偏差原因) of a form extracted to text.

Columns come from the header row that names 一级指标/二级指标/三级指标. Data rows rarely have the
header's cell count: merged 绩效指标/一级 cells drop leading cells, stray empty cells push a row right.
Each row is aligned on its right-hand numeric pair (分值, 得分) — or, on forms without scores, on the
cell count — and everything left of the first value column is a label cell.

Labels are then read for what the form means:

* the last label cell is the 三级 name, wherever it sits;
* the other labels are classified by name (产出/效益/满意度指标 are 一级; 数量/质量/时效/成本/…效益/
  可持续影响/服务对象满意度指标 are 二级), not by the column they landed in;
* a blank 一级/二级 cell means "as the row above" (normal, no note);
* labels printed on a row ahead of the group they head (``效益指标 | 成本指标`` where 成本指标 still
  belongs to 产出指标, or two 二级 labels on one row) are queued and applied to the row they head.

Every repair is reported through ``note`` as ``repair-label-shift``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from perfscore.model import Indicator, SourceRef
from perfscore.readers import text_numbers as num
from perfscore.readers.text_table import Row, norm

L1_NAMES = ("产出指标", "效益指标", "满意度指标", "项目完成指标")
PARENT = {
    "数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "成本指标": "产出指标",
    "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标", "可持续发展指标": "效益指标",
    "服务对象满意度指标": "满意度指标", "服务对象满意度": "满意度指标", "满意度指标": "满意度指标",
    "经济成本指标": "成本指标", "社会成本指标": "成本指标", "生态环境成本指标": "成本指标",
}
LEAD_LABELS = ("绩效指标", "绩效指标完成情况", "绩效指标完成情况分析")
COLUMN_NAMES = {"level1": "一级", "level2": "二级", "level3": "三级", "lead": "绩效指标"}
_POINTS = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]")

Note = Callable[[str, str, str | None, int | None], None]


def header_field(cell: str) -> str | None:
    n = norm(cell)
    if not n:
        return None
    if n in LEAD_LABELS:
        return "lead"
    for key, name in (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标")):
        if name in n:
            return key
    if "年初指标值" in n:
        return "initial_target"
    if "调整" in n and "指标" in n:
        return "adjusted_target"
    if "实际" in n and ("完成" in n or "值" in n):
        return "actual"
    if "指标值" in n or "预期指标" in n or "目标值" in n:
        return "initial_target"
    if n in ("分值", "权重", "分值(分)", "权重(%)"):
        return "weight"
    if n.startswith("得分"):
        return "score"
    if "原因" in n or "措施" in n or "绩效目标分析" in n:
        return "deviation_reason"
    if "度量单位" in n or "计量单位" in n:
        return "measure_unit"
    if "指标性质" in n:
        return "nature"
    return None


def is_indicator_header(row: Row) -> bool:
    joined = row.joined()
    return "一级指标" in joined and ("三级指标" in joined or "二级指标" in joined)


def level_text(text: str) -> str:
    """A 一级/二级 label as meant: whitespace and a ``(50分)`` weight suffix removed."""
    return _POINTS.sub("", norm(text)).strip()


@dataclass
class Columns:
    pos: dict[str, int]
    width: int

    @classmethod
    def from_header(cls, row: Row) -> Columns:
        pos: dict[str, int] = {}
        for i, cell in enumerate(row.cells):
            f = header_field(cell)
            if f and f not in pos:
                pos[f] = i
        width = max((i for i, c in enumerate(row.cells) if c), default=0) + 1
        return cls(pos, width)

    @property
    def first_value(self) -> int:
        keys = ("initial_target", "adjusted_target", "actual", "measure_unit", "nature", "weight", "score")
        found = [self.pos[k] for k in keys if k in self.pos]
        return min(found) if found else self.pos.get("level3", 2) + 1

    def slot(self, aligned: int) -> str:
        for key in ("level1", "level2", "level3"):
            if self.pos.get(key) == aligned:
                return key
        if aligned < self.pos.get("level1", 0):
            return "lead"
        if "lead" in self.pos and self.pos["lead"] == aligned:
            return "lead"
        return "other"


@dataclass
class _Pending:
    text: str
    line: int
    slot: str


@dataclass
class IndicatorParser:
    columns: Columns
    note: Note
    source: Callable[[int], SourceRef]
    level1: str | None = None
    level2: str | None = None
    q1: list[_Pending] = field(default_factory=list)
    q2: list[_Pending] = field(default_factory=list)
    count: int = 0

    # ------------------------------------------------------------------ alignment
    def _shift(self, cells: list[str]) -> int:
        pos = self.columns.pos
        first = self.columns.first_value

        def numeric(i: int) -> bool:
            return 0 <= i < len(cells) and num.is_number(cells[i])

        if "weight" in pos and "score" in pos:
            pw, ps = pos["weight"], pos["score"]
            valid = [d for d in range(-4, 5) if numeric(pw + d) and numeric(ps + d) and first + d >= 1]
            if valid:
                return max(valid)
            valid = [d for d in range(-4, 5) if numeric(pw + d) and first + d >= 1
                     and not (0 <= ps + d < len(cells) and cells[ps + d])]
            if valid:
                return min(valid, key=abs)
            return 0
        width = max((i for i, c in enumerate(cells) if c), default=-1) + 1
        if len(cells) == self.columns.width or width == 0:
            return 0
        last = max(pos.get(k, -1) for k in ("actual", "adjusted_target", "initial_target"))
        d = width - 1 - last if last >= 0 else 0
        return d if -3 <= d <= 3 and first + d >= 1 else 0

    # ------------------------------------------------------------------ rows
    def parse_row(self, row: Row) -> Indicator | None:
        cells = row.cells
        if not any(cells):
            return None
        pos = self.columns.pos
        d = self._shift(cells)
        first = self.columns.first_value + d

        def cell(key: str) -> str | None:
            if key not in pos:
                return None
            i = pos[key] + d
            return (cells[i] or None) if 0 <= i < len(cells) else None

        labels = []
        for i, text in enumerate(cells[:max(first, 0)]):
            if not text:
                continue
            slot = self.columns.slot(i - d)
            if slot == "lead" and norm(text) in LEAD_LABELS:
                continue
            labels.append((slot, text, i))
        values = [cell(k) for k in ("initial_target", "adjusted_target", "actual", "weight", "score")]
        if not labels and not any(values):
            return None
        index = self.count
        self.count += 1
        where = f"indicators[{index}]"
        # one cell right is normal when the header lacks the 绩效指标 column the rows carry
        lead_cell = not cells[0] or norm(cells[0]) in LEAD_LABELS
        if d > 0 and not (d == 1 and "lead" not in pos and lead_cell):
            self.note("repair-label-shift", f"row printed {d} cell(s) right of the header; aligned on 分值/得分",
                      where, row.line)
        if labels:
            slot3, level3, at3 = labels.pop()
            if slot3 != "level3":
                self.note("repair-label-shift", f"三级 name {level3!r} printed {self._place(slot3, at3)}",
                          f"{where}.level3", row.line)
        else:
            slot3, level3 = "level3", ""
            self.note("repair-label-shift", "row has values but no 三级 name", f"{where}.level3", row.line)
        self._labels(labels, level3, slot3 != "level3", row.line, where)
        reason = None
        if "score" in pos:
            after = [c for c in cells[pos["score"] + d + 1:] if c]
            reason = " ".join(after) or None
        elif "deviation_reason" in pos:
            reason = cell("deviation_reason")
        return Indicator(
            level1=self.level1, level2=self.level2, level3=level3.strip(),
            initial_target=cell("initial_target"), adjusted_target=cell("adjusted_target"),
            actual=cell("actual"),
            weight=num.parse_number(cell("weight")), score=num.parse_number(cell("score")),
            deviation_reason=reason, measure_unit=cell("measure_unit"), nature=cell("nature"),
            source=self.source(row.line),
        )

    # ------------------------------------------------------------------ labels
    def _place(self, slot: str, at: int) -> str:
        """Where a label was printed: the header column above it, and the column it aligns with."""
        printed = COLUMN_NAMES.get(self.columns.slot(at), "a value")
        aligned = COLUMN_NAMES.get(slot, "a value")
        if printed == aligned:
            return f"in the {printed} column"
        return f"in the {printed} column ({aligned} column once the row is aligned on its values)"

    def _classify(self, text: str, slot: str, row_labels: list[tuple[str, str]], level3: str) -> str | None:
        if text in L1_NAMES:
            if slot == "level2" and any(s == "level1" and t == text for s, t in row_labels):
                return "L2"
            return "L1"
        if text == "成本指标":
            if slot == "level1" and any(s == "level2" and PARENT.get(t) == "成本指标" for s, t in row_labels):
                return "L1"
            return "L2"
        if text.endswith("指标") or text in PARENT:
            return "L2"
        if text == level_text(level3):
            return "dup"  # the 三级 name repeated in a label column
        return {"level1": "L1", "level2": "L2"}.get(slot, "skip")

    def _labels(self, labels: list[tuple[str, str, int]], level3: str, misplaced3: bool, line: int,
                where: str) -> None:
        row_labels = [(slot, level_text(text)) for slot, text, _ in labels]
        new1: list[_Pending] = []
        new2: list[_Pending] = []
        for (slot, text), (_, printed_text, at) in zip(row_labels, labels):
            kind = self._classify(text, slot, row_labels, level3)
            if kind in ("dup", "skip"):
                why = "repeats the 三级 name" if kind == "dup" else "is no 一级/二级 label"
                self.note("repair-label-shift",
                          f"label {printed_text!r} printed {self._place(slot, at)} {why}; ignored",
                          f"{where}.level2", line)
                continue
            target, expected = (new1, "level1") if kind == "L1" else (new2, "level2")
            if target and target[-1].text == text:
                continue  # the same label printed twice on the row
            if slot != expected:
                self.note("repair-label-shift",
                          f"{COLUMN_NAMES[expected]} label {text!r} printed {self._place(slot, at)}",
                          f"{where}.{expected}", line)
            target.append(_Pending(text, line, slot))
        printed = bool(labels) or misplaced3
        self.q1.extend(new1)
        self.q2.extend(new2)
        take2 = self.q2.pop(0) if self.q2 and (printed or len(self.q2) > 1) else None
        parent2 = PARENT.get(take2.text) if take2 else None
        if parent2 and len(self.q1) > 1 and self.q1[0].text != parent2:
            # a queued 一级 label that this row's 二级 label belongs to wins over older queued ones
            match = next((k for k, p in enumerate(self.q1) if p.text == parent2), None)
            if match is not None:
                for skipped in self.q1[:match]:
                    self.note("repair-label-shift", f"一级 label {skipped.text!r} printed on line {skipped.line} "
                              "heads no row; ignored", f"{where}.level1", line)
                del self.q1[:match]
        take1 = self.q1[0] if self.q1 and (printed or len(self.q1) > 1) else None
        if take1 and take2 and self.level1 and take1.text != self.level1:
            parent = PARENT.get(take2.text)
            if parent == self.level1 and parent != take1.text:
                self.note("repair-label-shift",
                          f"一级 label {take1.text!r} printed one row early: {take2.text!r} still belongs to "
                          f"{self.level1!r}", f"{where}.level1", line)
                take1 = None
        if take1:
            self.q1.pop(0)
            if take1.line != line:
                self.note("repair-label-shift",
                          f"一级 label {take1.text!r} printed on line {take1.line} heads this row",
                          f"{where}.level1", line)
            if take1.text != self.level1:
                self.level2 = None
            self.level1 = take1.text
        if take2:
            if take2.line != line:
                self.note("repair-label-shift",
                          f"二级 label {take2.text!r} printed on line {take2.line} heads this row",
                          f"{where}.level2", line)
            parent = PARENT.get(take2.text)
            if not take1 and take2.slot != "level2" and parent and parent != self.level1 and parent in L1_NAMES:
                self.note("repair-label-shift",
                          f"一级 taken as {parent!r} from the 二级 label {take2.text!r} printed in its place",
                          f"{where}.level1", line)
                self.level1 = parent
            self.level2 = take2.text
