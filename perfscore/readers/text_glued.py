"""Text whose table cells were glued together with no separator at all, back into cells.

Document-sharing sites and some page scrapers print a Word or Excel table as one run of characters:
``年度资金总额303010100%其中:当年财政拨款303030100%…产出指标数量指标更新剧团…50件50件2020``, with page counters
(``2、``) where the pages broke and spaces where cells wrapped. The cells are found again by what the forms
print: every label of the form vocabulary (:mod:`perfscore.readers.grid_labels`) is a cell of its own, and so
is every value (a number with an operator and a unit of ``indicators/vocabulary.yaml``); what lies between
is a name or a phrase. Numbers glued to each other (``303010100%``, ``2018``) stay one cell here: the layout
interpreter splits them where the form's arithmetic says (:mod:`perfscore.readers.row_align`).
"""

from __future__ import annotations

import functools
import re

from perfscore.readers.grid_labels import (
    DEPT_LABELS,
    GOAL_EXPECTED,
    LEVEL_LABELS,
    NAME_LABELS,
    TOTAL_KEYS,
    UNIT_LABELS,
)
from perfscore.values import default_vocabulary

_HEADER_WORDS = (
    "年初预算数", "全年预算数", "全年执行数", "全年执行", "预算数", "执行数", "执行率", "分值", "得分", "年度资金总额",
    "资金总额", "其中", "当年财政拨款", "本年财政拨款", "上年结转资金", "上年结转", "其他资金", "项目资金", "资金情况",
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "全年完成值", "全年实际值", "年初目标值", "目标值",
    "指标值", "完成值", "指标名称", "偏差原因分析及改进措施", "未完成原因和改进措施", "未完成原因及改进措施", "绩效指标",
    "实际完成情况", "全年实际完成情况", "年初设定目标", "负责人及电话", "项目负责人", "县级资金", "地方资金",
    "中央财政资金", "评价指标", "评价内容", "指标说明", "备注", "说明", "自评等级")
_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
_COUNTER = re.compile(r"(?m)^\s*\d{1,3}、(?=\S)")
_MIN_GLUED = 120


def is_glued(line: str) -> bool:
    """A long line with no cell separator in which form labels follow each other with nothing between."""
    if len(line) < _MIN_GLUED or "|" in line or "\t" in line:
        return False
    flat = _SPACE.sub("", line[:2000])
    ends = [m.end() for m in _labels().finditer(flat)]
    starts = {m.start() for m in _labels().finditer(flat)}
    # cells printed with nothing between them: one label right after another, as a header row gives
    return sum(1 for e in ends if e in starts) >= 3


@functools.lru_cache(maxsize=1)
def _labels() -> re.Pattern[str]:
    # short level words (数量, 成本, 满意度) and 执行率 also end indicator names: only their long forms cut
    levels = {w for w in LEVEL_LABELS if w.endswith("指标")}
    words = set(_HEADER_WORDS) | NAME_LABELS | DEPT_LABELS | UNIT_LABELS | GOAL_EXPECTED | TOTAL_KEYS | levels
    words = {w for w in words if len(w) >= 2 and w not in ("执行率", "其中")}
    words |= {"执行率(B/A)", "执行率(B/A×100%)", "其中:"}
    title = r"(?:\d{4}年度?)?[\u4e00-\u9fff、]{0,30}?自评表(?:[(（]\d{4}年度?[)）])?"
    placeholder = r"指标\d{1,2}[:：]"
    return re.compile("|".join([title, placeholder, *(re.escape(w) for w in sorted(words, key=len, reverse=True))]))


@functools.lru_cache(maxsize=1)
def _values() -> re.Pattern[str]:
    units = sorted((u for u in default_vocabulary().units() if not u.isascii() or u == "%"), key=len, reverse=True)
    unit = "|".join(re.escape(u) for u in units)
    # a run of digits and points is one cell even where several numbers were glued (194.9194.9100%):
    # the interpreter splits it by the form's arithmetic
    return re.compile(rf"(?:[≥≤=<>]|不低于|不少于|不高于|不超过)?\d[\d.]*(?:%|‰|(?:{unit}))?(?:/(?:{unit}))?")


def glued_cells(text: str) -> list[str]:
    """The cells of glued text in reading order (page counters and wrap spaces removed)."""
    flat = _SPACE.sub("", _COUNTER.sub("", text)).replace("\n", "")
    cells: list[str] = []
    labels, values = _labels(), _values()
    pos = 0
    for m in labels.finditer(flat):
        _free(flat[pos:m.start()], values, cells)
        cells.append(m.group(0))
        pos = m.end()
    _free(flat[pos:], values, cells)
    return [c for c in cells if c]


def _free(chunk: str, values: re.Pattern[str], cells: list[str]) -> None:
    """Split the text between two labels into its values and its phrases."""
    pos = 0
    for m in values.finditer(chunk):
        if m.start() > pos:
            cells.append(chunk[pos:m.start()])
        cells.append(m.group(0))
        pos = m.end()
    if pos < len(chunk):
        cells.append(chunk[pos:])
