"""Which 一级/二级 group each indicator row belongs to, when the labels are printed out of place.

A merged 一级/二级 cell is printed once, so a blank label means "as the row above". Exports from Word and
PDF also print labels on the wrong rows: a 一级 label beside the last 二级 of the group before it
(``效益指标 | 成本指标`` where 成本指标 still belongs to 产出指标), or two 二级 labels on one row
(``质量指标 | 时效指标``), the second heading a later row. So labels are read for what they mean, by the
templates' vocabulary (:func:`~perfscore.readers.grid_labels.family`), not by the column they landed in:
each row's labels are queued, and a row that prints a label takes the oldest queued label of each level
(a queue longer than one is worked off on rows that print nothing). Every such repair is a
``repair-label-shift`` note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from perfscore.readers.grid_cells import label_key
from perfscore.readers.grid_labels import family, level_kind

Note = Callable[[str, str], None]
"""``note(field, message)``: record a ``repair-label-shift`` on the current row's ``level1``/``level2``."""

_NAMES = {"level1": "一级", "level2": "二级"}


@dataclass
class _Queued:
    text: str
    row: int
    slot: str


@dataclass
class Levels:
    """The running 一级/二级 of a form's indicator rows, fed one row's printed labels at a time."""

    level1: str | None = None
    level2: str | None = None
    q1: list[_Queued] = field(default_factory=list)
    q2: list[_Queued] = field(default_factory=list)

    def caption(self, labels: list[tuple[str, str]]) -> None:
        """A row of labels alone (a 一级 caption on its own row): they head the rows that follow."""
        for slot, text in labels:
            if _classify(text, slot, labels, self.level1) == "level1":
                if text != self.level1:
                    self.level2 = None
                self.level1 = text
            else:
                self.level2 = text

    def row(self, labels: list[tuple[str, str]], row: int, note: Note, *, name: str = "", columns: bool = True
            ) -> tuple[str | None, str | None]:
        """The (一级, 二级) of an indicator row that printed ``labels`` as (slot, text) in reading order and
        is called ``name``; ``columns``: the slots are the table's columns (not guessed from text), so a
        misplaced one is said. A 一级 label left waiting is also taken by a row whose name is of its family
        (满意度指标 by 服务对象满意度)."""
        printed = self._queue(labels, row, note if columns else None) or bool(labels)
        if not printed and self.q1 and family(self.q1[0].text) is not None and (
                family(name) == family(self.q1[0].text) != family(self.level1 or "")):
            printed = True
        take2 = self.q2.pop(0) if self.q2 and (printed or len(self.q2) > 1) else None
        parent2 = family(take2.text) if take2 else None
        if parent2 and len(self.q1) > 1 and family(self.q1[0].text) != parent2:
            # a queued 一级 label that this row's 二级 belongs to wins over older queued ones
            match = next((k for k, q in enumerate(self.q1) if family(q.text) == parent2), None)
            for skipped in self.q1[:match or 0]:
                note("level1", f"一级指标 {skipped.text!r} printed on line {skipped.row} heads no row; ignored")
            del self.q1[:match or 0]
        take1 = self.q1[0] if self.q1 and (printed or len(self.q1) > 1) else None
        if take1 and take2 and self.level1 and family(take1.text) != family(self.level1) and (
                parent2 is not None and parent2 == family(self.level1)):
            note("level1", f"一级指标 {take1.text!r} printed one row early: {take2.text!r} still belongs to "
                 f"{self.level1!r}")
            take1 = None
        if take1:
            self.q1.pop(0)
            if take1.row != row:
                note("level1", f"一级指标 {take1.text!r} printed on line {take1.row} heads this row")
            if take1.text != self.level1:
                self.level2 = None
            self.level1 = take1.text
        if take2:
            if take2.row != row:
                note("level2", f"二级指标 {take2.text!r} printed on line {take2.row} heads this row")
            if not take1 and parent2 and self.level1 and family(self.level1) not in (None, parent2) and (
                    level_kind(parent2 + "指标") in ("level1", "level12")):
                note("level1",
                     f"一级 taken as {parent2 + '指标'!r} from the 二级指标 {take2.text!r} printed in its place")
                self.level1 = parent2 + "指标"
            self.level2 = take2.text
        return self.level1, self.level2

    def _queue(self, labels: list[tuple[str, str]], row: int, note: Note | None) -> bool:
        """Queue a row's labels by what they are; returns whether any was queued."""
        queued = False
        for slot, text in labels:
            kind = _classify(text, slot, labels, self.level1)
            target = self.q1 if kind == "level1" else self.q2
            if target and target[-1].text == text and target[-1].row == row:
                continue  # the same label printed twice on the row
            if slot != kind and note is not None:
                note(kind, f"{_NAMES[kind]}指标 {text!r} printed in the {_NAMES.get(slot, slot)} column")
            target.append(_Queued(text, row, slot))
            queued = True
        return queued


def _classify(text: str, slot: str, labels: list[tuple[str, str]], current: str | None) -> str:
    """Is ``text`` a 一级 or a 二级 label? By the vocabulary; the column decides only what it cannot."""
    kind = level_kind(text)
    if kind == "level12":
        if family(text) == "产出" and label_key(text).startswith("成本"):
            # 成本指标 is 一级 in the 2021 template, over 经济/社会/生态环境成本指标
            return "level1" if slot == "level1" and any(family(t) == "成本" for _, t in labels) else "level2"
        # 满意度指标, 项目效益: the 二级 of a 一级 of its own family (printed on the row, or running), else
        # a 一级 label (Word prints 效益指标 | 满意度指标 where 满意度指标 heads the next group)
        head = next((t for s, t in labels if s == "level1"), current)
        return "level2" if slot == "level2" and head and family(head) == family(text) else "level1"
    if kind in ("level1", "level2"):
        return kind
    return "level1" if slot == "level1" else "level2"
