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
    "指标值", "完成值", "指标名称", "偏差原因分析及改进措施", "未完成原因和改进措施", "未完成原因及改进措施",
    "绩效指标",
    "实际完成情况", "全年实际完成情况", "年初设定目标", "负责人及电话", "项目负责人", "县级资金", "地方资金",
    "中央财政资金", "评价指标", "评价内容", "指标说明", "备注", "说明", "自评等级", "转移支付(项目)名称",
    "专项(项目)名称", "资金投入情况", "资金管理情况", "预算执行率", "年度财政资金总额", "预算执行情况")
_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
_COUNTER = re.compile(r"^\s*\d{1,3}、")
_PAGE_BREAK = re.compile(r"(?<!\s)(?=[^\S\n]*+\n)\s*+\d{1,3}、")
_CELL_WORDS = ("目标值", "指标值", "完成值", "实际值", "得分", "分值", "执行率", "说明", "备注", "指标名称", "预算数",
               "执行数")


def _word_of(label: str) -> str:
    return re.sub(r"[(（].*$", "", label)


_ANCHORS = frozenset(("年度指标值", "实际完成值", "全年预算数", "全年执行数", "年初预算数"))
_MIN_GLUED = 120


def is_glued(line: str) -> bool:
    """A line with no cell separator in which form labels follow each other with nothing between (a short
    line must show it as printed; in a long one, spaces are taken for wrapped cells)."""
    if "|" in line or "\t" in line or re.search(r"[ \u3000]{2}", line) or line.count(" ") * 15 > len(line):
        return False  # separated cells: by pipes, tabs, runs of spaces, or a space between most of them
    flat = line[:2000] if len(line) < _MIN_GLUED else _SPACE.sub("", line[:2000])
    found = list(_labels().finditer(flat))
    ends = [m.end() for m in found]
    starts = {m.start() for m in found}
    # cells printed with nothing between them: one label right after another, as a header row gives
    return sum(1 for e in ends if e in starts) >= 3


@functools.lru_cache(maxsize=1)
def _labels() -> re.Pattern[str]:
    # short level words (数量, 成本, 满意度) and 执行率 also end indicator names: only their long forms cut
    levels = {w for w in LEVEL_LABELS if w.endswith("指标")}
    words = set(_HEADER_WORDS) | NAME_LABELS | DEPT_LABELS | UNIT_LABELS | GOAL_EXPECTED | TOTAL_KEYS | levels
    words = {w for w in words if len(w) >= 2 and w not in ("执行率", "其中")}
    words |= {"执行率(B/A)", "执行率(B/A×100%)", "其中:"}
    title = r"(?:\d{4}年度?)?[\u4e00-\u9fff、]{0,30}?(?:自评表|评价指标表)(?:[(（]\d{4}年度?[)）])?"
    placeholder = r"指标\d{1,2}[:：]"
    note = r"(?:[(（][A-Za-z/×%\d万元分*执行率]{1,16}[)）])*"  # (A), (B/A×100%), (万元), (20分*执行率)
    listed = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"{title}|{placeholder}|(?:{listed}){note}")


@functools.lru_cache(maxsize=1)
def _values() -> re.Pattern[str]:
    units = sorted((u for u in default_vocabulary().units() if not u.isascii() or u == "%"), key=len, reverse=True)
    # 万 alone abbreviates 万元 in amount cells; 年 before 度 is the word 年度, not a unit
    unit = "|".join([*(re.escape(u) + ("(?!度)" if u == "年" else "") for u in units), "万"])
    # a run of digits and points is one cell even where several numbers were glued (194.9194.9100%):
    # the interpreter splits it by the form's arithmetic
    return re.compile(rf"(?:[≥≤=<>]|不低于|不少于|不高于|不超过)?\d[\d.]*(?:%|‰|(?:{unit}))?(?:/(?:{unit}))?"
                      r"(?:及以上|以上|及以下|以下|以内)?")


def glued_cells(text: str) -> list[str]:
    """The cells of glued text in reading order. A page counter (``2、`` opening a line) marks a page break
    inside a cell, so the lines around it are one; any other line break ends a cell. Spaces are wrapping."""
    text = _PAGE_BREAK.sub("", _COUNTER.sub("", text, count=1))
    labels, values = _labels(), _values()
    cells: list[str] = []
    for line in text.split("\n"):
        flat = _SPACE.sub("", line)
        found = list(labels.finditer(flat))
        pos = 0
        for k, m in enumerate(found):
            if not _cuts(m, found, k, flat):
                continue
            _free(flat[pos:m.start()], values, cells)
            cells.append(m.group(0))
            pos = m.end()
        _free(flat[pos:], values, cells)
    return _names_with_numbers([c for c in cells if c], labels, values)


def _cuts(m: re.Match[str], found: list[re.Match[str]], k: int, flat: str) -> bool:
    """Is this label a cell of its own? Level labels, form labels and totals always are; a header word
    (目标值, 得分) inside a phrase (达到目标值) is one only beside another label, as in a header row."""
    word = m.group(0)
    if word.endswith(("指标", "自评表", "指标表")) or not _word_of(word).startswith(_CELL_WORDS) or _word_of(
            word) in _ANCHORS:
        return True
    before = found[k - 1].end() == m.start() if k else m.start() == 0
    after = (k + 1 < len(found) and found[k + 1].start() == m.end()) or m.end() == len(flat)
    return before or after


def _names_with_numbers(cells: list[str], labels: re.Pattern[str], values: re.Pattern[str]) -> list[str]:
    """A 三级 name that holds figures (``5000吨稻谷、500吨成品粮储备到位率``) was cut at them: after a level label,
    a name that starts with a figure runs up to the row's first two values in a row."""
    out: list[str] = []
    k = 0
    while k < len(cells):
        out.append(cells[k])
        k += 1
        if not (out[-1].endswith("指标") and labels.fullmatch(out[-1])):
            continue
        is_value = [bool(values.fullmatch(c)) for c in cells[k:k + 8]]
        pair = next((j for j in range(len(is_value) - 1) if is_value[j] and is_value[j + 1]), None)
        if pair and pair > 1 and is_value[0] and not any(labels.fullmatch(c) for c in cells[k:k + pair]):
            out.append("".join(cells[k:k + pair]))
            k += pair
    return out


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
