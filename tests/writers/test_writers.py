"""Writers: YAML/xlsx/docx exports, the standard layout, atomic writes, the example files."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perfscore.errors import PerfscoreError
from perfscore.model import Document, Form, Funding, FundingRow, Goals, Indicator, NarrativeCounts, SourceRef
from perfscore.readers import read_documents, structured
from perfscore.writers import WriteError, export
from perfscore.writers import yaml as yaml_writer
from perfscore.writers.layout import default_title, layout_form
from perfscore.writers.xlsx import sheet_title
from tests.conftest import strip_meta

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
EXAMPLE = "shangdang-2023-xunchaban"




def seed_form(**changes) -> Form:
    """A form like seed 000 (巡察经费, 上党区 2023), trimmed."""
    row = dict(target_declared=Decimal("50"), budget_compiled=Decimal("50"), annual_budget=Decimal("50"),
               executed=Decimal("22.873"), balance=Decimal("27.127"), execution_rate=Decimal("45.75"),
               score=Decimal("4.57"))
    form = Form(
        name="巡察经费", title="巡察经费项目支出绩效自评表", department="001-中国共产党长治市上党区委委员会办公室",
        unit="001003-中共长治市上党区委巡察工作办公室", year=2023,
        funding=Funding(total=FundingRow(label="资金总额", **row),
                        breakdown=[FundingRow(label="市惠区财政资金", **row)]),
        goals=Goals(expected="围绕十二届市委巡察全覆盖任务", achieved="二届区委第五轮巡察"),
        indicators=[
            Indicator(level1="产出指标", level2="数量指标", level3="办公设备购置数量", initial_target="≥11台",
                      adjusted_target="≥11台", actual="≥7台", weight=Decimal("5"), score=Decimal("3.5"),
                      deviation_reason="实际购置设备数量小于计划数量"),
            Indicator(level1="产出指标", level2="数量指标", level3="开展巡察次数(次)", initial_target="≥2次",
                      adjusted_target="≥2次", actual="≥3次", weight=Decimal("5"), score=Decimal("5")),
            Indicator(level1="产出指标", level2="质量指标", level3="问题整改率", initial_target="≥95%",
                      adjusted_target="≥95%", actual="≥97%", weight=Decimal("2.5"), score=Decimal("2.5")),
            Indicator(level1="效益指标", level2="社会效益指标", level3="党风廉政建设建设", initial_target="提升",
                      adjusted_target="提升", actual="达成预期指标", weight=Decimal("10"), score=Decimal("10")),
        ],
        reported_total=Decimal("92.07"), reported_grade="优")
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.yaml"))


# ------------------------------------------------------------------------------------------- yaml


@pytest.mark.parametrize("path", sample_paths(), ids=lambda p: p.stem)
def test_yaml_round_trip_is_exact(tmp_path, path):
    doc = next(structured.read(path))
    out = export(doc, tmp_path / "out.yaml", "yaml")
    back = next(structured.read(out))
    assert back.model_dump() == doc.model_dump()


def test_yaml_writes_decimals_as_plain_numbers(tmp_path):
    form = seed_form(indicators=[Indicator(level3="A", weight=Decimal("2.5"),
                                           score=Decimal("0.12345678901234567890123"))])
    text = yaml_writer.dumps(form)
    assert "executed: 22.873\n" in text and "annual_budget: 50\n" in text
    assert "'22.873'" not in text and '"22.873"' not in text
    data = yaml.safe_load(text)
    assert data["forms"][0]["funding"]["total"]["executed"] == 22.873
    back = next(structured.read(export(form, tmp_path / "f.yml")))
    assert back.forms[0].funding.total.executed == Decimal("22.873")
    assert back.forms[0].indicators[0].score == Decimal("0.12345678901234567890123")  # too long for a float
    assert "巡察经费" in text  # allow_unicode


def test_yaml_keeps_document_fields(tmp_path):
    doc = Document(title="2023年度单位决算公开", forms=[seed_form(source=SourceRef(file="x.txt", line=9))],
                   narrative=NarrativeCounts(forms=1, grades={"优": 1}, amount=Decimal("22.87")),
                   source=SourceRef(file="x.txt", line=3))
    back = next(structured.read(export(doc, tmp_path / "d.yaml", "yaml")))
    assert back.model_dump() == doc.model_dump()


# ------------------------------------------------------------------------------------- export api


def test_refuses_to_overwrite_the_input(tmp_path):
    source = tmp_path / "forms.yaml"
    export(seed_form(), source, "yaml")
    before = source.read_bytes()
    with pytest.raises(WriteError) as info:
        export(seed_form(), source, "yaml", source=source)
    message = str(info.value)
    assert isinstance(info.value, PerfscoreError)
    assert "\n" not in message and str(source) in message and "input" in message
    assert source.read_bytes() == before
    doc = next(read_documents(source))  # the document remembers where it came from
    with pytest.raises(WriteError):
        export(doc, source, "yaml")


def test_write_is_atomic(tmp_path, monkeypatch):
    from perfscore.writers import xlsx as xlsx_writer

    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")

    def broken(doc, path):
        Path(path).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsx_writer, "write", broken)
    with pytest.raises(RuntimeError):
        export(seed_form(), target, "xlsx")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_unknown_format_and_missing_directory(tmp_path):
    with pytest.raises(WriteError, match="unknown export format"):
        export(seed_form(), tmp_path / "out.csv", "csv")
    with pytest.raises(WriteError, match="does not exist"):
        export(seed_form(), tmp_path / "nope" / "out.yaml", "yaml")


def test_format_from_suffix_and_form_accepted(tmp_path):
    path = export(seed_form(), tmp_path / "one.xlsx")
    assert path.exists() and oct(path.stat().st_mode & 0o777) != "0o600"
    (doc,) = read_documents(path)
    assert doc.forms[0].name == "巡察经费"


# ------------------------------------------------------------------------------------------ layout


def _texts(form: Form) -> list[list[str]]:
    return layout_form(form).text_grid()


def test_layout_reproduces_the_project_form():
    form = seed_form()
    lay = layout_form(form)
    grid = lay.text_grid()
    assert grid[0][0] == "巡察经费项目支出绩效自评表" and grid[1][0] == "(2023年度)" and lay.title_rows == 2
    assert grid[2][:3] == ["项目名称", "项目名称", "巡察经费"]
    assert "主管部门及代码" in grid[3] and "预算单位" in grid[3]
    header, sub = grid[4], grid[5]
    assert header[0].startswith("项目资金预算安排及执行进度(万元)")
    assert header[2:4] == ["年初预算数", "年初预算数"] and sub[2:4] == ["目标申报数", "预算编制数"]
    assert header[4:11] == ["全年预算数", "全年执行数", "资金结(转)余", "分值", "执行率", "得分",
                            "偏差原因分析及改进措施"]
    assert grid[6][0] == "资金总额" and grid[6][5] == "22.873"
    assert grid[8][:2] == ["项目年度绩效目标", "年度目标"] and "实际完成情况" in grid[8]
    assert grid[10][:9] == ["一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值", "实际完成值", "分值",
                            "得分", "偏差原因分析及改进措施"]
    # 一级 merged over the three 产出 rows, 二级 over the two 数量 rows
    assert (11, 0, 13, 0) in lay.merges and (11, 1, 12, 1) in lay.merges
    assert lay.rows[12][0] is None and lay.rows[12][1] is None
    total = grid[-1]
    assert total[0] == "总分" and total[7] == "92.07" and total[8] == "优"


def test_layout_department_and_target_report():
    dept = seed_form(kind="department", name="区委巡察办", title=None, department=None, unit=None,
                     funding=Funding(total=FundingRow(label="年度资金总额", initial_budget=Decimal("320"),
                                                      annual_budget=Decimal("321"), executed=Decimal("320"))))
    grid = _texts(dept)
    assert grid[0][0] == "部门整体支出绩效自评表"
    assert grid[2][0] == "预算部门名称" and not any("主管部门" in c for row in grid for c in row)
    assert any(row[0] == "年度资金总额" for row in grid)
    assert any(row[2] == "年初预算数" for row in grid)  # not split: no 目标申报数
    report = seed_form(kind="target_report", reported_total=None, reported_grade=None,
                       funding=Funding(total=FundingRow(label="预算执行情况", annual_budget=Decimal("89.496"),
                                                        executed=Decimal("89.496"))),
                       indicators=[Indicator(level1="效益指标", level2="社会效益指标", level3="提高办事效率",
                                             initial_target="形成良好环境", actual="建立制度85个")])
    grid = _texts(report)
    assert grid[0][0] == "巡察经费项目支出绩效自评表"  # its own title is kept
    header = next(row for row in grid if row[0] == "一级指标")
    assert header[3:5] == ["预期指标值", "实际完成指标值"] and "分值" not in header
    funding = next(row for row in grid if row[0].startswith("预算执行情况("))
    assert funding[2:4] == ["预算数", "执行数"]
    assert not any(row[0] == "总分" for row in grid)


def test_single_target_column_when_no_adjusted_targets():
    form = seed_form()
    for ind in form.indicators:
        ind.adjusted_target = None
    header = next(row for row in _texts(form) if row[0] == "一级指标")
    assert header[3] == "年度指标值" and "调整后指标值" not in header


# -------------------------------------------------------------------------------------------- xlsx


def test_xlsx_sheets_are_named_validly_and_uniquely(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    long = "非公经济组织和社会组织党建指导员工作补助经费[2023]/区级:项目*?"
    forms = [seed_form(name=long), seed_form(name=long), seed_form(name="巡察经费"), seed_form(name="巡察经费")]
    path = export(Document(forms=forms), tmp_path / "many.xlsx", "xlsx")
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 4 and len({n.lower() for n in names}) == 4
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[2:] == ["巡察经费", "巡察经费(2)"]
    assert sheet_title("", set()) == "Sheet"
    back = next(read_documents(path))
    assert [f.name for f in back.forms] == [f.name for f in forms]


def test_xlsx_has_merges_widths_wrapping_and_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = export(seed_form(), tmp_path / "f.xlsx", "xlsx")
    ws = openpyxl.load_workbook(path).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:K1" in merged and "A12:A14" in merged and "B12:B13" in merged
    assert ws["F7"].value == pytest.approx(22.873) and ws["F7"].data_type == "n"
    assert ws["C12"].alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["G"].width


# -------------------------------------------------------------------------------------------- docx


def test_docx_one_table_per_form_with_title_paragraphs(tmp_path):
    docx = pytest.importorskip("docx")
    forms = [seed_form(), seed_form(name="巡察专项经费", title="巡察专项经费项目支出绩效自评表")]
    path = export(Document(forms=forms), tmp_path / "f.docx", "docx")
    document = docx.Document(str(path))
    assert len(document.tables) == 2
    titles = [p.text for p in document.paragraphs if p.text.endswith("自评表")]
    assert titles == ["巡察经费项目支出绩效自评表", "巡察专项经费项目支出绩效自评表"]
    assert "(2023年度)" in [p.text for p in document.paragraphs]
    table = document.tables[0]
    first_row = table._tbl.tr_lst[0]
    assert first_row.tc_lst[0].grid_span == 2  # 项目名称 over two columns
    back = next(read_documents(path))
    assert [strip_meta(f.model_dump()) for f in back.forms] == [strip_meta(f.model_dump()) for f in forms]


# ------------------------------------------------------------------------------------ example files


def test_example_files_match_their_transcription():
    source = SAMPLES / f"{EXAMPLE}.yaml"
    files = [SAMPLES / "excel" / f"{EXAMPLE}.xlsx", SAMPLES / "word" / f"{EXAMPLE}.docx"]
    want = next(structured.read(source))
    for form in want.forms:
        form.title = form.title or default_title(form)
    for path in files:
        assert path.stat().st_size < 30_000, path
        got = next(read_documents(path))
        assert [strip_meta(f.model_dump()) for f in got.forms] == [strip_meta(f.model_dump())
                                                                   for f in want.forms]


def test_default_title():
    assert default_title(seed_form(kind="project")) == "巡察经费项目支出绩效自评表"
    assert default_title(seed_form(kind="department")) == "部门整体支出绩效自评表"
    assert default_title(seed_form(kind="target_report")) == "项目支出绩效目标完成情况表"


def test_temp_files_are_not_left_on_success(tmp_path):
    for fmt in ("xlsx", "docx", "yaml"):
        export(seed_form(), tmp_path / f"f.{fmt}", fmt)
    assert sorted(os.listdir(tmp_path)) == ["f.docx", "f.xlsx", "f.yaml"]


@pytest.mark.parametrize("text", ["\t=1+1", "\r=HYPERLINK(\"http://x\")", "=1+1", "@SUM(A1)"])
def test_xlsx_export_quotes_every_formula_like_cell(tmp_path, text):
    """Excel strips a leading tab or CR and then runs what follows: such text is quote-prefixed too."""
    import openpyxl

    form = seed_form(unit=text)
    path = export(form, tmp_path / "out.xlsx", to="xlsx")
    ws = openpyxl.load_workbook(path).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value == text]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
