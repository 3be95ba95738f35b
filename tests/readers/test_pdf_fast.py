"""The PDF reader's fast paths against the plain ones: the page objects (pdf_objects), the table finder,
cell texts and text joining (pdf_tables) give exactly what pdfminer and pdfplumber give."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfscore.model import Document
from perfscore.readers import pdf as pdf_reader
from perfscore.readers import pdf_objects, pdf_tables
from perfscore.readers.pdf_objects import Unsupported, fill_page, tokens
from tests.conftest import read_one

from .test_grid import SEED_000, sample_documents

pdfplumber = pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")

from .test_pdf import _borderless_pdf, _long_form, build_pdf  # noqa: E402


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """Every kind of PDF the reader tests draw: the samples, a form over pages, a borderless page,
    one encrypted with an owner password only."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    tmp = tmp_path_factory.mktemp("fast")
    paths = [build_pdf(doc, tmp / f"{stem}.pdf") for stem, doc in sample_documents()]
    paths.append(build_pdf(Document(forms=[_long_form()]), tmp / "long.pdf"))
    paths.append(_borderless_pdf(tmp / "borderless.pdf", [SEED_000]))
    paths.append(build_pdf(Document(forms=[_long_form(3)]), tmp / "owner.pdf",
                           encrypt=StandardEncryption("", ownerPassword="owner-secret")))
    return paths


def _pages(path):
    with pdfplumber.open(str(path)) as plain, pdfplumber.open(str(path)) as fast:
        yield from zip(plain.pages, fast.pages, strict=True)


@pytest.mark.parametrize("interpreter", ["pdfminer-handlers", "direct"])
def test_page_objects_are_pdfplumbers(pdfs, interpreter):
    from perfscore.readers.pdf_direct import Direct

    pages = 0
    for path in pdfs:
        for plain, fast in _pages(path):
            if interpreter == "direct":
                fill_page(fast, Direct)  # raises Unsupported if the fast path were not taken
            else:
                fill_page(fast)
            assert fast.objects == plain.objects, f"{path.name} page {plain.page_number}"
            pages += 1
    assert pages > len(pdfs)


def test_tables_and_cell_texts_are_pdfplumbers(pdfs):
    cells = 0
    for path in pdfs:
        for plain, _ in _pages(path):
            want = plain.find_tables()
            got = pdf_tables.find_tables(plain)
            assert [t.cells for t in got] == [t.cells for t in want]
            for g, w in zip(got, want, strict=True):
                assert pdf_tables.cell_texts(g) == w.extract()
                cells += len(g.cells)
    assert cells > 1000


def _char(text, x0, top, *, size=7.0, upright=True):
    return {"text": text, "x0": x0, "x1": x0 + size, "top": top, "bottom": top + size, "doctop": top,
            "upright": upright, "size": size, "height": size, "width": size}


@pytest.mark.parametrize("chars", [
    [_char("预", 10, 10), _char("算", 17, 10), _char("数", 10, 19)],                 # two lines
    [_char("a", 30, 10), _char("b", 10, 10.5), _char(" ", 17, 10), _char("c", 18, 12.9)],  # order, blank, drift
    [_char("1", 10, 10), _char("2", 21, 10), _char("3", 28.5, 10)],                 # a gap over 3 points
    [_char("ﬁ", 10, 10), _char("", 17, 10), _char("x", 24, 10)],                    # ligature, empty text
    [_char("上", 10, 10, upright=False), _char("下", 10, 17)],                       # rotated: pdfplumber's own
    [_char("x", 10, 10), _char("y", 10, 13), _char("z", 10, 16), _char("w", 40, 19.5)],  # chained line cluster
])
def test_text_of_is_extract_text(chars):
    from pdfplumber.utils import extract_text

    assert pdf_tables.text_of(chars, extract_text) == extract_text(chars)


def test_tokens_are_pdfminers():
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import PSEOF, PSKeyword, keyword_name

    data = (b"q 1 0 0 1 -2.5 .5 cm BT /F1 7 Tf (a\\(b\\)c\\\\ \\101\\7x\\q\\\r\nz) Tj <4F 1> Tj\n"
            b"[(x) -250 (y) 3.] TJ % a comment\n/Span <</MCID 3 /Alt (t)>> BDC EMC true false T* ET Q\n"
            b"/ 5 TL 0 Tr ' 1 2 (q) \"")
    want = []
    parser = PDFContentParser([PDFStream({}, data)])
    while True:
        try:
            _, obj = parser.nextobject()
        except PSEOF:
            break
        want.append((keyword_name(obj).encode(),) if isinstance(obj, PSKeyword) else obj)
    assert tokens(data) == want


@pytest.mark.parametrize("data", [b"BI /W 1 ID xx EI", b"(a(b)c) Tj", b"/A#20B Do", b"[1 2", b"1 2]", b"12ab Tf"])
def test_what_pdfminer_alone_reads_is_left_to_it(data):
    with pytest.raises(Unsupported):
        tokens(data)


def test_read_the_same_with_the_fast_paths_off(pdfs, monkeypatch):
    fast = [read_one(path).model_dump() for path in pdfs]

    def refuse(page):
        raise Unsupported("test")

    monkeypatch.setattr(pdf_reader, "fill_page", refuse)
    monkeypatch.setattr(pdf_reader, "find_tables", lambda page: page.find_tables())
    monkeypatch.setattr(pdf_reader, "cell_texts", lambda table: table.extract())
    assert [read_one(path).model_dump() for path in pdfs] == fast


def test_an_unreadable_page_falls_back_to_pdfminer(pdfs, monkeypatch):
    from perfscore.readers import pdf_direct

    def broken(self, streams):
        raise KeyError("anything the fast path trips on")

    monkeypatch.setattr(pdf_objects._Interpreter, "execute", broken)
    monkeypatch.setattr(pdf_direct.Direct, "execute", broken)  # the interpreter tried first
    doc = read_one(pdfs[-3])  # the long form, read by pdfplumber alone
    assert doc.forms[0].reported_total == Decimal("86.5")


def test_text_between_is_pdfplumbers_filtered_text(pdfs):
    for path in pdfs:
        for page, _ in _pages(path):
            for top, bottom in ((0, 60), (40, 200), (100, page.height), (0, page.height)):
                def inside(obj, top=top, bottom=bottom):
                    return obj.get("object_type") == "char" and top <= (obj["top"] + obj["bottom"]) / 2 < bottom

                assert pdf_reader._text_between(page, top, bottom) == (page.filter(inside).extract_text() or "")
