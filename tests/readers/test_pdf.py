"""The PDF reader: forms drawn with reportlab in the standard layout, pages, fallbacks and bad files."""

from __future__ import annotations

import sys
import types
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from perfscore.errors import MissingDependency, ReadError
from perfscore.model import Document, Form, Goals, Indicator, SourceRef
from perfscore.readers import pdf as pdf_reader
from perfscore.readers import read_documents
from perfscore.writers.layout import cell_text, layout_form
from tests.conftest import read_one

from .test_grid import SEED_000, sample_documents, strip_meta

pytest.importorskip("pdfplumber")
reportlab = pytest.importorskip("reportlab")

from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle  # noqa: E402

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def build_pdf(doc: Document, path: Path, **options) -> Path:
    """Each form as title paragraphs and a reportlab Table of the standard layout (spans = merges)."""
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9)
    title = ParagraphStyle("title", fontName=FONT, fontSize=13, leading=17, alignment=1)
    width = landscape(A4)[0] - 30 * mm
    story: list = []
    for index, form in enumerate(doc.forms):
        if index:
            story.append(PageBreak())
        lay = layout_form(form)
        for r in range(lay.title_rows):
            story.append(Paragraph(escape(cell_text(lay.rows[r][0])), title))
        data = [[Paragraph(escape(cell_text(v)), cell) if v not in (None, "") else "" for v in row]
                for row in lay.rows[lay.title_rows:]]
        total = sum(lay.col_widths)
        table = Table(data, colWidths=[width * w / total for w in lay.col_widths])
        commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        for r0, c0, r1, c1 in lay.merges:
            if r0 >= lay.title_rows:
                commands.append(("SPAN", (c0, r0 - lay.title_rows), (c1, r1 - lay.title_rows)))
        table.setStyle(TableStyle(commands))
        story.append(table)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                      topMargin=12 * mm, bottomMargin=12 * mm, **options).build(story)
    return path


def _numbers(form: Form) -> dict:
    funding = [(row.label, row.target_declared, row.budget_compiled, row.initial_budget, row.annual_budget,
                row.executed, row.balance, row.weight, row.execution_rate, row.score)
               for row in (form.funding.rows() if form.funding else [])]
    return {"funding": funding, "weights": [i.weight for i in form.indicators],
            "scores": [i.score for i in form.indicators], "total": form.reported_total}


def _squeeze(value):
    """Text without spaces: a line wrap in a PDF cell loses the space it broke at."""
    if isinstance(value, str):
        return "".join(value.split())
    if isinstance(value, dict):
        return {k: _squeeze(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_squeeze(v) for v in value]
    return value


@pytest.mark.parametrize(("stem", "doc"), sample_documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_samples_drawn_as_pdf_tables_read_back(tmp_path, stem, doc):
    back = read_one(build_pdf(doc, tmp_path / f"{stem}.pdf"))
    assert len(back.forms) == len(doc.forms)
    for got, want in zip(back.forms, doc.forms, strict=True):
        assert _numbers(got) == _numbers(want)
        assert (got.name, got.kind, got.year, got.reported_grade) == (want.name, want.kind, want.year,
                                                                      want.reported_grade)
        # everything else too, up to the spaces a wrapped line loses
        assert _squeeze(strip_meta(got.model_dump())) == _squeeze(strip_meta(want.model_dump()))
        assert got.source.page >= 1 and got.indicators[0].source.page >= 1


def _long_form(n: int = 45) -> Form:
    inds = [Indicator(level1="产出指标" if k < 30 else "效益指标", level2=f"第{k // 5}组指标", level3=f"指标{k}",
                      initial_target=f"≥{k}个", adjusted_target=f"≥{k}个", actual=f"{k + 1}个",
                      weight=Decimal("2"), score=Decimal("1.5") if k % 7 == 0 else Decimal("2"),
                      deviation_reason="原因说明" * (k % 3) or None)
            for k in range(n)]
    return Form(name="长表项目", title="长表项目项目支出绩效自评表", year=2023,
                goals=Goals(expected="目标", achieved="完成"), indicators=inds,
                reported_total=Decimal("86.5"), reported_grade="良")


def test_form_continuing_over_pages(tmp_path):
    form = _long_form()
    back = read_one(build_pdf(Document(forms=[form]), tmp_path / "long.pdf"))
    (got,) = back.forms
    pages = {i.source.page for i in got.indicators}
    assert len(pages) >= 2, "the table should have split over pages"
    assert strip_meta(got.model_dump()) == strip_meta(form.model_dump())


def test_encrypted_pdf(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = build_pdf(Document(forms=[_long_form(3)]), tmp_path / "locked.pdf",
                     encrypt=StandardEncryption("user-secret", ownerPassword="owner-secret"))
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "encrypted PDF" in message


def test_pdf_encrypted_without_user_password(tmp_path):
    """No password is needed to open it, so it is read like any other. reportlab leaves the CID font's
    CIDSystemInfo strings unencrypted, which pdfminer decrypts into noise: the reader takes the
    character collection from the font's CMap name instead."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    form = _long_form(3)
    path = build_pdf(Document(forms=[form]), tmp_path / "owner-only.pdf",
                     encrypt=StandardEncryption("", ownerPassword="owner-secret"))
    doc = read_one(path)
    assert _numbers(doc.forms[0]) == _numbers(form)


def test_image_only_pdf(tmp_path):
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for k in range(20):
        c.rect(50 + k * 10, 100 + k * 20, 200, 10, fill=1)
        c.line(40, 80 + k * 25, 500, 80 + k * 25)
    c.showPage()
    c.save()
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "no text layer: image-only PDF, run OCR first" in message


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 30)
    with pytest.raises(ReadError) as info:
        list(read_documents(path))
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "PDF" in message


def test_missing_pdfplumber_names_package_and_extra(tmp_path, monkeypatch):
    path = tmp_path / "f.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    monkeypatch.setitem(sys.modules, "pdfplumber", None)
    with pytest.raises(MissingDependency) as info:
        list(pdf_reader.read(path))
    message = str(info.value)
    assert str(path) in message and "pdfplumber" in message and "perfscore[pdf]" in message


def _borderless_pdf(path: Path, pages: list[str]) -> Path:
    """Tab-separated form text drawn cell by cell without any lines: no table for pdfplumber."""
    c = canvas.Canvas(str(path), pagesize=landscape(A4))
    for text in pages:
        c.setFont(FONT, 6)
        y = 560
        for line in text.splitlines():
            for i, part in enumerate(line.split("\t")):
                c.drawString(20 + i * 80, y, part[:13])
            y -= 12
        c.showPage()
    c.save()
    return path


def test_page_without_table_goes_to_the_text_reader(tmp_path, monkeypatch):
    """Wiring, with a stand-in text reader: what it returns is kept and placed on its page."""
    seen: list[str] = []

    def read_text(text: str, file: str) -> Document:
        seen.append(text)
        return Document(forms=[Form(name="文本表", source=SourceRef(file=file, line=1))])

    fake = types.ModuleType("perfscore.readers.text")
    fake.read_text = read_text
    monkeypatch.setitem(sys.modules, "perfscore.readers.text", fake)
    path = tmp_path / "mixed.pdf"
    tables = build_pdf(Document(forms=[_long_form(3)]), tmp_path / "tables.pdf")
    _borderless_pdf(path, ["说明文字\t第一页", "说明文字\t第二页"])
    doc = read_one(path)
    assert [f.name for f in doc.forms] == ["文本表"]
    assert doc.forms[0].source.page == 1
    assert len(seen) == 1 and "第一页" in seen[0] and "第二页" in seen[0] and "\t" in seen[0]
    assert [f.name for f in read_one(tables).forms] == ["长表项目"]  # a page with a table never goes there


def test_borderless_form_read_by_the_real_text_reader(tmp_path):
    path = _borderless_pdf(tmp_path / "borderless.pdf", [SEED_000])
    (form,) = read_one(path).forms
    assert form.name == "巡察经费"
    assert form.reported_total == Decimal("92.07")
    assert [i.weight for i in form.indicators] == [Decimal(x) for x in ("5", "5", "2.5", "5", "10", "5")]
    assert form.source.page == 1


def test_table_cells_gives_spans(tmp_path):
    import pdfplumber

    form = _long_form(4)
    path = build_pdf(Document(forms=[form]), tmp_path / "spans.pdf")
    with pdfplumber.open(str(path)) as pdf:
        table = pdf.pages[0].find_tables()[0]
        rows, merges, xs = pdf_reader.table_cells(table)
    lay = layout_form(form)
    expected = sorted((r0 - lay.title_rows, c0, r1 - lay.title_rows, c1) for r0, c0, r1, c1 in lay.merges
                      if r0 >= lay.title_rows)
    assert sorted(merges) == expected
    assert len(xs) == lay.width and rows[0][0] == "项目名称"


# --- hostile PDFs and names (issue #12) -----------------------------------------------------------


def _pdf_with_stream(content: bytes) -> bytes:
    """A one-page PDF whose page content is `content`, deflated."""
    import io
    import zlib

    data = zlib.compress(content, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_pdf_decompression_bomb_is_refused_while_it_inflates(tmp_path):
    from perfscore.readers.limits import Limits

    path = tmp_path / "bomb.pdf"
    path.write_bytes(_pdf_with_stream(b" " * (4 << 20)))  # 4 KB that inflate to 4 MB
    with pytest.raises(ReadError) as info:
        list(read_documents(path, Limits(max_uncompressed_mb=1)))
    message = str(info.value)
    assert "\n" not in message and "--max-uncompressed-mb 1" in message
    with pytest.raises(ReadError, match="no text layer"):  # under the limit, read as what it is
        list(read_documents(path))


def test_the_inflate_budget_leaves_other_pdfminer_users_alone():
    import zlib

    from pdfminer import pdftypes

    from perfscore.readers.pdf_budget import InflateLimit, inflate_budget

    data = zlib.compress(b"x" * 5000)
    with inflate_budget(100), pytest.raises(InflateLimit):
        pdftypes.zlib.decompress(data)
    assert pdftypes.zlib.decompress(data) == b"x" * 5000  # outside the block: no budget
    with pytest.raises(zlib.error):
        pdftypes.zlib.decompress(data[:-8])


def test_a_text_file_named_pdf_is_read_as_text(tmp_path):
    text = tmp_path / "form.txt"
    text.write_text(SEED_000, encoding="utf-8")
    named = tmp_path / "form.pdf"
    named.write_text(SEED_000, encoding="utf-8")
    assert strip_meta(read_one(named).model_dump()) == strip_meta(read_one(text).model_dump())
