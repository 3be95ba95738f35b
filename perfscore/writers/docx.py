"""Forms to a .docx document: per form a title paragraph (and the year) and one table in the standard
layout with merged cells, a page break between forms. Landscape A4, 宋体.

The table rows are written as WordprocessingML directly (``w:gridSpan`` across, ``w:vMerge`` down):
python-docx's ``table.cell()`` and ``merge()`` walk the whole table on every call, which made a
200-form export take minutes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from perfscore.model import Document
from perfscore.writers.layout import Layout, cell_text, layout_form

__all__ = ["write"]

_FONT = "宋体"
_TWIPS_PER_CM = 567
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write(doc: Document, path: Path, reviews: Mapping[int, Sequence[str]] | None = None) -> None:
    """Every form of ``doc`` on a page of its own; ``reviews``: 复核意见 lines by form index."""
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import parse_xml
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
    except ImportError:
        from perfscore.writers import WriteError

        raise WriteError(str(path), "writing docx needs python-docx: pip install 'perfscore[word]'") from None

    document = docx.Document()
    _slim(document)
    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(9)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    usable_cm = 29.7 - 3.0
    if doc.title:
        document.core_properties.title = doc.title

    for index, form in enumerate(doc.forms):
        if index:
            document.add_page_break()
        lay = layout_form(form, (reviews or {}).get(index, ()))
        for r in range(lay.title_rows):
            para = document.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(_clean(cell_text(lay.rows[r][0])))
            if lay.roles[r][0] == "title":
                run.bold = True
                run.font.size = Pt(15)
        table = document.add_table(rows=0, cols=lay.width)
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(lay.col_widths) or 1
        widths = [int(usable_cm * _TWIPS_PER_CM * w / total) for w in lay.col_widths]
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=False):
            grid_col.w = width * 635  # twips → EMU, python-docx's Length
        for xml in _rows_xml(lay, widths):
            table._tbl.append(parse_xml(xml))
    document.save(str(path))


def _clean(text: str) -> str:
    return _BAD_XML.sub("", text)


def _paragraph(text: str, role: str) -> str:
    jc = {"header": "center", "label": "center", "number": "right"}.get(role)
    ppr = f'<w:pPr><w:jc w:val="{jc}"/></w:pPr>' if jc else ""
    if not text:
        return f"<w:p>{ppr}</w:p>"
    rpr = "<w:rPr><w:b/></w:rPr>" if role == "header" else ""
    parts = []
    for i, line in enumerate(_clean(text).split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:p>{ppr}<w:r>{rpr}{''.join(parts)}</w:r></w:p>"


def _rows_xml(lay: Layout, widths: list[int]) -> list[str]:
    """The table rows below the title rows, each merged region as one cell spanning its columns."""
    first = lay.title_rows
    spans: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r0, c0, r1, c1 in lay.merges:
        if r0 < first:
            continue
        for r in range(r0, r1 + 1):
            spans[(r, c0)] = (r0, c0, r1, c1)
            for c in range(c0 + 1, c1 + 1):
                spans[(r, c)] = (-1, -1, -1, -1)  # covered from the left: no cell of its own
    out = []
    for r in range(first, len(lay.rows)):
        cells = []
        for c in range(lay.width):
            r0, c0, r1, c1 = spans.get((r, c), (r, c, r, c))
            if r0 < 0:
                continue
            span = c1 - c0 + 1
            props = [f'<w:tcW w:w="{sum(widths[c0:c1 + 1])}" w:type="dxa"/>']
            if span > 1:
                props.append(f'<w:gridSpan w:val="{span}"/>')
            if r1 > r0:
                props.append('<w:vMerge w:val="restart"/>' if r == r0 else "<w:vMerge/>")
            props.append('<w:vAlign w:val="center"/>')
            text = cell_text(lay.rows[r][c]) if r == r0 else ""
            cells.append(f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{_paragraph(text, lay.roles[r][c])}</w:tc>")
        out.append(f"<w:tr {_W}>{''.join(cells)}</w:tr>")
    return out


def _slim(document) -> None:
    """Drop parts of python-docx's template that a form does not need (keeps files small)."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/webSettings")):
            part.drop_rel(rid)
    package = part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rid)
