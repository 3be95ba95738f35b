"""One interpreter, one result: the same form written as xlsx, docx, HTML, PDF and text reads the same.

Three real layouts from the corpus and the domain reference, each a grid of cells with its merged regions:
operator, value and unit in three cells (指标性质 | 指标值 | 度量单位, 四川); 分值 before the target (安徽);
funding out of 20 with no indicator weight column (湖北). Each is written the way that format carries a
table (text keeps a merged cell once, as a copied web page does) and must give the same fields.
"""

from __future__ import annotations

import html
from decimal import Decimal
from pathlib import Path

import pytest

from perfscore.readers import read_documents

Merge = tuple[int, int, int, int]

SICHUAN: tuple[list[list[str]], list[Merge]] = ([
    ["项目支出绩效自评表", "", "", "", "", "", "", "", ""],
    ["项目名称", "巡察工作经费", "主管部门", "区纪委监委", "", "", "", "", ""],
    ["项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "", ""],
    ["年度资金总额", "50", "50", "45", "10", "90%", "9", "", ""],
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "巡察单位数", "≥", "11", "个", "11", "30", "30"],
    ["", "时效指标", "巡察完成时间", "≤", "12", "月", "11", "20", "20"],
    ["效益指标", "社会效益指标", "问题整改率", "≥", "95", "%", "96", "30", "30"],
    ["满意度指标", "服务对象满意度指标", "被巡察单位满意度", "≥", "90", "%", "88", "10", "9.78"],
    ["总分", "", "", "", "", "", "", "100", "98.78"],
], [(0, 0, 0, 8), (5, 0, 6, 0)])

ANHUI: tuple[list[list[str]], list[Merge]] = ([
    ["绩效目标自评表", "", "", "", "", "", "", ""],
    ["项目名称", "特色种养补贴到户项目", "实施单位", "张庄寨镇人民政府", "", "", "", ""],
    ["资金情况(万元)", "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分", "", ""],
    ["年度资金总额", "9.48", "9.48", "10", "100%", "10", "", ""],
    ["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分", "未完成原因"],
    ["产出指标(50分)", "数量指标", "补助瓜果蔬菜种植面积", "30", "29.5亩", "29.5亩", "30", ""],
    ["", "质量指标", "种植作物成活率", "20", "≥95%", "95%", "20", ""],
    ["效益指标(30分)", "经济效益指标", "受益农户收入", "30", "≥11.376万元", "12万元", "30", ""],
    ["满意度指标(10分)", "服务对象满意度指标", "受益户满意度", "10", "≥90%", "95%", "10", ""],
    ["总分", "", "", "100", "", "", "100", ""],
], [(0, 0, 0, 7), (5, 0, 6, 0)])

HUBEI: tuple[list[list[str]], list[Merge]] = ([
    ["项目支出绩效自评表", "", "", "", "", ""],
    ["项目名称", "春节慰问经费", "主管部门", "市退役军人事务局", "", ""],
    ["预算执行情况(万元)(20分)", "预算数(A)", "执行数(B)", "执行率(B/A)", "得分(20分*执行率)", ""],
    ["年度财政资金总额", "34.64", "34.64", "100%", "20", ""],
    ["一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "得分"],
    ["产出指标(60分)", "数量指标", "慰问重点优抚对象人数", "≥150人", "156人", "30"],
    ["", "质量指标", "补助经费足额拨付率", "100%", "100%", "30"],
    ["效益指标(10分)", "社会效益指标", "群体性事件发生次数", "小于5次", "0次", "10"],
    ["满意度指标(10分)", "服务对象满意度指标", "慰问对象满意率", "≥95%", "98%", "10"],
    ["总分(100分)", "100", "自评等级", "优", "", ""],
], [(0, 0, 0, 5), (5, 0, 6, 0)])

LAYOUTS = {"sichuan": SICHUAN, "anhui": ANHUI, "hubei": HUBEI}


def _covered(merges: list[Merge]) -> set[tuple[int, int]]:
    return {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)}


def write_text(rows, merges, path: Path) -> Path:
    covered = _covered(merges)
    lines = [" | ".join(v for c, v in enumerate(row) if v and (r, c) not in covered) for r, row in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_html(rows, merges, path: Path) -> Path:
    covered = _covered(merges)
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    out = ["<html><head><meta charset='utf-8'><title>自评表</title></head><body><table border='1'>"]
    for r, row in enumerate(rows):
        out.append("<tr>")
        for c, v in enumerate(row):
            if (r, c) in covered:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            out.append(f"<td rowspan='{rs}' colspan='{cs}'>{html.escape(v)}</td>")
        out.append("</tr>")
    out.append("</table></body></html>")
    path.write_text("".join(out), encoding="utf-8")
    return path


def write_xlsx(rows, merges, path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    wb.save(path)
    return path


def write_docx(rows, merges, path: Path) -> Path:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    covered = _covered(merges)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if (r, c) not in covered:
                table.cell(r, c).text = v
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    doc.save(path)
    return path


def write_pdf(rows, merges, path: Path) -> Path:
    pytest.importorskip("pdfplumber")
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    covered = _covered(merges)
    data = [[("" if (r, c) in covered else v) for c, v in enumerate(row)] for r, row in enumerate(rows)]
    table = Table(data)
    style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), "STSong-Light", 7)]
    style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in merges]
    table.setStyle(TableStyle(style))
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build([table])
    return path


WRITERS = {"txt": write_text, "html": write_html, "xlsx": write_xlsx, "docx": write_docx, "pdf": write_pdf}


def fields(path: Path) -> dict:
    docs = list(read_documents(path))
    forms = [f for d in docs for f in d.forms]
    assert len(forms) == 1, [f.name for f in forms]
    form = forms[0]
    total = form.funding.total if form.funding else None
    return {
        "name": form.name,
        "total": form.reported_total,
        "funding": total and tuple(getattr(total, k) for k in (
            "initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")),
        "rows": [(i.level1, i.level2, i.level3, i.target, i.actual, i.weight, i.score) for i in form.indicators],
    }


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_format_reads_the_same_fields(tmp_path, layout):
    rows, merges = LAYOUTS[layout]
    got = {ext: fields(write(rows, merges, tmp_path / f"{layout}.{ext}")) for ext, write in WRITERS.items()}
    want = got["xlsx"]
    assert len(want["rows"]) == 4 and want["rows"][1][:2] == (want["rows"][0][0], want["rows"][1][1])
    assert want["total"] is not None and want["funding"][2] is not None
    for ext, seen in got.items():
        assert seen == want, ext


def test_three_cell_values_keep_operator_and_unit(tmp_path):
    """指标性质 | 指标值 | 度量单位: the operator and the unit are read beside the value in every format."""
    rows, merges = SICHUAN
    for ext, write in WRITERS.items():
        form = next(iter(read_documents(write(rows, merges, tmp_path / f"s.{ext}")))).forms[0]
        first = form.indicators[0]
        assert (first.nature, first.initial_target, first.measure_unit) == ("≥", "11", "个"), ext
        assert form.indicators[3].score == Decimal("9.78"), ext


# 决策/过程/产出/效益 (项目决策/项目管理/项目绩效 in 湖北): weights and a criterion per row, a self-score and no
# target/actual columns; 一级 merged down its group.
DECISION: tuple[list[list[str]], list[Merge]] = ([
    ["项目支出绩效自评表", "", "", "", "", ""],
    ["项目名称", "乡村道路建设养护项目", "实施单位", "市交通运输局", "", ""],
    ["项目资金(万元)", "全年预算数", "全年执行数", "执行率", "", ""],
    ["年度资金总额", "309", "309", "100%", "", ""],
    ["一级指标", "二级指标", "三级指标", "分值", "评价标准", "自评分"],
    ["决策(15分)", "项目立项", "立项依据充分性", "5", "有上级文件或审批报告的得5分", "5"],
    ["", "", "立项程序规范性", "5", "程序规范的得5分", "5"],
    ["", "绩效目标", "绩效目标合理性", "5", "目标明确、细化量化的得5分", "4"],
    ["过程(15分)", "资金管理", "资金到位率", "5", "到位率×5分", "5"],
    ["", "组织实施", "管理制度健全性", "10", "制度健全并执行的得10分", "9"],
    ["产出(40分)", "产出数量", "道路养护里程", "20", "完成300公里的得20分", "20"],
    ["", "产出质量", "验收合格率", "20", "合格率×20分", "18"],
    ["效益(30分)", "项目效益", "通行条件改善", "20", "明显改善的得20分", "20"],
    ["", "", "服务对象满意度", "10", "满意度90%以上的得10分", "9"],
    ["总分", "", "", "100", "", "95"],
], [(0, 0, 0, 5), (5, 0, 7, 0), (5, 1, 6, 1), (8, 0, 9, 0), (10, 0, 11, 0), (12, 0, 13, 0), (12, 1, 13, 1)])

# one 分值 and one 得分 for a whole 二级 group, in cells merged down the group's rows
GROUP_SCORES: tuple[list[list[str]], list[Merge]] = ([
    ["项目支出绩效自评表", "", "", "", "", "", ""],
    ["项目名称", "农村公路养护", "主管部门", "县交通运输局", "", "", ""],
    ["项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "120", "120", "114", "10", "95%", "9.5"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "养护里程", "≥300公里", "310公里", "30", "28"],
    ["", "", "桥梁维修", "≥2座", "1座", "", ""],
    ["", "质量指标", "验收合格率", "≥95%", "96%", "20", "20"],
    ["效益指标", "社会效益指标", "通行条件", "改善", "达成预期指标", "30", "30"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "92%", "10", "10"],
    ["总分", "", "", "", "", "100", "97.5"],
], [(0, 0, 0, 6), (5, 0, 7, 0), (5, 1, 6, 1), (5, 5, 6, 5), (5, 6, 6, 6)])


@pytest.mark.parametrize("ext", WRITERS)
def test_decision_process_template(tmp_path, ext):
    """决策/过程/产出/效益: each 二级 under its 一级, weight and self-score per row, the criterion not a value."""
    rows, merges = DECISION
    got = fields(WRITERS[ext](rows, merges, tmp_path / f"decision.{ext}"))
    assert got["rows"][:3] == [
        ("决策", "项目立项", "立项依据充分性", None, None, Decimal(5), Decimal(5)),
        ("决策", "项目立项", "立项程序规范性", None, None, Decimal(5), Decimal(5)),
        ("决策", "绩效目标", "绩效目标合理性", None, None, Decimal(5), Decimal(4))]
    assert [(r[0], r[1]) for r in got["rows"][3:]] == [
        ("过程", "资金管理"), ("过程", "组织实施"), ("产出", "产出数量"), ("产出", "产出质量"), ("效益", "项目效益"),
        ("效益", "项目效益")]
    assert sum(r[5] for r in got["rows"]) == 100 and sum(r[6] for r in got["rows"]) == got["total"] == 95


@pytest.mark.parametrize("ext", WRITERS)
def test_one_score_merged_over_a_level2_group(tmp_path, ext):
    """A 分值/得分 merged down a 二级 group is the group's figure: read once, on its first row, never twice."""
    rows, merges = GROUP_SCORES
    got = fields(WRITERS[ext](rows, merges, tmp_path / f"group.{ext}"))
    assert [(r[2], r[5], r[6]) for r in got["rows"]] == [
        ("养护里程", Decimal(30), Decimal(28)), ("桥梁维修", None, None), ("验收合格率", Decimal(20), Decimal(20)),
        ("通行条件", Decimal(30), Decimal(30)), ("群众满意度", Decimal(10), Decimal(10))]
    assert got["rows"][1][:2] == ("产出指标", "数量指标")
