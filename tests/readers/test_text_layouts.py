"""One form, many text layouts, one reading: pipes, tabs, runs of spaces, one cell per line.

The rows below are a 湖北-style form as published (funding out of 20, no indicator weight column,
weights only in the 一级 labels) and a 安徽-style one (分值 before 年度指标值, 其中 sub-rows). Each is written
in every layout the text reader recovers, and every layout must give the same fields.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.readers.grid import forms_from_grid
from perfscore.readers.text import read_text
from perfscore.readers.text_grid import grid_from_text

HUBEI = [
    ["项目支出绩效自评表"],
    ["(2023年度)"],
    ["项目名称", "春节慰问经费", "主管部门", "市退役军人事务局"],
    ["预算执行情况(万元)(20分)", "预算数(A)", "执行数(B)", "执行率(B/A)", "得分(20分*执行率)"],
    ["年度财政资金总额", "34.64", "34.64", "100%", "20"],
    ["一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "得分"],
    ["产出指标(60分)", "数量指标", "慰问重点优抚对象人数", "≥150人", "156人", "20"],
    ["质量指标", "补助经费足额拨付率", "100%", "100%", "20"],
    ["时效指标", "春节前完成走访慰问", "按时限完成", "按时完成", "20"],
    ["效益指标(10分)", "社会效益指标", "群体性事件发生次数", "小于5次", "0次", "10"],
    ["满意度指标(10分)", "服务对象满意度指标", "慰问对象满意率", "≥95%", "98%", "10"],
    ["总分(100分)", "100", "自评等级", "优"],
]

ANHUI = [
    ["绩效目标自评表"],
    ["项目名称", "特色种养补贴到户项目", "实施单位", "张庄寨镇人民政府"],
    ["资金情况(万元)"],
    ["全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分"],
    ["年度资金总额:", "9.48", "9.48", "10", "100%", "10"],
    ["绩效指标", "一级指标"],
    ["二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分", "未完成原因及拟采取的改进措施"],
    ["产出指标(50分)"],
    ["数量指标", "补助瓜果蔬菜种植面积", "20", "29.5亩", "29.5亩", "20"],
    ["其中桃树种植面积", "1.5亩", "1.5亩"],
    ["补助鱼塘面积", "10", "3亩", "3亩", "10"],
    ["质量指标", "种植作物成活率", "20", "≥95%", "95%", "20"],
    ["……"],
    ["效益指标(40分)"],
    ["社会效益指标", "受益人口数量", "40", "90人", "90人", "40"],
    ["总分", "100"],
]


def pipes(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(row) + " | ||||" for row in rows)


def tabs(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in rows)


def spaces(rows: list[list[str]]) -> str:
    return "\n".join("  ".join(row) for row in rows)


def one_per_line(rows: list[list[str]]) -> str:
    return "\n\n".join(cell for row in rows for cell in row)


def one_per_line_pipes(rows: list[list[str]]) -> str:
    return "\n".join(f"{cell} |" for row in rows for cell in row)


LAYOUTS = [pipes, tabs, spaces, one_per_line, one_per_line_pipes]


def fields(text: str) -> dict:
    doc = read_text(text, "form.txt")
    assert len(doc.forms) == 1
    form = doc.forms[0]
    total = form.funding.total if form.funding else None
    return {
        "name": form.name,
        "total": form.reported_total,
        "grade": form.reported_grade,
        "funding": total and (total.annual_budget, total.executed, total.weight, total.execution_rate, total.score),
        "rows": [(i.level1, i.level2, i.level3, i.target, i.actual, i.weight, i.score) for i in form.indicators],
    }


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda f: f.__name__)
def test_hubei_layout_reads_the_same_in_every_text_layout(layout):
    got = fields(layout(HUBEI))
    assert got["name"] == "春节慰问经费"
    assert got["total"] == Decimal(100) and got["grade"] == "优"
    # 分值 20 is printed only in the header: 预算执行情况(万元)(20分), 得分(20分*执行率)
    assert got["funding"] == (Decimal("34.64"), Decimal("34.64"), Decimal(20), Decimal(100), Decimal(20))
    assert [r[:5] for r in got["rows"]] == [
        ("产出指标", "数量指标", "慰问重点优抚对象人数", "≥150人", "156人"),
        ("产出指标", "质量指标", "补助经费足额拨付率", "100%", "100%"),
        ("产出指标", "时效指标", "春节前完成走访慰问", "按时限完成", "按时完成"),
        ("效益指标", "社会效益指标", "群体性事件发生次数", "小于5次", "0次"),
        ("满意度指标", "服务对象满意度指标", "慰问对象满意率", "≥95%", "98%"),
    ]
    assert [r[6] for r in got["rows"]] == [Decimal(v) for v in (20, 20, 20, 10, 10)]
    assert got == fields(pipes(HUBEI))


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda f: f.__name__)
def test_weight_before_target_and_sub_rows(layout):
    got = fields(layout(ANHUI))
    assert got["funding"] == (Decimal("9.48"), Decimal("9.48"), Decimal(10), Decimal(100), Decimal(10))
    rows = {r[2]: r for r in got["rows"]}
    assert rows["补助瓜果蔬菜种植面积"][3:] == ("29.5亩", "29.5亩", Decimal(20), Decimal(20))
    assert rows["补助鱼塘面积"][:2] == ("产出指标", "数量指标")
    assert rows["种植作物成活率"][1:] == ("质量指标", "种植作物成活率", "≥95%", "95%", Decimal(20), Decimal(20))
    assert rows["受益人口数量"][:2] == ("效益指标", "社会效益指标")
    assert not any(r[2] == "……" for r in got["rows"])  # template placeholders are not indicators
    assert got == fields(pipes(ANHUI))


def _numbers(text: str) -> set[Decimal]:
    return {Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from([HUBEI, ANHUI]), st.sampled_from(LAYOUTS), st.randoms(use_true_random=False),
       st.sampled_from(["\n", "\n\n", "\n \n"]))
def test_damaged_layouts_never_raise_nor_invent_numbers(rows, layout, rnd: random.Random, blank):
    """Blank lines shuffled in, cells split and glued at random: the reader may read less, never more."""
    cells = [list(row) for row in rows]
    for row in cells:
        if len(row) > 1 and rnd.random() < 0.3:
            k = rnd.randrange(len(row) - 1)
            row[k:k + 2] = [row[k] + row[k + 1]]
        if rnd.random() < 0.2:
            k = rnd.randrange(len(row))
            cut = rnd.randrange(len(row[k]) + 1)
            row[k:k + 1] = [row[k][:cut], row[k][cut:]]
    lines = layout(cells).split("\n")
    text = "".join(line + (blank if rnd.random() < 0.3 else "\n") for line in lines)
    try:
        doc = read_text(text, "form.txt")
    except Exception as exc:  # only the reader's own one-line error is allowed
        assert type(exc).__name__ == "ReadError", exc
        return
    printed = _numbers(text)
    for form in doc.forms:
        for ind in form.indicators:
            for value in (ind.weight, ind.score):
                assert value is None or value in printed
        if form.reported_total is not None:
            assert form.reported_total in printed


def test_the_samples_as_pipe_tables_read_back_through_the_loose_rows():
    """Every sample form, printed as a copied web page prints it (merged cells once, blanks gone), reads back
    with its figures, the target tables whose 三级 cells print a level word (数量指标) or a year included."""
    from pathlib import Path

    from perfscore.readers import read_documents
    from perfscore.writers.layout import cell_text, layout_form

    def pipe_text(form) -> str:
        lay = layout_form(form)
        covered = {(r, c) for r0, c0, r1, c1 in lay.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if (r, c) != (r0, c0)}
        return "\n".join(" | ".join(cell_text(v) for c, v in enumerate(row) if cell_text(v) and (r, c) not in covered)
                         for r, row in enumerate(lay.rows))

    def key(form):
        total = form.funding.total if form.funding else None
        return (form.reported_total, total and (total.annual_budget, total.executed, total.score),
                [(i.level3, i.target, i.actual, i.weight, i.score) for i in form.indicators])

    samples = Path(__file__).resolve().parents[2] / "samples"
    forms = [f for p in sorted(samples.glob("*.yaml")) for d in read_documents(p) for f in d.forms]
    same = sum(key(f) == key(read_text(pipe_text(f), "f.txt").forms[0]) for f in forms)
    assert len(forms) == 28 and same == 28


def _one(text: str):
    doc = read_text(text, "form.txt")
    assert len(doc.forms) == 1
    return doc.forms[0]


def test_self_and_review_score_columns():
    """自评分 is the reported score; a reviewer's 复核分 beside it is not."""
    form = _one("项目支出绩效自评表\n项目名称 | 道路养护\n"
                "一级指标 | 二级指标 | 三级指标 | 年初指标值 | 实际完成值 | 分值 | 自评分 | 复核分\n"
                "产出指标 | 数量指标 | 养护里程 | 300公里 | 300公里 | 15 | 15 | 14\n"
                "| 质量指标 | 验收合格率 | ≥95% | 96% | 12 | 12 | 12\n")
    assert [(i.level2, i.weight, i.score) for i in form.indicators] == [
        ("数量指标", Decimal(15), Decimal(15)), ("质量指标", Decimal(12), Decimal(12))]


def test_score_ratio_and_core_columns_do_not_shift_the_values():
    """重庆: 调整指标值, 得分系数(%), 是否核心指标 between the values and the points."""
    form = _one("部门整体支出绩效自评表\n部门名称 | 区水利局\n"
                "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 调整指标值 | 实际完成值 | 得分系数(%) | 是否核心指标 | 分值 | 得分\n"
                "产出指标 | 数量指标 | 河道巡查次数 | ≥12次 | ≥12次 | 12次 | 100% | 是 | 20 | 20\n"
                "效益指标 | 社会效益指标 | 水质达标率 | ≥90% | ≥90% | 85% | 94.4% | 否 | 10 | 9.44\n")
    rows = [(i.level3, i.initial_target, i.adjusted_target, i.actual, i.weight, i.score) for i in form.indicators]
    assert rows == [("河道巡查次数", "≥12次", "≥12次", "12次", Decimal(20), Decimal(20)),
                    ("水质达标率", "≥90%", "≥90%", "85%", Decimal(10), Decimal("9.44"))]


def test_transfer_payment_form_with_money_management_block():
    """区域/转移支付: 中央/地方 amounts with no score column, then a 资金管理情况 block of words."""
    form = _one("转移支付区域(项目)绩效目标自评表\n(2023年度)\n转移支付(项目)名称 | 动物防疫补助\n"
                "中央主管部门 | 农业农村部 | 地方主管部门 | 省农业农村厅\n资金投入情况(万元) | 全年预算数(A) | 全年执行数(B) | "
                "预算执行率(B/A×100%)\n年度资金总额: | 148 | 46 | 31.00%\n其中:中央财政资金 | 102 | 0 | 0%\n"
                "地方资金 | 46 | 46 | 100%\n资金管理情况 | 情况说明 | 存在问题和改进措施\n分配科学性 | 分配科学 | 无\n"
                "一级指标 | 二级指标 | 三级指标 | 指标值 | 全年实际值\n产出指标 | 数量指标 | 免疫数量 | ≥10万头 | 12万头\n")
    total = form.funding.total
    assert (form.name, total.annual_budget, total.executed, total.execution_rate) == (
        "动物防疫补助", Decimal(148), Decimal(46), Decimal(31))
    assert [(r.label, r.annual_budget) for r in form.funding.breakdown] == [("中央财政资金", Decimal(102)),
                                                                          ("地方资金", Decimal(46))]
    assert [(i.level3, i.target, i.actual) for i in form.indicators] == [("免疫数量", "≥10万头", "12万头")]


def test_wrapped_level_labels_words_as_operators_and_placeholders():
    form = _one("项目支出绩效自评表\n项目名称 | 护工培训\n一级指标 | 二级指标 | 三级指标 | 目标值 | 完成值 | 分值 | 得分\n"
                "产 出 指 标 (50分) | 数量指标 | 指标1:培训人数 | 12500名 | 12166名 | 50 | 48.66\n"
                "| | 指标2: | | | |\n效益指\n标(40\n分) | 社会效益指标 | 参训学员就业率 | 60%及以上 | 53.53% | 40 | 35.69\n"
                "满意度指标(10分) | 服务对象满意度指标 | 学员满意度 | 95%及以上 | 88.32%及以上 | 10 | 9.3\n……\n")
    assert [(i.level1, i.level3, i.target, i.actual) for i in form.indicators] == [
        ("产出指标", "指标1:培训人数", "12500名", "12166名"),
        ("效益指标", "参训学员就业率", "60%及以上", "53.53%"),
        ("满意度指标", "学员满意度", "95%及以上", "88.32%及以上")]


def test_a_form_that_lost_every_digit_is_read_incomplete_never_zeros():
    form = _one("年学生资助项目绩效目标自评表\n项目名称 | 学生资助项目\n一级指标 | 二级指标 | 三级指标 | 年初目标值() | 实际完成值() | 得分\n"
                "产出指标 | 数量指标 | 国家奖学金人数 | 人 | 人 |\n| 成本指标 | 国家助学金人均资助 | 元 | 元 |\n")
    assert "read-incomplete" in [n.code for n in form.read_notes]
    assert all(i.weight is None and i.score is None for i in form.indicators) and form.reported_total is None


def _interpreted(text: str):
    """The one layout interpreter over the rows recovered from text (no second reading to fall back on)."""
    forms = forms_from_grid(grid_from_text(text, "form.txt"))
    assert len(forms) == 1
    return forms[0]


_HEAD = ("项目支出绩效自评表\n项目名称\t\t道路养护\n"
         "绩效指标\t一级指标\t二级指标\t三级指标\t年初指标值\t调整后指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n")


def test_a_level1_label_printed_one_row_early_waits_for_its_group():
    """Word prints 效益指标 beside 成本指标, which still belongs to 产出指标: the label heads the next row."""
    form = _interpreted(_HEAD + "\t产出指标\t数量指标\t养护里程\t=300公里\t=300公里\t=300公里\t20\t20\t\n"
                        "\t效益指标\t成本指标\t养护成本\t≤60万元\t≤60万元\t≤58万元\t10\t10\t\n"
                        "\t\t社会效益指标\t通行条件\t改善\t改善\t达成预期指标\t30\t30\t\n")
    assert [(i.level1, i.level2) for i in form.indicators] == [
        ("产出指标", "数量指标"), ("产出指标", "成本指标"), ("效益指标", "社会效益指标")]
    assert any(n.code == "repair-label-shift" and "one row early" in n.message for n in form.read_notes)


def test_a_level2_label_in_the_level1_place_and_a_name_printed_twice():
    form = _interpreted(_HEAD + "\t产出指标\t数量指标\t养护里程\t=300公里\t=300公里\t=300公里\t20\t20\t\n"
                        "\t成本指标\t成本指标\t\t未填报\t部分达成预期指标\t10\t5\t未全部支付\n"
                        "\t效益指标\t社会效益指标\t通行条件\t通行条件\t改善\t改善\t达成预期指标\t30\t30\t\n")
    assert [(i.level1, i.level2, i.level3) for i in form.indicators] == [
        ("产出指标", "数量指标", "养护里程"), ("产出指标", "成本指标", "成本指标"), ("效益指标", "社会效益指标", "通行条件")]
    # the blank 年初指标值 cell of a tab line keeps its place: 未填报 is the 调整后 value
    assert [(i.initial_target, i.adjusted_target) for i in form.indicators] == [
        ("=300公里", "=300公里"), (None, "未填报"), ("改善", "改善")]


def test_total_printed_on_the_line_below_its_label():
    form = _interpreted(_HEAD + "\t产出指标\t数量指标\t养护里程\t=300公里\t=300公里\t=300公里\t20\t20\t\n"
                        "总分\t\t\t\t\t\t\t\t\n\t\t\t\t\t\t\t94.61\t优\t\n")
    assert (form.reported_total, form.reported_grade) == (Decimal("94.61"), "优")


def test_a_funding_figure_repeated_under_a_merged_header_is_dropped_by_the_arithmetic():
    """年初预算数 spans three columns: 17.12 is printed once more than there are amount columns."""
    form = _interpreted("2022年度公务员考核奖金项目支出绩效自评表 (2023年度)\n项目名称\t\t公务员考核奖金\n"
                        "项目资金(万元)\t\t年初预算数\t\t\t全年预算数\t全年执行数\t资金结(转)余\t执行率\t得分\n"
                        "\t\t目标申报数\t预算编制数\n资金总额:\t\t17.12\t17.12\t17.12\t17.12\t17.12\t0\t100\t10\t\n"
                        "市属区财政资金, 其中 上级补助\t\t17.12\t17.12\t17.12\t17.12\t17.12\t0\t100.00\t10.00\n")
    total = form.funding.total
    assert (total.annual_budget, total.executed, total.balance, total.execution_rate, total.score) == (
        Decimal("17.12"), Decimal("17.12"), Decimal(0), Decimal(100), Decimal(10))
    assert form.funding.breakdown[0].label == "市属区财政资金, 其中 上级补助"  # a tab line keeps its spaces
    assert form.year == 2023


def _word(rows: list[list[str]]) -> str:
    """A Word table copied as text: each cell behind a tab on its own line, a blank line after each row."""
    return "\n\n".join("\n".join("\t" + cell for cell in row) for row in rows) + "\n"


def test_a_word_table_copied_as_text_reads_row_by_row():
    """Cells wrap onto lines without a tab (数量\\n指标); blank lines end rows; prose after the table is prose."""
    text = ("项目支出绩效目标完成情况表\n(2020年度)\n\n" + _word([
        ["项目名称", "巡察信息化建设及维护"], ["预算单位", "区委巡察办"],
        ["预算执行情况(万元)", "预算数:", "10.00", "执行数:", "9.50"], ["", "其中-财政拨款:", "10.00", "其中-财政拨款:", "9.50"],
        ["绩效指标完成情况", "一级指标", "二级指标", "三级指标", "预期指标值", "实际完成指标值"],
        ["", "项目完成指标", "数量\n指标", "数量指标", "扫描档案1044本", "扫描档案1044本"],
        ["", "效益指标", "社会效益指标", "社会效益", "彰显巡察作用", "提升巡察影响力"],
        ["", "满意度指标", "满意度指标", "群众满意度", "较高", "较高"]])
        + "2.部门绩效评价结果。\n本部门按要求开展自评。\n")
    form = _interpreted(text)
    assert (form.name, form.year) == ("巡察信息化建设及维护", 2020)
    assert [(r.label, r.annual_budget, r.executed) for r in form.funding.rows()] == [
        ("预算执行情况", Decimal(10), Decimal("9.50")), ("财政拨款", Decimal(10), Decimal("9.50"))]
    assert [(i.level1, i.level2, i.level3, i.initial_target) for i in form.indicators] == [
        ("项目完成指标", "数量指标", "数量指标", "扫描档案1044本"), ("效益指标", "社会效益指标", "社会效益", "彰显巡察作用"),
        ("满意度指标", "满意度指标", "群众满意度", "较高")]


def test_a_lone_figure_in_the_target_column_is_the_weight_when_the_weights_then_add_up():
    """宁晋: 规章制度建立与否 prints only 20, under 目标值; as its 分值 the weights make the 总分 of 100."""
    form = _interpreted("高中助学金项目绩效评价指标表\n项目名称 | 高中助学金\n"
                        "一级指标 | 二级指标 | 三级指标 | 目标值 | 分值\n产出指标 | 制度指标 | 规章制度建立与否 | 20\n"
                        "| 数量指标 | 享受资助人数 | 2100人 | 40\n| 质量指标 | 建档立卡学生覆盖率 | 100% | 40\n总分 | 100\n")
    assert [(i.initial_target, i.weight) for i in form.indicators] == [
        (None, Decimal(20)), ("2100人", Decimal(40)), ("100%", Decimal(40))]
    assert any(n.field == "indicators[0].weight" for n in form.read_notes)
    changed = _interpreted("高中助学金项目绩效评价指标表\n项目名称 | 高中助学金\n"
                           "一级指标 | 二级指标 | 三级指标 | 目标值 | 分值\n产出指标 | 制度指标 | 规章制度建立与否 | 20\n"
                           "| 数量指标 | 享受资助人数 | 2100人 | 40\n| 质量指标 | 建档立卡学生覆盖率 | 100% | 30\n")
    assert changed.indicators[0].initial_target == "20"  # 20 + 40 + 30 is not 100: the figure stays a target


def test_a_checklist_form_prints_its_budget_among_the_indicator_rows():
    """彭水: 年度预算资金总额 as a label and an amount inside the indicator table; the first one is the total."""
    form = _interpreted("计划生育服务项目绩效自评表\n一级指标  二级指标  三级指标  自评内容  完成情况\n"
                        "项目预算管理  资金投入  预算编制科学性  依据充分  已按要求完成预算\n"
                        "计划生育转移支付资金合计(万元)  年度预算资金总额):  1084.25\n其中:中央补助  668.00\n"
                        "奖励扶助制度补助资金(万元)\n年度预算资金总额:  763.00\n")
    assert form.funding.total.annual_budget == Decimal("1084.25")
    assert [i.level3 for i in form.indicators][:1] == ["预算编制科学性"]


def test_full_width_figures_read_as_numbers():
    """２０，９５％，３．５: full-width digits (typed in Chinese input modes) are the numbers they show."""
    ascii_form = _one("项目支出绩效自评表\n项目名称 | 道路养护\n全年预算数 | 全年执行数 | 执行率\n年度资金总额 | 50 | 45 | 90%\n"
                      "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分\n"
                      "产出指标 | 数量指标 | 养护里程 | ≥3.5公里 | 3.5公里 | 20 | 20\n总分 | 95\n")
    wide = _one("项目支出绩效自评表\n项目名称 | 道路养护\n全年预算数 | 全年执行数 | 执行率\n年度资金总额 | ５０ | ４５ | ９０％\n"
                "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分\n"
                "产出指标 | 数量指标 | 养护里程 | ≥３．５公里 | ３．５公里 | ２０ | ２０\n总分 | ９５\n")
    assert wide.model_dump(exclude={"source", "read_notes"}) == ascii_form.model_dump(exclude={"source", "read_notes"})
    assert wide.funding.total.execution_rate == 90 and wide.reported_total == 95
