"""Forms to a .docx document: per form a title paragraph (and the year) and one table in the standard
layout with merged cells, a page break between forms. Landscape A4, 宋体.
"""

from __future__ import annotations

from pathlib import Path

from perfscore.model import Document
from perfscore.writers.layout import cell_text, layout_form

__all__ = ["write"]

_FONT = "宋体"


def write(doc: Document, path: Path) -> None:
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
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
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), _FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    section.top_margin = section.bottom_margin = Cm(1.5)
    usable = 29.7 - 3.0
    if doc.title:
        document.core_properties.title = doc.title

    for index, form in enumerate(doc.forms):
        if index:
            document.add_page_break()
        lay = layout_form(form)
        for r in range(lay.title_rows):
            para = document.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(cell_text(lay.rows[r][0]))
            if lay.roles[r][0] == "title":
                run.bold = True
                run.font.size = Pt(15)
        body = lay.rows[lay.title_rows:]
        table = document.add_table(rows=len(body), cols=lay.width)
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(lay.col_widths) or 1
        widths = [Cm(usable * w / total) for w in lay.col_widths]
        rows = table.rows
        for r, values in enumerate(body):
            cells = rows[r].cells
            roles = lay.roles[r + lay.title_rows]
            for c, value in enumerate(values):
                cell = cells[c]
                cell.width = widths[c]
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                if value is None or value == "":
                    continue
                cell.text = cell_text(value)
                para = cell.paragraphs[0]
                role = roles[c]
                if role in ("header", "label"):
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif role == "number":
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if role == "header":
                    for run in para.runs:
                        run.bold = True
        for r0, c0, r1, c1 in lay.merges:
            if r0 < lay.title_rows:
                continue
            a = table.cell(r0 - lay.title_rows, c0)
            b = table.cell(r1 - lay.title_rows, c1)
            a.merge(b)
    document.save(str(path))


def _slim(document) -> None:  # noqa: ANN001
    """Drop parts of python-docx's template that a form does not need (keeps files small)."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/webSettings")):
            part.drop_rel(rid)
    package = part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rid)
