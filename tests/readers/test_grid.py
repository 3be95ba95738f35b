"""The grid → forms logic shared by the Excel, Word and PDF readers (no files involved)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from perfscore.model import Document, Form
from perfscore.readers.grid import Grid, forms_from_grid, label_key, parse_decimal, read_grid
from perfscore.writers.layout import default_title, layout_form
from tests.conftest import strip_meta

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# Seed 000 (上党区 2023, 巡察经费) as a tab-separated sheet: no merge information, blank = same as above.
SEED_000 = """\
巡察经费项目支出绩效自评表

(2023年度)

项目名称\t\t巡察经费\t\t\t\t\t\t\t\t
主管部门及代码\t\t001-中国共产党长治市上党区委委员会办公室\t\t\t预算单位\t001003-中共长治市上党区委巡察工作办公室\t\t\t\t
项目资金预算安排及执行进度(万元)\t\t年初预算数\t\t全年预算数\t全年执行数\t资金结(转)余\t执行率\t得分\t偏差原因分析及改进措施\t
\t\t目标申报数\t预算编制数\t\t\t\t\t\t\t
资金总额:\t\t50\t50\t50\t22.873\t27.127\t45.75\t4.57\t\t
市惠区财政资金\t\t50\t50\t50\t22.873\t27.127\t45.75\t4.57\t\t
项目年度绩效目标\t年度目标\t\t\t\t实际完成情况\t\t\t\t\t
\t围绕十二届市委巡察全覆盖任务\t\t\t\t二届区委第五轮巡察\t\t\t\t\t
一级指标\t二级指标\t三级指标\t年初指标值\t调整后指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\t\t
产出指标\t数量指标\t办公设备购置数量\t≥11台\t≥11台\t≥7台\t5\t3.5\t实际购置设备数量小于计划数量\t\t
\t\t开展巡察次数(次)\t≥2次\t≥2次\t≥3次\t5\t5\t\t\t
\t质量指标\t问题整改率\t≥95%\t≥95%\t≥97%\t2.5\t2.5\t\t\t
\t时效指标\t巡察工作开展及时性\t及时\t及时\t达成预期指标\t5\t5\t\t\t
效益指标\t社会效益指标\t党风廉政建设建设\t提升\t提升\t达成预期指标\t10\t10\t\t\t
满意度指标\t服务对象满意度指标\t被巡察单位满意度\t≥95%\t≥95%\t≥96%\t5\t5\t\t\t
总分\t\t\t\t\t\t\t92.07\t优\t\t
项目绩效分析\t项目实施和预算执行情况\t\t通过采购办公设备\t\t\t\t\t\t\t
"""


def rows_of(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines()]




def sample_documents() -> list[tuple[str, Document]]:
    from perfscore.readers import structured

    out = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        doc = next(structured.read(path))
        for form in doc.forms:
            form.title = form.title or default_title(form)
        out.append((path.stem, doc))
    return out


# ---------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("text", "value", "status"), [
    ("22.873", Decimal("22.873"), None),
    ("1,035.8", Decimal("1035.8"), None),
    ("45.75%", Decimal("45.75"), None),
    ("10分", Decimal("10"), None),
    ("50万元", Decimal("50"), None),
    ("１２．５", Decimal("12.5"), None),
    (" 3.5 ", Decimal("3.5"), None),
    ("-2", Decimal("-2"), None),
    ("3,21.0,13328", Decimal("321.013328"), "repaired"),
    ("79.98852.24", None, "unreadable"),
    ("≥100%", None, "unreadable"),
    ("", None, None),
    ("/", None, None),
    ("——", None, None),
    ("……", None, None),
    (None, None, None),
])
def test_parse_decimal(text, value, status):
    got, got_status = parse_decimal(text)
    assert got_status == status
    assert got == value
    if value is not None:
        assert isinstance(got, Decimal)


def test_label_key_ignores_spacing_notes_and_traditional_characters():
    assert label_key("全年\n预算数(A)") == "全年预算数"
    assert label_key("资金结(转)余") == "资金结余"
    assert label_key("一級指標") == "一级指标"
    assert label_key("资金总额：") == "资金总额"


# ------------------------------------------------------------------------------------------- seed


def test_seed_000_as_a_plain_grid():
    forms = read_grid(rows_of(SEED_000), file="seed.tsv", sheet="Sheet1")
    assert len(forms) == 1
    form = forms[0]
    assert form.kind == "project"
    assert form.name == "巡察经费"
    assert form.title == "巡察经费项目支出绩效自评表"
    assert form.year == 2023
    assert form.department == "001-中国共产党长治市上党区委委员会办公室"
    assert form.unit == "001003-中共长治市上党区委巡察工作办公室"
    total = form.funding.total
    assert total.label == "资金总额"
    assert (total.target_declared, total.budget_compiled, total.annual_budget) == (50, 50, 50)
    assert total.executed == Decimal("22.873") and str(total.executed) == "22.873"
    assert total.balance == Decimal("27.127") and total.execution_rate == Decimal("45.75")
    assert total.score == Decimal("4.57") and total.initial_budget is None and total.weight is None
    assert [b.label for b in form.funding.breakdown] == ["市惠区财政资金"]
    assert form.goals.expected == "围绕十二届市委巡察全覆盖任务"
    assert form.goals.achieved == "二届区委第五轮巡察"
    assert [(i.level1, i.level2, i.level3) for i in form.indicators] == [
        ("产出指标", "数量指标", "办公设备购置数量"),
        ("产出指标", "数量指标", "开展巡察次数(次)"),
        ("产出指标", "质量指标", "问题整改率"),
        ("产出指标", "时效指标", "巡察工作开展及时性"),
        ("效益指标", "社会效益指标", "党风廉政建设建设"),
        ("满意度指标", "服务对象满意度指标", "被巡察单位满意度"),
    ]
    first = form.indicators[0]
    assert (first.initial_target, first.adjusted_target, first.actual) == ("≥11台", "≥11台", "≥7台")
    assert (first.weight, first.score) == (Decimal("5"), Decimal("3.5"))
    assert first.deviation_reason == "实际购置设备数量小于计划数量"
    assert form.reported_total == Decimal("92.07") and form.reported_grade == "优"
    assert form.read_notes == []
    assert first.source.file == "seed.tsv" and first.source.sheet == "Sheet1"
    assert first.source.row == 14
    assert form.source.row == 1


# ---------------------------------------------------------------------------- layout round trips


def _sample_cases():
    cases = []
    for stem, doc in sample_documents():
        for i, form in enumerate(doc.forms):
            cases.append(pytest.param(form, id=f"{stem}-{i}"))
    return cases


@pytest.mark.parametrize("form", _sample_cases())
def test_standard_layout_reads_back_as_a_grid(form: Form):
    """writers.layout → filled text grid with its merges → grid reader: the same form."""
    lay = layout_form(form)
    forms = read_grid(lay.text_grid(), merges=lay.merges, file="layout")
    assert len(forms) == 1
    assert strip_meta(forms[0].model_dump()) == strip_meta(form.model_dump())


@pytest.mark.parametrize("form", _sample_cases()[:3])
def test_standard_layout_reads_back_without_merge_information(form: Form):
    """The same grid given as plain filled values (what a CSV export of the sheet holds)."""
    lay = layout_form(form)
    forms = read_grid(lay.text_grid(), file="layout")
    assert strip_meta(forms[0].model_dump()) == strip_meta(form.model_dump())


def test_merged_level_cells_given_as_spans_mean_same_as_above():
    rows = [
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "A", "≥1", "2", "10", "10"],
        ["", "", "B", "≥1", "1", "10", "10"],
        ["", "质量指标", "C", "100%", "100%", "30", "30"],
        ["效益指标", "社会效益指标", "D", "提升", "达成", "30", "28"],
        ["总分", "", "", "", "", "", "78"],
    ]
    merges = [(1, 0, 3, 0), (1, 1, 2, 1), (5, 0, 5, 5)]
    form = read_grid(rows, merges=merges, hint="Sheet1")[0]
    assert [(i.level1, i.level2, i.level3) for i in form.indicators] == [
        ("产出指标", "数量指标", "A"), ("产出指标", "数量指标", "B"), ("产出指标", "质量指标", "C"),
        ("效益指标", "社会效益指标", "D")]
    assert form.indicators[0].initial_target == "≥1" and form.indicators[0].adjusted_target is None
    assert form.reported_total == Decimal("78")
    assert form.name == "Sheet1"  # no 项目名称 printed: the hint names it, with a note
    assert [n.code for n in form.read_notes] == ["read-incomplete"]


# ------------------------------------------------------------------------------------- variations


def test_form_starting_at_row_three_with_caption_and_two_forms():
    second = SEED_000.replace("巡察经费", "巡察专项经费").replace("92.07", "88").replace("\t优\t", "\t良\t")
    rows = [["附件2", "", ""], ["", "", ""]] + rows_of(SEED_000) + [[""], ["单位：万元"]] + rows_of(second)
    forms = read_grid(rows, file="two.xlsx", sheet="S")
    assert [f.name for f in forms] == ["巡察经费", "巡察专项经费"]
    assert [f.reported_total for f in forms] == [Decimal("92.07"), Decimal("88")]
    assert [f.reported_grade for f in forms] == ["优", "良"]
    assert [len(f.indicators) for f in forms] == [6, 6]
    assert forms[0].source.row == 3 and forms[0].source.table == 1 and forms[1].source.table == 2


def test_form_without_title_row_is_found_by_its_labels():
    rows = rows_of(SEED_000)[4:]
    (form,) = read_grid(rows)
    assert form.name == "巡察经费" and form.title is None and form.year is None
    assert len(form.indicators) == 6


def test_single_target_column_measure_unit_nature_and_grade_two_cells_later():
    rows = [
        ["项目名称", "培训经费"],
        ["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "年度资金总额", "1,035.8", "1,035.8", "1,000", "10分", "96.54%", "9.65"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "度量单位", "实际完成值", "分值", "得分",
         "偏差原因分析及改进措施"],
        ["产出指标(50分)", "数量指标", "培训人次", "≥", "500", "人次", "520", "50", "50", ""],
        ["效益指标（30分）", "社会效益指标", "能力提升", "定性", "提升", "", "达成预期指标", "30", "27", ""],
        ["总分", "", "", "", "", "", "", "90", "86.65", "", "良"],
    ]
    (form,) = read_grid(rows)
    assert form.funding.total.label == "年度资金总额"
    assert form.funding.total.initial_budget == Decimal("1035.8")
    assert form.funding.total.weight == Decimal("10") and form.funding.total.execution_rate == Decimal("96.54")
    ind = form.indicators[0]
    assert ind.level1 == "产出指标" and form.indicators[1].level1 == "效益指标"  # (50分) notes dropped
    assert (ind.initial_target, ind.adjusted_target, ind.measure_unit, ind.nature) == ("500", None, "人次", "≥")
    assert ind.actual == "520"
    assert form.reported_total == Decimal("86.65")
    assert form.reported_grade == "良"


def test_two_row_indicator_header_and_leading_caption_column():
    rows = [
        ["项目名称", "", "X"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "", "实际完成值", "分值", "得分"],
        ["绩效指标", "", "", "", "年初", "调整后", "", "", ""],
        ["绩效指标", "产出指标", "数量指标", "A", "≥2", "≥3", "3", "50", "50"],
        ["", "总分", "", "", "", "", "", "", "50"],
    ]
    merges = [(1, 0, 3, 0), (1, 4, 1, 5), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 6, 2, 6), (1, 7, 2, 7),
              (1, 8, 2, 8)]
    (form,) = read_grid(rows, merges=merges)
    ind = form.indicators[0]
    assert (ind.level1, ind.level2, ind.level3) == ("产出指标", "数量指标", "A")
    assert (ind.initial_target, ind.adjusted_target, ind.actual) == ("≥2", "≥3", "3")
    assert form.reported_total == Decimal("50")


def test_department_form_and_garbled_amounts():
    rows = [
        ["部门整体支出绩效自评表"],
        ["填报单位：（盖章）区委巡察办", "", "", "（2023年度）"],
        ["预算部门名称", "中共株洲市渌口区委巡察工作领导小组办公室"],
        ["年度预算申请（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["", "年度资金总额", "3,20.6,71591", "3,21.0,13328", "3,21.0,08126", "10分", "99.99%", "9.99"],
        ["", "按收入性质分：", "按支出性质分：", "", "", "", "", ""],
        ["", "其中：一般公共预算：321.013328", "其中：基本支出：241.024804", "", "", "", "", ""],
        ["", "政府性基金拨款：", "项目支出：79.988524", "", "", "", "", ""],
        ["年度总体目标", "预期目标", "", "", "实际完成情况"],
        ["", "制定本年度巡察计划", "", "", "按本年度巡察任务目标认真开展工作"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["", "产出指标\n(50分)", "数量\n指标", "2轮常规巡察及专项巡察。", "100%", "100%", "20", "20", ""],
        ["", "总分", "", "", "", "", "100", "98.99"],
    ]
    (form,) = read_grid(rows, file="lukou.docx")
    assert form.kind == "department"
    assert form.name == "中共株洲市渌口区委巡察工作领导小组办公室"
    assert form.year == 2023
    total = form.funding.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (
        Decimal("320.671591"), Decimal("321.013328"), Decimal("321.008126"))
    assert total.raw == {"initial_budget": "3,20.6,71591", "annual_budget": "3,21.0,13328",
                         "executed": "3,21.0,08126"}
    assert [(b.label, b.annual_budget) for b in form.funding.breakdown] == [
        ("一般公共预算", Decimal("321.013328")), ("基本支出", Decimal("241.024804")),
        ("项目支出", Decimal("79.988524"))]
    notes = [n for n in form.read_notes if n.code == "repair-number"]
    assert [n.field for n in notes] == ["funding.total.initial_budget", "funding.total.annual_budget",
                                        "funding.total.executed"]
    assert notes[0].source.file == "lukou.docx" and notes[0].source.row == 5
    ind = form.indicators[0]
    assert (ind.level1, ind.level2) == ("产出指标", "数量指标")
    assert form.goals.expected == "制定本年度巡察计划"
    assert form.reported_total == Decimal("98.99")


def test_target_report_with_label_value_pairs():
    rows = [
        ["项目支出绩效目标完成情况表"],
        ["(2020年度)"],
        ["项目名称", "常规巡察经费"],
        ["预算单位", "中共广元市利州区委巡察办"],
        ["预算执行情况(万元)", "预算数:", "89.496", "执行数:", "89.496"],
        ["", "其中-财政拨款:", "89.496", "其中-财政拨款:", "89.496"],
        ["", "其它资金:", "0", "其它资金:", ""],
        ["年度目标完成情况", "预期目标", "", "实际完成目标"],
        ["", "开展2轮", "", "开展3轮"],
        ["绩效指标完成情况", "一级指标", "二级指标", "三级指标", "预期指标值(包含数字及文字描述)",
         "实际完成指标值(包含数字及文字描述)"],
        ["", "项目完成指标", "数量指标", "数量指标", "2轮", "3轮"],
        ["", "满意度指标", "满意度指标", "群众满意度", "满意", "满意"],
    ]
    (form,) = read_grid(rows)
    assert form.kind == "target_report" and form.year == 2020 and form.unit == "中共广元市利州区委巡察办"
    assert form.funding.total.label == "预算执行情况"
    assert (form.funding.total.annual_budget, form.funding.total.executed) == (Decimal("89.496"),
                                                                               Decimal("89.496"))
    assert [(b.label, b.annual_budget, b.executed) for b in form.funding.breakdown] == [
        ("财政拨款", Decimal("89.496"), Decimal("89.496")), ("其它资金", Decimal("0"), None)]
    assert form.goals.expected == "开展2轮" and form.goals.achieved == "开展3轮"
    assert [(i.level2, i.level3, i.initial_target, i.actual) for i in form.indicators] == [
        ("数量指标", "数量指标", "2轮", "3轮"), ("满意度指标", "群众满意度", "满意", "满意")]
    assert form.reported_total is None


def test_shifted_level_labels_are_put_back_with_a_note():
    rows = [
        ["项目名称", "X"],
        ["一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值", "实际完成值", "分值", "得分"],
        ["效益指标", "社会效益指标", "A", "提高", "提高", "达成预期指标", "15", "15"],
        ["可持续影响指标", "", "长效管理机制建设", "完善", "完善", "达成预期指标", "15", "15"],
        ["", "", "", "提高", "提高", "达成预期指标", "5", "5"],
        ["总分", "", "", "", "", "", "", "35"],
    ]
    (form,) = read_grid(rows)
    ind = form.indicators[1]
    assert (ind.level1, ind.level2, ind.level3) == ("效益指标", "可持续影响指标", "长效管理机制建设")
    assert form.indicators[2].level3 == ""
    assert [n.code for n in form.read_notes] == ["repair-label-shift", "repair-label-shift"]
    assert form.read_notes[0].field == "indicators[1].level2"


def test_unreadable_number_leaves_a_note():
    rows = [
        ["项目名称", "X"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "A", "1", "1", "十分", "10"],
        ["总分", "", "", "", "", "", "10"],
    ]
    (form,) = read_grid(rows)
    assert form.indicators[0].weight is None
    (note,) = form.read_notes
    assert note.code == "read-incomplete" and note.field == "indicators[0].weight" and "十分" in note.message


def test_text_rows_give_title_and_year_only():
    grid = Grid(file="f.docx")
    grid.add_text(["附件：二级项目绩效自评表", "巡察经费项目支出绩效自评表", "(2023年度)"], table=1)
    table = rows_of(SEED_000)[4:]
    grid.add_table(table, [], table=1)
    (form,) = forms_from_grid(grid)
    assert form.title == "巡察经费项目支出绩效自评表" and form.year == 2023
    assert form.source.table == 1


def test_traditional_character_headers():
    rows = [
        ["項目名稱", "X"],
        ["一級指標", "二級指標", "三級指標", "年度指標值", "實際完成值", "分值", "得分"],
        ["產出指標", "數量指標", "A", "1", "1", "10", "10"],
        ["總分", "", "", "", "", "", "10"],
    ]
    (form,) = read_grid(rows)
    assert form.name == "X" and form.indicators[0].actual == "1" and form.reported_total == Decimal("10")


def test_grade_in_the_total_cell_or_on_its_own_row():
    head = [["项目名称", "X"], ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "A", "1", "1", "90", "88.5"]]
    (form,) = read_grid(head + [["总分", "", "", "", "", "", "88.5（良）"]])
    assert (form.reported_total, form.reported_grade) == (Decimal("88.5"), "良")
    (form,) = read_grid(head + [["总分", "", "", "", "", "90", "88.5"], ["自评等级", "良好"]])
    assert (form.reported_total, form.reported_grade) == (Decimal("88.5"), "良")  # as the text reader reads it
    (form,) = read_grid(head + [["总分", "", "", "", "", "", "88.5", "等级：良"]])
    assert form.reported_grade == "良"


def test_repeated_header_and_running_title_do_not_split_a_form():
    """A PDF page break: the title printed again as a page header, the indicator header repeated."""
    grid = Grid(file="f.pdf")
    rows = rows_of(SEED_000)
    cut = 16  # inside the indicator rows
    grid.add_table(rows[:cut], [], page=1, table=1)
    grid.add_text(["巡察经费项目支出绩效自评表"], page=2)
    grid.add_table([rows[12]] + rows[cut:], [], page=2, table=1)
    (form,) = forms_from_grid(grid)
    assert len(form.indicators) == 6 and form.reported_total == Decimal("92.07")
    assert [i.source.page for i in form.indicators] == [1, 1, 1, 2, 2, 2]
