"""The HTML reader: pages written from the standard layout read back field by field, as the xlsx reader reads
the same forms; GBK pages, ``.xls`` files that are HTML, layout tables, spans, and hostile pages."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from perfscore.errors import ReadError
from perfscore.readers import read_documents, sniff
from perfscore.writers import export
from perfscore.writers.layout import cell_text, layout_form
from tests.conftest import read_one, strip_meta

from .test_grid import sample_documents

lxml_html = pytest.importorskip("lxml.html")
from perfscore.readers.html import looks_like_html, table_rows  # noqa: E402

SAMPLES = sample_documents()


def _table(form) -> str:
    """One form as a government page prints it: title paragraphs, then a table with rowspan/colspan."""
    lay = layout_form(form)
    origin = {(m[0], m[1]): m for m in lay.merges}
    covered = {(r, c) for m in lay.merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
    out = [f"<p align=center><b>{html.escape(cell_text(lay.rows[r][0]))}</b></p>" for r in range(lay.title_rows)]
    out.append('<table border="1" cellspacing="0"><tbody>')
    for r in range(lay.title_rows, len(lay.rows)):
        out.append("<tr>")
        for c, value in enumerate(lay.rows[r]):
            if (r, c) in covered and (r, c) not in origin:
                continue
            m = origin.get((r, c))
            attrs = f' rowspan="{m[2] - m[0] + 1}" colspan="{m[3] - m[1] + 1}"' if m else ""
            text = "<br>".join(f"<span>{html.escape(line)}</span>" for line in cell_text(value).split("\n"))
            out.append(f"<td{attrs}>\n  {text}\n</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _page(doc, *, charset: str | None = "utf-8", layout_table: bool = False) -> str:
    """A saved government page: head with a script, navigation, breadcrumb, forms, a footer."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    body = "\n".join(_table(form) for form in doc.forms)
    if layout_table:  # the page's own layout table around the content, as old CMS templates do
        body = f'<table width="100%"><tr><td class="nav">首页 &gt; 信息公开</td></tr><tr><td>{body}</td></tr></table>'
    return (f"<!DOCTYPE html>\n<html><head>{meta}<title>{html.escape(doc.title or '')}</title>"
            "<style>td{border:1px}</style><script>var s = '<table><tr><td>项目名称</td></tr></table>';</script>"
            f"</head><body><nav><a href='/'>首页</a></nav><div class='crumb'>当前位置：首页 &gt; 政务公开</div>"
            f"{body}<div class='footer'>主办单位：某某县人民政府　<!-- 统计 --></div></body></html>")


def _fields(doc) -> list[dict]:
    return [strip_meta(f.model_dump()) for f in doc.forms]


@pytest.mark.parametrize(("stem", "doc"), SAMPLES, ids=[stem for stem, _ in SAMPLES])
def test_a_page_reads_as_the_xlsx_of_the_same_forms(tmp_path, stem, doc):
    pytest.importorskip("python_calamine")
    page = tmp_path / f"{stem}.html"
    page.write_text(_page(doc), encoding="utf-8")
    from_html = read_one(page)
    from_xlsx = read_one(export(doc, tmp_path / f"{stem}.xlsx", "xlsx"))
    assert _fields(from_html) == _fields(from_xlsx) == _fields(doc)
    assert [f.source.table for f in from_html.forms] == list(range(1, len(doc.forms) + 1))
    assert from_html.title == (doc.title or None)


@pytest.mark.parametrize("declared", ["gb2312", "gbk", None])
def test_a_gbk_page_with_or_without_its_meta_charset(tmp_path, declared):
    stem, doc = SAMPLES[0]
    page = tmp_path / f"{stem}.htm"
    page.write_bytes(_page(doc, charset=declared).encode("gbk"))
    assert _fields(read_one(page)) == _fields(doc)


def test_a_page_resaved_as_utf8_that_still_declares_gbk(tmp_path):
    stem, doc = SAMPLES[0]
    page = tmp_path / f"{stem}.html"
    page.write_text(_page(doc, charset="gb2312"), encoding="utf-8")
    assert _fields(read_one(page)) == _fields(doc)


def test_an_xls_download_that_is_really_html(tmp_path):
    stem, doc = SAMPLES[1]
    fake = tmp_path / f"{stem}.xls"
    fake.write_bytes(_page(doc, charset="gbk").encode("gbk"))
    assert sniff(fake) == ".html"
    assert _fields(read_one(fake)) == _fields(doc)


def test_forms_inside_a_layout_table(tmp_path):
    stem, doc = SAMPLES[2]
    page = tmp_path / f"{stem}.html"
    page.write_text(_page(doc, layout_table=True), encoding="utf-8")
    assert _fields(read_one(page)) == _fields(doc)


def test_spans_follow_the_html_table_algorithm():
    table = lxml_html.fromstring(
        "<table>"
        "<tr><td rowspan=3>产出指标<br>(50分)</td><td colspan=2>数量指标</td><td>a</td></tr>"
        "<tr><td>b</td><td rowspan=9>c</td><td>d</td></tr>"  # rowspan past the table's end is clipped
        "<tr><th>e\n  f</th><td>  g&nbsp; h </td></tr>"
        "</table>")
    rows, merges = table_rows(table)
    assert rows == [["产出指标\n(50分)", "数量指标", "", "a"], ["", "b", "c", "d"], ["", "e f", "", "g h"]]
    assert sorted(merges) == [(0, 0, 2, 0), (0, 1, 0, 2), (1, 2, 2, 2)]


def test_sniff_tells_html_from_markdown_and_excel(tmp_path):
    md = tmp_path / "forms.md"
    md.write_text("<table><tr><td>项目名称</td></tr></table>\n", encoding="utf-8")
    assert sniff(md) == ".md"
    utf16 = tmp_path / "page.xls"
    utf16.write_bytes("<html><body><table></table></body></html>".encode("utf-16"))
    assert sniff(utf16) == ".html"
    assert looks_like_html(b"  <!-- saved from url -->\n<HTML>")
    assert not looks_like_html(b"\xd0\xcf\x11\xe0") and not looks_like_html("项目名称\t<b>".encode())


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not a readable HTML page"),
    ("<html><body><p>项目支出绩效自评表</p></body></html>".encode(), "no table in the page"),
    ("<html><body><table><tr><td>首页</td></tr></table></body></html>".encode(), "no self-evaluation form"),
    (b"<html><body><table>" + (b"<tr>" + b'<td colspan="1000" rowspan="65534">x</td>' * 40 + b"</tr>") * 60
     + b"</table></body></html>", "table too large"),
    (b"<html>" + b"\x00\x01\x02\x03\xfe\xff" * 400, "not text"),
])
def test_bad_pages_give_one_line(tmp_path, content, message):
    page = tmp_path / "bad.html"
    page.write_bytes(content)
    with pytest.raises(ReadError) as err:
        list(read_documents(page))
    assert message in str(err.value)
    assert "\n" not in str(err.value) and str(page) in str(err.value)


def test_deep_nesting_does_not_overflow(tmp_path):
    _stem, doc = SAMPLES[3]
    page = tmp_path / "deep.html"
    inner = _table(doc.forms[0])
    page.write_text("<html><body>" + "<div><span>" * 20000 + inner + "</span></div>" * 20000 + "</body></html>",
                    encoding="utf-8")
    try:
        back = read_one(page)
    except ReadError as exc:  # libxml2 may refuse the depth: then one line, never a RecursionError
        assert "\n" not in str(exc)
    else:
        assert _fields(back)[0]["name"] == _fields(doc)[0]["name"]


def test_input_is_not_modified(tmp_path):
    _stem, doc = SAMPLES[0]
    page = tmp_path / "page.html"
    page.write_bytes(_page(doc, charset="gbk").encode("gbk"))
    before = page.read_bytes(), page.stat().st_mtime_ns
    read_one(page)
    assert (page.read_bytes(), page.stat().st_mtime_ns) == before


def test_html_and_htm_are_registered():
    from perfscore.readers import READERS, supported

    assert READERS[".html"] == READERS[".htm"] == "perfscore.readers.html"
    assert supported(Path("x.HTM"))
