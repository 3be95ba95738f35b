"""Loose rows placed in the header's fields by content, glued numbers split by the form's arithmetic."""

from __future__ import annotations

from perfscore.readers.row_align import align_funding, align_indicators, indicator_fields, splits
from perfscore.readers.text_glued import glued_cells, is_glued

FIELDS = ["level1", "level2", "level3", "weight", "initial_target", "actual", "score", "deviation_reason"]


def test_missing_level_columns_are_added_before_the_name():
    assert indicator_fields(["level3", "initial_target", "actual"])[:3] == ["level1", "level2", "level3"]
    assert indicator_fields(["level1", "level3", "actual"])[:3] == ["level1", "level2", "level3"]


def test_rows_split_where_a_new_name_follows_the_values():
    rows = align_indicators(["数量指标", "补助鱼塘面积", "10", "3亩", "3亩", "10", "其中鱼塘养殖面积", "3亩", "3亩"],
                            FIELDS)
    assert rows == [
        {"level2": "数量指标", "level3": "补助鱼塘面积", "weight": "10", "initial_target": "3亩", "actual": "3亩",
         "score": "10"},
        {"level3": "其中鱼塘养殖面积", "initial_target": "3亩", "actual": "3亩"},
    ]


def test_text_values_and_a_reason_stay_in_their_row():
    rows = align_indicators(["时效指标", "春节前完成走访", "10", "按时完成", "按时完成", "10", "无"], FIELDS)
    assert rows == [{"level2": "时效指标", "level3": "春节前完成走访", "weight": "10", "initial_target": "按时完成",
                     "actual": "按时完成", "score": "10", "deviation_reason": "无"}]


def test_placeholders_are_dropped_and_glued_points_split():
    rows = align_indicators(["成本指标", "演出设备成本", "2万元", "2万元", "2018", "指标2:", "……"],
                            ["level1", "level2", "level3", "initial_target", "actual", "weight", "score"])
    assert rows == [{"level2": "成本指标", "level3": "演出设备成本", "initial_target": "2万元", "actual": "2万元",
                     "weight": "20", "score": "18"}]


def test_splits_keep_the_percent_on_the_last_number():
    assert ["194.9", "194.9", "100%"] in splits("194.9194.9100%", 3)
    pieces = [p.rstrip("%") for s in splits("303010100%", 4) for p in s]
    assert pieces and all(not p.startswith("0") or p == "0" or p.startswith("0.") for p in pieces)
    assert splits("12", 1) == [] and splits("x12", 2) == []


def test_funding_numbers_placed_where_the_arithmetic_holds():
    cols = ["initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"]
    assert align_funding(["303010100%"], cols) == {"annual_budget": "30", "executed": "30", "weight": "10",
                                                   "execution_rate": "100%"}
    assert align_funding(["1484631.00%"], ["annual_budget", "executed", "execution_rate"]) == {
        "annual_budget": "148", "executed": "46", "execution_rate": "31.00%"}
    # fewer printed figures than columns: the rate and score land where B/A and rate × 分值 agree
    assert align_funding(["50", "45", "90%", "9"], cols) == {"annual_budget": "50", "executed": "45",
                                                            "execution_rate": "90%", "score": "9"}


def test_glued_text_is_cut_at_labels_and_values():
    text = ("1、项目支出绩效自评表(2020 年度)项目名称演出设备更新专项经费主管部门新洲区楚剧团项目资金 (万元)年初预算数"
            "全年预算数全年执行分值执行率得分年度资金总额303010100%绩 效 指 标一级指标二级指标三级指标年度 指标值实际 完成值"
            "分 值得 分产出指标数量指标更新剧团设备50件50件2020")
    assert is_glued(text)
    cells = glued_cells(text)
    assert cells[:3] == ["项目支出绩效自评表(2020年度)", "项目名称", "演出设备更新专项经费"]
    assert cells[-5:] == ["数量指标", "更新剧团设备", "50件", "50件", "2020"]
    assert "303010100%" in cells and "分值" in cells and "得分" in cells


def test_prose_with_labels_is_not_glued_text():
    prose = ("公共文化服务体系项目绩效自评综述:根据年初设定的绩效目标,项目绩效自评得分为95分。全年预算数为200万元,执行数为"
             "179.43万元,完成预算的89.7%。项目绩效目标完成情况:一是产出指标方面,开展活动130场;二是效益指标方面,丰富生活。")
    assert not is_glued(prose)
