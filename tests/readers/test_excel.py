"""The Excel reader: writer round trips, a hand-made real-looking sheet, bad files, missing library."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from perfscore.errors import MissingDependency, ReadError
from perfscore.model import Form, Funding, FundingRow, Goals, Indicator
from perfscore.readers import excel, read_documents
from perfscore.writers import export
from tests.conftest import read_one

from .test_grid import sample_documents, strip_meta

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")


@pytest.mark.parametrize(("stem", "doc"), sample_documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_samples_round_trip_through_xlsx(tmp_path, stem, doc):
    path = export(doc, tmp_path / f"{stem}.xlsx", "xlsx")
    back = read_one(path)
    assert [strip_meta(f.model_dump()) for f in back.forms] == [strip_meta(f.model_dump()) for f in doc.forms]
    for form in back.forms:
        assert form.source.file == str(path) and form.source.sheet and form.source.row
        assert form.read_notes == []


def _put(ws, ref: str, value, merge: str | None = None, fmt: str | None = None) -> None:
    ws[ref] = value
    if fmt:
        ws[ref].number_format = fmt
    if merge:
        ws.merge_cells(merge)


def _first_form(ws, top: int) -> int:
    """A form like seed 000 from row `top`, merged the way the published sheets merge. Returns next row."""
    r = top
    _put(ws, f"A{r}", "巡察经费项目支出绩效自评表", f"A{r}:J{r}")
    _put(ws, f"A{r + 1}", "(2023年度)", f"A{r + 1}:J{r + 1}")
    _put(ws, f"A{r + 2}", "项目名称", f"A{r + 2}:B{r + 2}")
    _put(ws, f"C{r + 2}", "巡察经费", f"C{r + 2}:J{r + 2}")
    _put(ws, f"A{r + 3}", "主管部门及代码", f"A{r + 3}:B{r + 3}")
    _put(ws, f"C{r + 3}", "001-中国共产党长治市上党区委委员会办公室", f"C{r + 3}:E{r + 3}")
    _put(ws, f"F{r + 3}", "预算单位")
    _put(ws, f"G{r + 3}", "001003-中共长治市上党区委巡察工作办公室", f"G{r + 3}:J{r + 3}")
    h = r + 4
    _put(ws, f"A{h}", "项目资金预算安排及执行进度\n(万元)", f"A{h}:B{h + 1}")
    _put(ws, f"C{h}", "年初预算数", f"C{h}:D{h}")
    _put(ws, f"C{h + 1}", "目标申报数")
    _put(ws, f"D{h + 1}", "预算编制数")
    for col, label in zip("EFGHIJ", ["全年预算数", "全年执行数", "资金结(转)余", "执行率", "得分",
                                      "偏差原因分析及改进措施"], strict=True):
        _put(ws, f"{col}{h}", label, f"{col}{h}:{col}{h + 1}")
    for i, label in enumerate(["资金总额:", "市惠区财政资金"]):
        row = h + 2 + i
        _put(ws, f"A{row}", label, f"A{row}:B{row}")
        for col, value in zip("CDEFG", [50, 50, 50, 22.873, 27.127], strict=True):
            _put(ws, f"{col}{row}", value)
        _put(ws, f"H{row}", 0.45746, fmt="0.00%")  # a percentage cell: 45.75% on screen
        _put(ws, f"I{row}", 4.57)
    g = h + 4
    _put(ws, f"A{g}", "项目年度绩效目标", f"A{g}:A{g + 1}")
    _put(ws, f"B{g}", "年度目标", f"B{g}:E{g}")
    _put(ws, f"F{g}", "实际完成情况", f"F{g}:J{g}")
    _put(ws, f"B{g + 1}", "围绕十二届市委巡察全覆盖任务", f"B{g + 1}:E{g + 1}")
    _put(ws, f"F{g + 1}", "二届区委第五轮巡察于2023年3月30日至7月14日", f"F{g + 1}:J{g + 1}")
    i = g + 2
    for col, label in zip("ABCDEFGHI", ["一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值",
                                         "实际完成值", "分值", "得分", "偏差原因分析及改进措施"], strict=True):
        _put(ws, f"{col}{i}", label)
    ws.merge_cells(f"I{i}:J{i}")
    rows = [
        ("产出指标", "数量指标", "办公设备购置数量", "≥11台", "≥11台", "≥7台", 5, 3.5, "实际购置设备数量小于计划数量"),
        (None, None, "开展巡察次数(次)", "≥2次", "≥2次", "≥3次", 5, 5, None),
        (None, "质量指标", "问题整改率", "≥95%", "≥95%", "≥97%", 2.5, 2.5, None),
        (None, None, "巡察乡镇覆盖率", "→100%", "→100%", "→60%", 2.5, 1.5, "=需3年内完成全覆盖"),
        ("效益指标", "社会效益指标", "党风廉政建设建设", "提升", "提升", "达成预期指标", 10, 10, None),
        ("满意度指标", "服务对象满意度指标", "被巡察单位满意度", "≥95%", "≥95%", "≥96%", 5, 5, None),
    ]
    for k, values in enumerate(rows):
        row = i + 1 + k
        for col, value in zip("ABCDEFGHI", values, strict=True):
            if value is not None:
                ws[f"{col}{row}"] = value
        if values[-1] and str(values[-1]).startswith("="):
            ws[f"I{row}"].data_type = "s"
        ws.merge_cells(f"I{row}:J{row}")
    ws.merge_cells(f"A{i + 1}:A{i + 4}")  # 产出指标 over its four rows
    ws.merge_cells(f"B{i + 1}:B{i + 2}")  # 数量指标
    ws.merge_cells(f"B{i + 3}:B{i + 4}")  # 质量指标
    t = i + 1 + len(rows)
    _put(ws, f"A{t}", "总分", f"A{t}:G{t}")
    _put(ws, f"H{t}", 92.07)
    _put(ws, f"I{t}", "优", f"I{t}:J{t}")
    _put(ws, f"A{t + 1}", "项目绩效分析", f"A{t + 1}:A{t + 2}")
    _put(ws, f"B{t + 1}", "项目实施和预算执行情况")
    _put(ws, f"C{t + 1}", "通过采购办公设备,保障巡察工作顺利开展。", f"C{t + 1}:J{t + 1}")
    _put(ws, f"B{t + 2}", "产出情况")
    _put(ws, f"C{t + 2}", "办公设备验收合格。", f"C{t + 2}:J{t + 2}")
    return t + 3


def _second_form(ws, top: int) -> int:
    """Another province's layout: no title, one 年度指标值 column, 年初预算数 not split, grade 2 cells on."""
    r = top
    _put(ws, f"A{r}", "项目名称")
    _put(ws, f"B{r}", "巡察信息化建设及维护", f"B{r}:I{r}")
    _put(ws, f"A{r + 1}", "主管部门")
    _put(ws, f"B{r + 1}", "区委巡察办", f"B{r + 1}:D{r + 1}")
    _put(ws, f"E{r + 1}", "实施单位")
    _put(ws, f"F{r + 1}", "区委巡察办", f"F{r + 1}:I{r + 1}")
    h = r + 2
    for col, label in zip("ABCDEFGH", ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值",
                                        "执行率", "得分"], strict=True):
        if label:
            _put(ws, f"{col}{h}", label)
    ws.merge_cells(f"A{h}:A{h + 2}")
    _put(ws, f"B{h + 1}", "年度资金总额")
    _put(ws, f"B{h + 2}", "其中：当年财政拨款")
    for row in (h + 1, h + 2):
        for col, value in zip("CDE", [10, 10, 9.5], strict=True):
            _put(ws, f"{col}{row}", value)
    _put(ws, f"F{h + 1}", "10分")
    _put(ws, f"G{h + 1}", "95%")
    _put(ws, f"H{h + 1}", 9.5)
    i = h + 3
    for col, label in zip("ABCDEFGHI", ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                                         "得分", "偏差原因分析及改进措施", "度量单位"], strict=True):
        _put(ws, f"{col}{i}", label)
    rows = [
        ("产出指标", "数量指标", "维护系统数", "≥2", "2", 40, 40, None, "套"),
        (None, "时效指标", "维护及时性", "及时", "达成预期指标", 20, 18, "个别故障响应超时", None),
        ("效益指标", "社会效益指标", "信息化水平", "提高", "达成预期指标", 30, 30, None, None),
    ]
    for k, values in enumerate(rows):
        for col, value in zip("ABCDEFGHI", values, strict=True):
            if value is not None:
                ws[f"{col}{i + 1 + k}"] = value
    ws.merge_cells(f"A{i + 1}:A{i + 2}")
    t = i + 1 + len(rows)
    _put(ws, f"A{t}", "总分")
    _put(ws, f"G{t}", 97.5)
    _put(ws, f"I{t}", "优")  # two cells after the total
    return t + 1


def test_real_looking_sheet_with_caption_blank_row_and_two_forms(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023年自评表"
    _put(ws, "A1", "附件2  单位：万元", "A1:J1")
    # row 2 blank; the first form starts on row 3
    end = _first_form(ws, 3)
    second_top = end + 2
    _second_form(ws, second_top)
    notes = wb.create_sheet("填表说明")
    notes["A1"] = "“全年执行数”是指预算执行数经确认后数。"
    path = tmp_path / "workbook.xlsx"
    wb.save(path)

    doc = read_one(path)
    assert [f.name for f in doc.forms] == ["巡察经费", "巡察信息化建设及维护"]
    first, second = doc.forms

    assert first.title == "巡察经费项目支出绩效自评表" and first.year == 2023
    assert first.unit == "001003-中共长治市上党区委巡察工作办公室"
    total = first.funding.total
    assert total.label == "资金总额" and first.funding.unit == "万元"
    assert (total.target_declared, total.budget_compiled, total.annual_budget) == (50, 50, 50)
    assert total.executed == Decimal("22.873") and str(total.executed) == "22.873"
    assert total.balance == Decimal("27.127")
    assert total.execution_rate == Decimal("45.746")  # the percentage cell, exactly
    assert first.funding.breakdown[0].label == "市惠区财政资金"
    assert first.goals.expected == "围绕十二届市委巡察全覆盖任务"
    assert first.goals.achieved.startswith("二届区委第五轮巡察")
    assert [(i.level1, i.level2, i.level3) for i in first.indicators] == [
        ("产出指标", "数量指标", "办公设备购置数量"), ("产出指标", "数量指标", "开展巡察次数(次)"),
        ("产出指标", "质量指标", "问题整改率"), ("产出指标", "质量指标", "巡察乡镇覆盖率"),
        ("效益指标", "社会效益指标", "党风廉政建设建设"), ("满意度指标", "服务对象满意度指标", "被巡察单位满意度")]
    assert [i.weight for i in first.indicators] == [Decimal(x) for x in ("5", "5", "2.5", "2.5", "10", "5")]
    assert [i.score for i in first.indicators] == [Decimal(x) for x in ("3.5", "5", "2.5", "1.5", "10", "5")]
    assert first.indicators[3].deviation_reason == "=需3年内完成全覆盖"
    assert first.reported_total == Decimal("92.07") and first.reported_grade == "优"
    assert first.source.sheet == "2023年自评表" and first.source.row == 3 and first.source.table == 1
    assert first.indicators[0].source.row == 14

    assert second.title is None and second.department == "区委巡察办" and second.unit == "区委巡察办"
    t2 = second.funding.total
    assert (t2.label, t2.initial_budget, t2.annual_budget, t2.executed) == (
        "年度资金总额", Decimal("10"), Decimal("10"), Decimal("9.5"))
    assert (t2.weight, t2.execution_rate, t2.score) == (Decimal("10"), Decimal("95"), Decimal("9.5"))
    assert [(b.label, b.executed) for b in second.funding.breakdown] == [("当年财政拨款", Decimal("9.5"))]
    assert [(i.level1, i.level2, i.initial_target, i.adjusted_target, i.measure_unit)
            for i in second.indicators] == [
        ("产出指标", "数量指标", "≥2", None, "套"), ("产出指标", "时效指标", "及时", None, None),
        ("效益指标", "社会效益指标", "提高", None, None)]
    assert second.indicators[1].deviation_reason == "个别故障响应超时"
    assert second.reported_total == Decimal("97.5") and second.reported_grade == "优"
    assert second.source.row == second_top and second.source.table == 2


def test_openpyxl_merge_fallback_agrees_with_calamine(tmp_path):
    import python_calamine

    wb = openpyxl.Workbook()
    _first_form(wb.active, 3)
    path = tmp_path / "m.xlsx"
    wb.save(path)
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    from_calamine = sorted((r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges)
    assert sorted(excel._openpyxl_merges(path)["Sheet"]) == from_calamine


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    form = Form(name="X", indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3="A", initial_target="=100%", actual="-5%",
                  weight=Decimal("10"), score=Decimal("10"), deviation_reason="+1 @ 无")])
    path = export(form, tmp_path / "f.xlsx", "xlsx")
    ws = openpyxl.load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in cells} >= {"=100%", "-5%", "+1 @ 无"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    back = read_one(path).forms[0]
    assert (back.indicators[0].initial_target, back.indicators[0].actual) == ("=100%", "-5%")
    assert back.indicators[0].deviation_reason == "+1 @ 无"


def test_amounts_stay_exact_decimals(tmp_path):
    amounts = [Decimal("22.873"), Decimal("321.013328"), Decimal("0.1"), Decimal("1035.8"), Decimal("0")]
    form = Form(name="Y", funding=Funding(total=FundingRow(
        label="资金总额", annual_budget=amounts[0], executed=amounts[1], balance=amounts[2],
        initial_budget=amounts[3], weight=Decimal("10"), score=amounts[4])),
        goals=Goals(expected="a", achieved="b"),
        indicators=[Indicator(level3="A", weight=Decimal("0.1"), score=Decimal("0.07"))])
    back = read_one(export(form, tmp_path / "y.xlsx", "xlsx")).forms[0]
    total = back.funding.total
    got = [total.annual_budget, total.executed, total.balance, total.initial_budget, total.score]
    assert [str(v) for v in got] == ["22.873", "321.013328", "0.1", "1035.8", "0"]
    assert all(isinstance(v, Decimal) for v in got)
    assert str(back.indicators[0].score) == "0.07"


def _one_line(exc: ReadError, path: Path) -> str:
    text = str(exc)
    assert "\n" not in text and str(path) in text
    return text


def test_corrupt_xlsx_is_one_read_error(tmp_path):
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    assert "not an Excel workbook" in _one_line(info.value, path)


def test_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ReadError) as info:
        list(excel.read(path))
    assert "not a readable Excel workbook" in _one_line(info.value, path)


def test_ole_word_document_named_xls(tmp_path):
    path = tmp_path / "report.xls"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    path.write_bytes(ole + b"\0" * 500 + "WordDocument".encode("utf-16-le") + b"\0" * 100)
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    assert "Word .doc" in _one_line(info.value, path)


def test_workbook_without_a_form(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "部门决算公开目录"
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    assert "no self-evaluation form found" in _one_line(info.value, path)


def test_missing_calamine_names_package_and_extra(tmp_path, monkeypatch):
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"PK\x03\x04")
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(MissingDependency) as info:
        list(excel.read(path))
    message = _one_line(info.value, path)
    assert "python-calamine" in message and "perfscore[excel]" in message


def test_cell_text_conversions():
    import datetime as dt

    assert excel.cell_text(22.873) == "22.873"
    assert excel.cell_text(50.0) == "50"
    assert excel.cell_text(1e-05) == "0.00001"
    assert excel.cell_text(0.4575, percent=True) == "45.75%"
    assert excel.cell_text(1.0, percent=True) == "100%"
    assert excel.cell_text(dt.datetime(2023, 12, 31)) == "2023-12-31"
    assert excel.cell_text(True) == "TRUE"
    assert excel.cell_text("") == "" and excel.cell_text(None) == ""


# --- small files, huge costs (issue #12) ----------------------------------------------------------


def _sparse_workbook(path: Path, *refs: str) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "项目支出绩效自评表"
    for ref in refs:
        ws[ref] = "x"
    wb.save(path)
    return path


def _rewrite_member(path: Path, name: str, change) -> None:
    """Write the package again with one member's bytes changed."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info.filename, change(data) if info.filename == name else data)


@pytest.mark.parametrize("ref", ["XFD1048576", "ZZ60000"])
def test_a_far_cell_is_refused_before_calamine_allocates_the_sheet(tmp_path, ref):
    import time

    path = _sparse_workbook(tmp_path / "far.xlsx", ref)
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    assert time.perf_counter() - start < 2
    message = str(info.value)
    assert "\n" not in message and "sheet 'Sheet'" in message and "--max-cells" in message


def test_a_declared_dimension_alone_is_checked(tmp_path):
    """calamine reserves what `<dimension>` declares, even when the cells are few."""
    path = _sparse_workbook(tmp_path / "dim.xlsx", "B2")
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda data: data.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>'))
    with pytest.raises(ReadError, match="1,048,576 rows"):
        list(read_documents(path))


def test_cells_without_positions_are_counted():
    from perfscore.readers.package import sheet_extent

    xml = b"<sheetData><row><c/><c><v>1</v></c></row><row r='9'/><row><c r='C11'/><c/></row></sheetData>"
    assert sheet_extent(lambda: iter([xml])) == (11, 4)
    chunks = [b'<row r="1"><c r="A', b'1"/></row><row r="70000"><c r="ZZ70000"/></row>']
    assert sheet_extent(lambda: iter(chunks)) == (70000, 702)


def test_the_cell_limit_is_the_users_to_raise(tmp_path):
    from perfscore.readers.limits import Limits

    path = _sparse_workbook(tmp_path / "wide.xlsx", "J2000")  # 20,000 cells
    with pytest.raises(ReadError, match="--max-cells 10,000"):
        list(read_documents(path, Limits(max_cells=10_000)))
    with pytest.raises(ReadError, match="no self-evaluation form found"):
        list(read_documents(path, Limits(max_cells=100_000)))


def test_xlsx_zip_bomb_is_refused_by_declared_size(tmp_path):
    from perfscore.readers.limits import Limits

    path = _sparse_workbook(tmp_path / "bomb.xlsx")
    _rewrite_member(path, "xl/worksheets/sheet1.xml", lambda data: data + b" " * (3 << 20))
    with pytest.raises(ReadError) as info:
        list(read_documents(path, Limits(max_uncompressed_mb=2)))
    assert "--max-uncompressed-mb 2" in str(info.value) and "zip bomb" in str(info.value)


def test_a_member_that_inflates_past_its_declared_size_is_refused(tmp_path):
    """The declared size is only a claim: the part is inflated (a bounded stream) to prove it."""
    import struct
    import zipfile

    path = _sparse_workbook(tmp_path / "liar.xlsx", "B2")
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    small = struct.pack("<I", 10)
    data[info.header_offset + 22:info.header_offset + 26] = small  # local header: uncompressed size
    central = data.find(b"PK\x01\x02" + data[info.header_offset + 4:info.header_offset + 6])
    while central >= 0 and data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24:central + 28] = small  # central directory: uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="not a readable Excel workbook"):
        list(read_documents(path))


def test_cli_passes_the_limits_to_the_readers_and_to_workers(tmp_path):
    from typer.testing import CliRunner

    from perfscore import cli
    from perfscore.readers.limits import DEFAULT_LIMITS

    assert (cli.DEFAULT_MAX_CELLS, cli.DEFAULT_MAX_UNCOMPRESSED_MB) == (DEFAULT_LIMITS.max_cells,
                                                                        DEFAULT_LIMITS.max_uncompressed_mb)
    _sparse_workbook(tmp_path / "a.xlsx", "J2000")
    _sparse_workbook(tmp_path / "b.xlsx", "J2000")
    runner = CliRunner()
    for jobs in ("1", "2"):
        result = runner.invoke(cli.app, ["score", str(tmp_path), "--jobs", jobs, "--max-cells", "10000"])
        refused = [line for line in result.output.splitlines()
                   if line.startswith("perfscore: ") and "--max-cells 10,000" in line]
        assert result.exit_code == 2 and len(refused) == 2, result.output
        result = runner.invoke(cli.app, ["score", str(tmp_path), "--jobs", jobs])
        assert result.exit_code == 2 and "--max-cells" not in result.output


def test_an_xlsx_named_docx_is_read_as_a_workbook(tmp_path):
    form = Form(name="x", year=2023, indicators=[Indicator(level1="产出指标", level2="数量指标", level3="次数",
                                                           adjusted_target="≥2次", actual="3次", weight=10, score=10)])
    real = export(form, tmp_path / "forms.xlsx", to="xlsx")
    named = tmp_path / "forms.docx"
    named.write_bytes(real.read_bytes())
    assert strip_meta(read_one(named).model_dump()) == strip_meta(read_one(real).model_dump())
