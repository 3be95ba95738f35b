"""The Word reader: writer round trips, a hand-made document with merged cells, bad files."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from perfscore.errors import MissingDependency, ReadError
from perfscore.readers import read_documents, word
from perfscore.writers import export
from tests.conftest import read_one

from .test_grid import sample_documents, strip_meta

docx = pytest.importorskip("docx")


@pytest.mark.parametrize(("stem", "doc"), sample_documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_samples_round_trip_through_docx(tmp_path, stem, doc):
    path = export(doc, tmp_path / f"{stem}.docx", "docx")
    back = read_one(path)
    assert [strip_meta(f.model_dump()) for f in back.forms] == [strip_meta(f.model_dump()) for f in doc.forms]
    assert [f.source.table for f in back.forms] == list(range(1, len(doc.forms) + 1))
    assert back.title == doc.title


def _fill(table, r: int, values: list[str | None]) -> None:
    for c, value in enumerate(values):
        if value is not None:
            table.cell(r, c).text = value


def _hand_made(path: Path) -> None:
    """Two forms the way offices type them: title paragraphs, then a table without a title row."""
    document = docx.Document()
    document.add_paragraph("附件3")
    document.add_paragraph("巡察专项经费项目支出绩效自评表")
    document.add_paragraph("（2023年度）")
    t = document.add_table(rows=12, cols=9)
    _fill(t, 0, ["项目名称", None, "巡察专项经费"])
    _fill(t, 1, ["主管部门", None, "区委巡察办", None, None, "实施单位", None, "区委巡察办"])
    _fill(t, 2, ["项目资金\n（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    _fill(t, 3, [None, "年度资金总额", "80", "79.988524", "79.988524", "10", "100%", "10"])
    _fill(t, 4, [None, "其中：当年财政拨款", "80", "79.988524", "79.988524"])
    _fill(t, 5, ["年度总体目标", "预期目标", None, None, None, "实际完成情况"])
    _fill(t, 6, [None, "完成二届区委常规巡察及专项巡察。", None, None, None, "完成第四轮、第五轮常规巡察。"])
    _fill(t, 7, ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                 "偏差原因分析及改进措施"])
    _fill(t, 8, [None, "产出指标\n(50分)", "数量\n指标", "2轮常规巡察及专项巡察。", "100%", "100%", "20", "20"])
    _fill(t, 9, [None, None, "质量\n指标", "高效开展巡察工作", "100%", "100%", "30", "30"])
    _fill(t, 10, [None, "满意度指标", "服务对象满意度指标", "群众满意", "100%", "90%", "10", "9",
                  "整改未全部到位"])
    _fill(t, 11, [None, "总分", None, None, None, None, "100", "59"])
    t.cell(0, 0).merge(t.cell(0, 1))
    t.cell(0, 2).merge(t.cell(0, 8))
    t.cell(1, 2).merge(t.cell(1, 4))
    t.cell(1, 7).merge(t.cell(1, 8))
    t.cell(2, 0).merge(t.cell(4, 0))      # the funding caption over its rows
    t.cell(5, 0).merge(t.cell(6, 0))
    t.cell(5, 1).merge(t.cell(5, 4))
    t.cell(5, 5).merge(t.cell(5, 8))
    t.cell(6, 1).merge(t.cell(6, 4))
    t.cell(6, 5).merge(t.cell(6, 8))
    t.cell(7, 0).merge(t.cell(10, 0))     # 绩效指标 caption column
    t.cell(8, 1).merge(t.cell(9, 1))      # 产出指标 over two rows
    t.cell(11, 1).merge(t.cell(11, 5))
    document.add_paragraph("备注：全年执行数是指预算执行数。")
    document.add_paragraph("")
    document.add_paragraph("巡察经费项目支出绩效自评表 (2022年度)")
    t2 = document.add_table(rows=4, cols=8)
    _fill(t2, 0, ["项目名称", "巡察经费"])
    _fill(t2, 1, ["一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值", "实际完成值", "分值", "得分"])
    _fill(t2, 2, ["产出指标", "数量指标", "巡察次数", "≥2次", "≥3次", "3次", "100", "100"])
    _fill(t2, 3, ["总分", None, None, None, None, None, None, "100"])
    t2.cell(3, 0).merge(t2.cell(3, 6))
    document.save(str(path))


def test_hand_made_document_with_title_paragraphs_and_merges(tmp_path):
    path = tmp_path / "forms.docx"
    _hand_made(path)
    doc = read_one(path)
    assert [f.name for f in doc.forms] == ["巡察专项经费", "巡察经费"]
    first, second = doc.forms
    assert first.title == "巡察专项经费项目支出绩效自评表" and first.year == 2023
    assert (first.department, first.unit) == ("区委巡察办", "区委巡察办")
    total = first.funding.total
    assert (total.label, total.initial_budget, total.annual_budget, total.executed) == (
        "年度资金总额", Decimal("80"), Decimal("79.988524"), Decimal("79.988524"))
    assert (total.weight, total.execution_rate, total.score) == (Decimal("10"), Decimal("100"), Decimal("10"))
    assert [(b.label, b.annual_budget) for b in first.funding.breakdown] == [("当年财政拨款", Decimal("79.988524"))]
    assert first.goals.expected == "完成二届区委常规巡察及专项巡察。"
    assert first.goals.achieved == "完成第四轮、第五轮常规巡察。"
    assert [(i.level1, i.level2, i.level3) for i in first.indicators] == [
        ("产出指标", "数量指标", "2轮常规巡察及专项巡察。"), ("产出指标", "质量指标", "高效开展巡察工作"),
        ("满意度指标", "服务对象满意度指标", "群众满意")]
    assert [i.adjusted_target for i in first.indicators] == [None, None, None]
    assert first.indicators[2].deviation_reason == "整改未全部到位"
    assert first.reported_total == Decimal("59")
    assert first.source.table == 1 and first.indicators[0].source.row == 9

    assert second.title == "巡察经费项目支出绩效自评表" and second.year == 2022
    ind = second.indicators[0]
    assert (ind.initial_target, ind.adjusted_target, ind.actual) == ("≥2次", "≥3次", "3次")
    assert second.reported_total == Decimal("100") and second.source.table == 2


def test_table_grid_reads_each_merged_cell_once():
    document = docx.Document()
    t = document.add_table(rows=3, cols=4)
    _fill(t, 0, ["a", None, None, "d"])
    _fill(t, 1, ["x", "y"])
    t.cell(0, 0).merge(t.cell(0, 2))
    t.cell(1, 0).merge(t.cell(2, 0))
    rows, merges = word.table_grid(t)
    assert rows[0] == ["a", "", "", "d"]
    assert rows[1][:2] == ["x", "y"] and rows[2][0] == ""
    assert sorted(merges) == [(0, 0, 0, 2), (1, 0, 2, 0)]


def test_docx_that_is_really_text(tmp_path):
    path = tmp_path / "report.docx"
    path.write_text("项目支出绩效自评表\n一级指标\t二级指标\n", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        list(word.read(path))
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "not a Word .docx document" in message


def test_docx_without_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("2023年度部门决算公开")
    path = tmp_path / "plain.docx"
    document.save(str(path))
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    assert str(path) in str(info.value) and "no table" in str(info.value)


def test_missing_python_docx_names_package_and_extra(tmp_path, monkeypatch):
    path = tmp_path / "f.docx"
    path.write_bytes(b"PK\x03\x04")
    monkeypatch.setitem(sys.modules, "docx", None)
    with pytest.raises(MissingDependency) as info:
        list(word.read(path))
    message = str(info.value)
    assert str(path) in message and "python-docx" in message and "perfscore[word]" in message


# --- hostile packages (issue #12) -------------------------------------------------------------------


def _ole_with(*streams: str) -> bytes:
    """The head of an OLE compound file naming the given streams (what the readers look at)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"".join(s.encode("utf-16-le") + b"\0" * 16
                                                                        for s in streams) + b"\0" * 2048


def test_an_encrypted_docx_is_called_an_encrypted_word_document(tmp_path):
    path = tmp_path / "locked.docx"
    path.write_bytes(_ole_with("EncryptionInfo", "EncryptedPackage"))
    for reader in (lambda p: list(read_documents(p)), lambda p: list(word.read(p))):
        with pytest.raises(ReadError) as info:
            reader(path)
        message = str(info.value)
        assert "\n" not in message and "encrypted Word document" in message
        assert "workbook" not in message and "Excel" not in message


def test_docx_zip_bomb_is_refused_before_python_docx_inflates_it(tmp_path):
    import zipfile

    from perfscore.readers.limits import Limits

    path = export(sample_documents()[0][1], tmp_path / "bomb.docx", to="docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/padding.bin", b"\0" * (3 << 20))
    with pytest.raises(ReadError) as info:
        list(read_documents(path, Limits(max_uncompressed_mb=2)))
    assert "--max-uncompressed-mb 2" in str(info.value) and "\n" not in str(info.value)
    assert read_one(path).forms  # under the default limit it reads
