"""The PDF reader's own interpreter, tokenizer and ASCII85 decoder against pdfminer and pdfplumber:
hand-written and random content streams, every operator the interpreter carries out, its fallbacks."""

from __future__ import annotations

import base64
import random

import pytest

from perfscore.readers import pdf_direct, pdf_objects
from perfscore.readers.pdf_direct import Direct, OnlyPdfplumber
from perfscore.readers.pdf_objects import Unsupported, _Interpreter
from perfscore.readers.pdf_tokens import ascii85decode, program, tokens

pdfplumber = pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")

from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

# Content with every operator Direct carries out, and some it hands to pdfminer. /F1 is Helvetica and
# /F2 the CID font STSong (two bytes a character: <65BD> 施, <4F18> 优) in the pages drawn below.
STREAMS = [
    b"BT /F2 9 Tf 20 200 Td <65BD4F18> Tj 0 -12 TD (\x4e\x2d) Tj T* [<65BD> -250 <4F18> 120.5 <65BD>] TJ ET",
    b"BT /F1 10 Tf 14 TL 1 0 0 1 30 250 Tm (a b) Tj (c) ' 2 1 (d e) \" 3 Tc 4 Tw 80 Tz 2 Ts 1 Tr (fg h) Tj ET",
    b"q 2 0 0 2 10 10 cm BT /F2 7 Tf 5 5 Td <65BD> Tj ET Q BT /F2 7 Tf 0.5 0.2 -0.2 0.5 100 100 Tm <4F18> Tj ET",
    b"q .5 g .2 G 1 0 0 rg 0 1 0 RG 0 0 0 1 k .1 .2 .3 .4 K 2 w 1 J 1 j 4 M [3 1] 0 d /RI ri 1 i /GS0 gs "
    b"10 10 m 100 10 l S 10 20 m 100 20 l h s 10 30 50 20 re f 10 60 50 20 re B 10 90 50 20 re f* "
    b"10 120 50 20 re B* 10 150 m 60 150 l 60 170 l b 10 180 m 60 180 l 60 200 l b* "
    b"10 210 m 20 230 40 230 50 210 c 60 220 70 230 v 80 220 90 210 y S 0 0 m 5 5 l W n 0 0 m 5 5 l W* n Q",
    b"10 10 m 100 10 l 10 20 m 100 20 l 10 30 m 50 30 l 50 40 l S 10 50 m 10 50 m 60 50 l S F 5 5 m 9 9 l h S "
    b"0 0 1 RG 1 0 0 rg 3 w 20 20 m 20 90 l h B 30 30 m 90 30 l 90 30 l h S",
    b"/P <</MCID 3>> BDC BT /F2 9 Tf 30 30 Td <65BD> Tj ET 10 10 m 50 10 l S EMC /Span BMC BT /F1 9 Tf (x) Tj ET EMC",
    b"BT /F2 (x) Tf /F2 9 Tf (bad) Td 30 40 Td /Missing 9 Tf <65BD> Tj ET 1 2 3 4 5 (six) cm (x) w 1 2 (3) rg",
    b"BT /F2 9 Tf 30 40 Td 1 2 3 Tj 7 Tm 1 2 3 unknown <4F18> Tj ET % a comment (not a string\n q Q Q Q",
    b"BT 30 40 Td <65BD> Tj ET BT /F1 9 Tf 0 Tz (a) Tj ET q 1 0 0 1 5 5 cm /FormXob.frm Do 10 10 m 40 10 l S Q",
]


def _page_pdf(path, streams: list[bytes]):
    """One page a content stream, after the fonts and a form XObject (with a line and a character)."""
    c = canvas.Canvas(str(path), pagesize=(400, 300), pageCompression=1)
    c.beginForm("frm")
    c.setFont("STSong-Light", 9)
    c.drawString(5, 5, "表")
    c.line(0, 0, 20, 0)
    c.endForm()
    for data in streams:
        c.setFont("Helvetica", 10)
        c.setFont("STSong-Light", 10)
        c._code.append(data.decode("latin-1"))
        c.showPage()
    c.save()
    return path


def _assert_same_objects(path, interpreter=Direct, *, skip=()) -> int:
    """Each page's objects as pdfplumber reads them; the number of pages the interpreter read (the
    others raised one of ``skip``)."""
    pages = 0
    with pdfplumber.open(str(path)) as plain, pdfplumber.open(str(path)) as fast:
        for want, got in zip(plain.pages, fast.pages, strict=True):
            try:
                pdf_objects.fill_page(got, interpreter)  # raises Unsupported if this interpreter cannot
            except skip:
                continue
            assert got.objects == want.objects, f"page {want.page_number}"
            assert [c["text"] for c in got.chars] == [c["text"] for c in want.chars]
            pages += 1
    return pages


@pytest.mark.parametrize("interpreter", [Direct, _Interpreter], ids=["direct", "pdfminer-handlers"])
def test_every_operator_gives_pdfplumbers_objects(tmp_path, interpreter):
    assert _assert_same_objects(_page_pdf(tmp_path / "ops.pdf", STREAMS), interpreter) == len(STREAMS)


def _random_stream(rnd: random.Random) -> bytes:
    number = lambda: rnd.choice([str(rnd.randint(-50, 400)), f"{rnd.uniform(-50, 400):.3f}", "0", ".5", "1"])  # noqa: E731
    text = lambda: rnd.choice(["<65BD>", "<4F18>", "<65BD4F18>", "(ab)", "( )", "()", "(\\(x\\))"])  # noqa: E731
    ops = [
        lambda: "q", lambda: "Q", lambda: "BT", lambda: "ET", lambda: "T*",
        lambda: f"{number()} {number()} Td", lambda: f"{number()} {number()} TD", lambda: f"{number()} TL",
        lambda: f"{rnd.choice(['1 0 0 1', '0.5 0 0 2', '0 1 -1 0', '-1 0 0 1'])} {number()} {number()} Tm",
        lambda: f"{rnd.choice(['1 0 0 1', '2 0 0 0.5', '0 1 -1 0'])} {number()} {number()} cm",
        lambda: f"/{rnd.choice(['F1', 'F2', 'F9'])} {rnd.choice(['7', '9.5', '12', '-3'])} Tf",
        lambda: f"{text()} Tj", lambda: f"[{text()} {number()} {text()}] TJ", lambda: f"{text()} '",
        lambda: f"{number()} {number()} {text()} \"", lambda: f"{number()} Tc", lambda: f"{number()} Tw",
        lambda: f"{rnd.choice(['100', '50', '0'])} Tz", lambda: f"{number()} Ts", lambda: f"{rnd.randint(0, 7)} Tr",
        lambda: f"{number()} {number()} m", lambda: f"{number()} {number()} l", lambda: "h",
        lambda: f"{number()} {number()} {number()} {number()} re",
        lambda: f"{number()} {number()} {number()} {number()} {number()} {number()} c",
        lambda: rnd.choice(["S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n", "W n"]),
        lambda: rnd.choice([".5 g", "1 0 0 rg", ".3 G", "0 0 1 RG", "0 0 0 1 k", "1 w", "[2] 0 d"]),
        lambda: rnd.choice(["/P <</MCID 7>> BDC", "/Artifact BMC", "EMC", "/FormXob.frm Do", "1 2 nonsense"]),
    ]
    return " ".join(rnd.choice(ops)() for _ in range(rnd.randint(5, 60))).encode()


def test_random_content_streams_give_pdfplumbers_objects(tmp_path):
    rnd = random.Random(17)
    streams = [_random_stream(rnd) for _ in range(60)]
    assert _assert_same_objects(_page_pdf(tmp_path / "random.pdf", streams), skip=OnlyPdfplumber) >= 45


def _expanded(items: list) -> list:
    out: list = []
    for item in items:
        if item.__class__ is tuple and len(item) == 2:
            out += item[1]
            out.append((item[0],))
        else:
            out.append(item)
    return out


def _pdfminers(data: bytes) -> list:
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import PSEOF, PSKeyword, keyword_name

    out = []
    parser = PDFContentParser([PDFStream({}, data)])
    while True:
        try:
            _, obj = parser.nextobject()
        except PSEOF:
            return out
        out.append((keyword_name(obj).encode(),) if isinstance(obj, PSKeyword) else obj)


def test_random_token_streams_are_tokenized_as_pdfminer_does():
    rnd = random.Random(5)
    words = [b"1", b"-2.5", b".5", b"5.", b"+3", b"0", b"/F1", b"/", b"/a/b", b"(x)", b"(a\\)b)", b"(\\101\\n)",
             b"(\\\r\n)", b"(l1\nl2)", b"(%no)", b"<4F18>", b"<4f 1>", b"<>", b"[", b"]", b"<<", b">>", b"Tj",
             b"TJ", b"cm", b"q", b"Q", b"'", b'"', b"T*", b"true", b"false", b"null", b"% c\n", b"BT", b"ET",
             b"d0", b"f*"]
    rare = [b"(a(b)c)", b"12ab", b"/A#20", b"{", b"BI", b"(unclosed", b"\x00q", b"1.2.3", b"<x>", b"'x"]
    checked = 0
    for _ in range(3000):
        data = b"".join((rnd.choice(rare) if rnd.random() < 0.03 else rnd.choice(words))
                        + rnd.choice([b" ", b"", b"\n", b"\r\n", b"\t"]) for _ in range(rnd.randint(1, 14)))
        try:
            got = tokens(data)
        except Unsupported:
            continue
        assert got == _pdfminers(data), data
        assert _expanded(program(data)) == got, data
        checked += 1
    assert checked > 1000


def test_ascii85_is_pdfminers():
    from pdfminer.ascii85 import ascii85decode as pdfminers

    def outcome(decode, data):
        try:
            return decode(data)
        except ValueError as exc:
            return type(exc), str(exc)

    rnd = random.Random(85)
    for _ in range(4000):
        raw = bytes(rnd.choice([0, 0, rnd.randrange(256)]) for _ in range(rnd.randrange(40)))
        data = base64.a85encode(raw)
        edit = rnd.randrange(6)
        if edit == 1:
            data = rnd.choice([b"<~", b"~", b" <~ ", b""]) + data + rnd.choice([b"~>", b"~", b" ~ > \n", b""])
        elif edit == 2:
            cut = list(data)
            for _ in range(3):
                cut.insert(rnd.randrange(len(cut) + 1), rnd.choice(b" \n\r\tz~u!sy"))
            data = bytes(cut)
        elif edit == 3 and data:
            data = data[:rnd.randrange(len(data))]
        elif edit == 4:
            data = bytes(rnd.choice(b"!stuz~ \n<>") for _ in range(rnd.randrange(12)))
        assert outcome(ascii85decode, data) == outcome(pdfminers, data), data
    big = base64.a85encode(random.Random(1).randbytes(100_000), wrapcol=75)
    assert ascii85decode(big) == pdfminers(big)


def test_what_direct_cannot_do_goes_to_pdfminers_handlers(tmp_path, monkeypatch):
    path = _page_pdf(tmp_path / "one.pdf", [STREAMS[0]])
    used = []
    real = pdf_objects.fill_page

    def fill(page, interpreter=_Interpreter):
        used.append(interpreter)
        if interpreter is Direct:
            raise Unsupported("test")
        real(page, interpreter)

    monkeypatch.setattr(pdf_direct, "_fill_with", fill)
    with pdfplumber.open(str(path)) as plain, pdfplumber.open(str(path)) as fast:
        pdf_direct.fill_page(fast.pages[0])
        assert fast.pages[0].objects == plain.pages[0].objects
    assert used == [Direct, _Interpreter]


def test_a_path_painting_nothing_leaves_the_page_to_pdfplumber(tmp_path):
    # pdfplumber marks "the last object made" with the marked content: with nothing made, an older one
    path = _page_pdf(tmp_path / "empty.pdf", [b"/P <</MCID 1>> BDC BT /F2 9 Tf 9 9 Td <65BD> Tj ET EMC "
                                              b"/P <</MCID 2>> BDC S 10 10 m 40 40 l S EMC"])
    with pdfplumber.open(str(path)) as pdf:
        with pytest.raises(OnlyPdfplumber):
            pdf_direct.fill_page(pdf.pages[0])
        assert not hasattr(pdf.pages[0], "_objects")


def test_cell_text_joined_without_clustering_is_extract_texts():
    """The one-word shortcut of ``pdf_tables.text_of`` against pdfplumber's ``extract_text``, on random
    characters of one line or two: in order or not, touching, with gaps around 3 points, blanks."""
    from pdfplumber.utils import extract_text

    from perfscore.readers import pdf_tables

    rnd = random.Random(3)
    for _ in range(3000):
        chars, x = [], rnd.uniform(0, 50)
        tops = [10.0, rnd.choice([10.0, 10.5, 12.9, 13.1, 19.0])]
        for _ in range(rnd.randint(1, 6)):
            size = rnd.choice([7.0, 9.0])
            top = rnd.choice(tops) if rnd.random() < 0.2 else tops[0]
            chars.append({"text": rnd.choice(["预", "算", "1", "%", " ", "ﬁ", ""]), "x0": x, "x1": x + size,
                          "top": top, "bottom": top + size, "doctop": top, "upright": rnd.random() < 0.97,
                          "size": size, "height": size, "width": size})
            x += size + rnd.choice([0.0, 0.0, 1.0, 2.99, 3.0, 3.01, 5.0, -20.0])
        assert pdf_tables.text_of(chars, extract_text) == extract_text(chars), chars
