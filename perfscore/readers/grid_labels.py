"""The printed-label vocabulary and header recognition: which labels the forms print and what they mean.

Label sets and regexes (项目名称, 总分, titles, years, …), the mappers from a funding or indicator header
label to a field, and the header matchers that map fields to columns. Kept apart from
:mod:`perfscore.readers.grid` so the vocabulary can be read and extended without the layout walk, and
from :mod:`perfscore.readers.grid_cells`, which knows cells but no labels.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from perfscore.readers.grid_cells import Grid, label_key

# ------------------------------------------------------------------------------------- vocabulary

NAME_LABELS = {"项目名称", "项目支出名称", "预算项目名称", "二级项目名称", "项目名", "预算部门名称", "部门名称",
               "单位名称", "预算单位名称", "部门单位名称", "专项名称", "专项资金名称", "转移支付名称", "资金名称"}
DEPT_NAME_LABELS = {"预算部门名称", "部门名称", "部门单位名称"}
DEPT_LABELS = {"主管部门及代码", "主管部门", "主管部门名称", "主管单位", "主管部门代码", "主管部门及编码",
               "项目主管单位", "项目主管部门", "市级主管部门", "县级主管部门", "中央主管部门", "省级主管部门"}
UNIT_LABELS = {"预算单位", "实施单位", "项目实施单位", "预算单位及代码", "实施单位名称", "项目单位", "资金使用单位"}
GOAL_EXPECTED = {"年度目标", "预期目标", "总体目标", "年度总体目标", "年度绩效目标", "项目年度绩效目标",
                 "绩效目标", "项目绩效目标", "计划目标", "年初目标", "年度预期目标", "预期绩效目标"}
TOTAL_KEYS = {"总分", "合计", "总计", "综合得分", "自评总分", "总得分", "得分合计", "合计得分", "自评得分合计"}
GRADE_KEYS = ("自评等级", "评价等级", "绩效等级", "评定等级", "等级", "自评结果", "评价结果")
STOP_PREFIXES = ("项目绩效分析", "项目支出绩效分析", "绩效分析", "自评结果分析", "备注", "说明", "填表说明",
                 "填报人", "填表人", "联系电话", "单位负责人", "财务负责人", "审核人", "绩效自评结论")
GRADES = {"优": "优", "良": "良", "中": "中", "差": "差", "优秀": "优", "良好": "良", "中等": "中", "较差": "差"}
"""Printed grades → the rule sets' grade names; one map for every reader (优秀 is 优)."""
GRADE = re.compile(r"^(优秀|优|良好|良|中等|中|差|较差|合格|不合格|及格|不及格|一般)$")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?")
YEAR_ONLY = re.compile(r"^[（(]?\s*((?:19|20)\d{2})\s*年度?\s*[)）]?$")
# Labels can be whole cells of untrusted text: spaces are possessive and a run of them is tried from its
# first character only, so no pattern re-scans a run from each of its characters (linear, not quadratic).
YEAR_PAREN = re.compile(r"(?<!\s)\s*+[（(]\s*+((?:19|20)\d{2})\s*+年度?+\s*+[)）]\s*+")
TITLE = re.compile(
    r"(自评表|自评情况表|完成情况表|绩效目标表|绩效评价表|评价指标表|绩效目标完成情况)\s*+([（(]\s*+\d{4}\s*+年度?+\s*+[)）])?\s*+$")
TITLE_SUFFIX = re.compile(
    r"(?:项目支出|部门整体支出|整体支出|部门|项目)?(?:绩效)?(?:自评表|自评情况表|目标完成情况表?|完成情况表|绩效评价表|评价指标表)$")
ATTACHMENT = re.compile(r"^附件\s*+[\d一二三四五六七八九十]*+\s*+[:：]?+\s*+")
FUNDING_POINTS = re.compile(r"(\d{1,3})\s*分\s*[*×xX]\s*执行率|预算执行\S{0,8}?[(（]\s*(\d{1,3})\s*分\s*[)）]")
"""The funding block's 分值 printed in its caption: 预算执行情况(万元)(20分), 得分(20分*执行率)."""
UNIT_IN_CAPTION = re.compile(r"[（(]\s*(万元|元|千元|亿元)\s*[)）]")
# the label runs to the colon less its trailing spaces (word by word: a lazy label would re-split them)
INLINE_AMOUNT = re.compile(r"^(?:其中\s*+[:：]?+\s*+)?(?P<label>\s*+[^:：\s]++(?:\s++[^:：\s]++)*+|\s)"
                           r"\s*+[:：]\s*+(?P<num>[+-]?[\d,]++(?:\.\d++)?)\s*+(?:万元)?$")


@functools.lru_cache(maxsize=4096)
def funding_field(k: str) -> str | None:
    if k in ("目标申报数", "申报数", "目标申报"):
        return "target_declared"
    if k in ("预算编制数", "编制数", "预算编制"):
        return "budget_compiled"
    if k.startswith("年初预算") or k in ("年初数", "年初安排数", "年初预算安排"):
        return "initial_budget"
    if k.startswith("全年预算") or k in ("预算数", "调整后预算数", "全年调整预算数", "调整预算数", "全年预算安排",
                                         "计划安排资金", "预算安排资金", "年度预算资金总额", "预算资金总额"):
        return "annual_budget"
    if k.startswith("全年执行") or k in ("执行数", "实际执行数", "全年实际执行数", "实际支出数", "全年实际支出",
                                          "实际支出", "支出数", "决算数", "全年支出数"):
        return "executed"
    if (("结" in k and "余" in k) or k.startswith(("资金结转", "结转"))) and len(k) <= 8:
        return "balance"
    if k in ("分值", "权重", "分值权重"):
        return "weight"
    if k.startswith("执行率") or k == "预算执行率":
        return "execution_rate"
    if k in ("得分", "自评得分", "评分"):
        return "score"
    if k.startswith("偏差") or ("原因" in k and len(k) <= 14):
        return "deviation_reason"
    return None


_INITIAL_TARGET_KEYS = {"年初指标值", "年度指标值", "预期指标值", "指标值", "年度目标值", "目标值", "预期目标值",
                        "年初目标值", "计划指标值", "年度指标", "绩效指标值", "年初设定指标值", "年初预期指标值",
                        "预期值", "年度计划值", "计划值", "目标指标值"}
_ACTUAL_KEYS = {"实际值", "完成值", "全年实际值", "实际完成值", "实际指标值", "实际完成情况", "全年实际完成值",
                "实际完成", "完成情况"}


@functools.lru_cache(maxsize=4096)
def indicator_field(k: str) -> str | None:
    if k.startswith("一级指标"):
        return "level1"
    if k.startswith("二级指标"):
        return "level2"
    if k.startswith("三级指标") or k in ("指标名称", "三级指标名称"):
        return "level3"
    if "调整" in k and ("指标" in k or "目标" in k or k.endswith("值")):
        return "adjusted_target"
    if k in _INITIAL_TARGET_KEYS or (k.startswith(("年初", "预期", "年度")) and k.endswith("值")):
        return "initial_target"
    if k in _ACTUAL_KEYS or ("原因" not in k and (k.startswith("实际完成") or k.endswith(("完成值", "实际值")))):
        return "actual"
    if k in ("分值", "权重", "指标分值", "分值权重", "权重分值", "指标权重"):
        return "weight"
    if k in ("得分", "自评得分", "评分", "评价得分", "指标得分", "自评分"):
        return "score"
    if k in ("复核分", "复核得分", "审核得分", "评审得分"):
        return "review_score"  # a reviewer's score beside the unit's own: kept apart, not the reported score
    if k.startswith("得分系数"):
        return "score_ratio"
    if k in ("是否核心指标", "核心指标"):
        return "core"
    if k.startswith("偏差") or (("原因" in k or k.endswith("改进措施")) and len(k) <= 14):
        return "deviation_reason"
    if k in ("度量单位", "计量单位", "单位"):
        return "measure_unit"
    if k in ("指标性质", "指标方向", "指标类型"):
        return "nature"
    if k in ("指标说明", "指标解释", "评价内容", "评价标准", "评分标准", "评价标准及依据", "评分办法"):
        return "criteria"  # how the row is judged: a column of text, not a value of the indicator
    return None


def looks_like_level(text: str) -> bool:
    return "指标" in text and len(text) <= 16


# --------------------------------------------------------------------------------------- headers


@dataclass
class ColumnMap:
    fields: dict[str, list[int]]
    header_rows: int

    def first(self, name: str) -> int | None:
        cols = self.fields.get(name)
        return cols[0] if cols else None


def match_header(grid: Grid, r: int, matcher: Callable[[str], str | None]) -> ColumnMap:
    """Map fields to columns from the header at row r and, when present, its sub-header at r + 1."""
    sub: int | None = None
    if r + 1 < len(grid) and r + 1 not in grid.text_rows and r + 1 not in grid.loose_rows:
        hits = 0
        ok = True
        for c, value in grid.distinct(r + 1):
            if grid.covered_from_above(r + 1, c, top=r):
                continue
            k = label_key(value)
            top = label_key(grid.cell(r, c))
            if matcher(k) or matcher(k + top) or matcher(top + k):
                hits += 1
            else:
                ok = False
                break
        if ok and hits:
            sub = r + 1
    fields: dict[str, list[int]] = {}
    for c in range(len(grid.cells[r])):
        top = label_key(grid.cell(r, c))
        name = None
        if sub is not None and not grid.covered_from_above(sub, c, top=r):
            k = label_key(grid.cell(sub, c))
            if k:
                name = matcher(k) or matcher(k + top) or matcher(top + k)
        if name is None and top:
            name = matcher(top)
        if name:
            fields.setdefault(name, []).append(c)
    return ColumnMap(fields, 2 if sub is not None else 1)


def indicator_header(grid: Grid, r: int) -> bool:
    found = {indicator_field(label_key(v)) for _, v in grid.distinct(r)}
    if r in grid.loose_rows and "level3" in found and found & {"initial_target", "actual"}:
        return True  # the 一级/二级 heading cells were printed on the line before (or not at all)
    return ("level3" in found and ("level1" in found or "level2" in found)) or (
        "level1" in found and "level2" in found)


def funding_header(grid: Grid, r: int) -> bool:
    found = [funding_field(label_key(v)) for _, v in grid.distinct(r)]
    known = {f for f in found if f}
    return bool(known & {"annual_budget", "executed"}) and len(known) >= 2


# ------------------------------------------------------------------------------------- level labels

_LEVEL1 = {"产出指标", "效益指标", "满意度指标", "成本指标", "项目完成指标", "项目决策", "项目管理", "项目绩效",
           "过程指标", "决策指标",
           "决策", "过程", "产出", "效益", "满意度", "项目产出", "项目效益", "项目年度绩效目标"}
_LEVEL2 = {"数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
           "可持续影响指标", "可持续发展指标", "服务对象满意度指标", "社会公众满意度指标", "满意度指标",
           "经济成本指标", "社会成本指标", "生态环境成本指标", "产出数量", "产出质量", "产出时效", "产出成本",
           "数量", "质量", "时效", "成本", "满意度", "经济效益", "社会效益", "生态效益", "可持续影响", "服务对象满意度",
           "产出数量指标", "产出质量指标", "产出时效指标", "产出成本指标", "制度指标", "生态环境效益指标",
           # the 决策/过程/产出/效益 evaluation template
           "项目立项", "绩效目标", "资金投入", "资金管理", "组织实施", "项目效益", "实施效益"}
LEVEL_LABELS = frozenset(_LEVEL1 | _LEVEL2)
_LEVEL_NOTE = re.compile(r"(?<!\d)\d++(?:\.\d++)?分$")  # from a number's first digit: linear
_FAMILY = {stem: name for name, stems in (
    ("产出", ("数量", "质量", "时效", "成本", "产出数量", "产出质量", "产出时效", "产出成本")),
    ("效益", ("经济效益", "社会效益", "生态效益", "生态环境效益", "可持续影响", "可持续发展")),
    ("满意度", ("服务对象满意度", "社会公众满意度", "满意度")),
    ("成本", ("经济成本", "社会成本", "生态环境成本")),
    ("决策", ("项目立项", "绩效目标", "资金投入", "决策")), ("过程", ("资金管理", "组织实施", "过程", "管理")),
    ("效益", ("项目效益", "实施效益"))) for stem in stems}


def family(label: str) -> str | None:
    """The 一级 a 二级 label belongs to in the templates (成本指标 → 产出), or a 一级 label's own stem
    (产出指标 → 产出): how a label printed on the wrong row is put back under its 一级."""
    key = label_key(label).removesuffix("指标")
    if key not in _FAMILY:
        key = key.removeprefix("项目")
    if key in ("产出", "效益"):
        return key
    return _FAMILY.get(key)


@functools.lru_cache(maxsize=1 << 14)
def level_kind(text: str) -> str | None:
    """``"level1"``, ``"level2"`` or ``"level12"`` (either: 成本指标, 满意度指标) when ``text`` is a 一级/二级
    指标 label as the templates print them (spaced out, with a weight note ``(50分)`` or ``15 分``)."""
    key = _LEVEL_NOTE.sub("", label_key(text))
    one, two = key in _LEVEL1, key in _LEVEL2
    if one and two:
        return "level12"
    return "level1" if one else "level2" if two else None
