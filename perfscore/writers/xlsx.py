"""Forms to an .xlsx workbook: one sheet per form in the standard layout, with merged cells.

Amounts and points are written as numbers (openpyxl turns the Decimal into the cell's number only at
the file boundary); text is always text: a value starting with ``= + - @``, a tab or a CR is stored as a
string with Excel's quote prefix so it is never taken for a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from copy import copy
from decimal import Decimal
from pathlib import Path

from perfscore.model import Document
from perfscore.report.safe import is_formula_like
from perfscore.writers.layout import Layout, cell_text, layout_form

__all__ = ["sheet_title", "write"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, no []:*?/\\, not blank)."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip().strip("'") or "Sheet"
    base = base[:31]
    title, n = base, 1
    while title.lower() in used:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.lower())
    return title


def _text_units(text: str) -> float:
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def write(doc: Document, path: Path, reviews: Mapping[int, Sequence[str]] | None = None) -> None:
    """Every form of ``doc`` on a sheet of its own; ``reviews``: 复核意见 lines by form index."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    except ImportError:
        from perfscore.writers import WriteError

        raise WriteError(str(path), "writing xlsx needs openpyxl: pip install 'perfscore[excel]'") from None

    wb = Workbook()
    scratch = wb.active
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="宋体", size=10)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    looks = {
        "title": (Font(name="宋体", size=14, bold=True), center, None, None),
        "year": (font, Alignment(horizontal="center", vertical="center"), None, None),
        "header": (Font(name="宋体", size=10, bold=True), center, border, PatternFill("solid", fgColor="F2F2F2")),
        "label": (font, center, border, None),
        "text": (font, left, border, None),
        "number": (font, right, border, None),
    }
    # Style each look once on a scratch cell and copy its style ids: openpyxl's per-cell style
    # assignment hashes whole style objects and dominates the time otherwise.
    styles = {}
    for n, (role, (f, a, b, fill)) in enumerate(looks.items(), start=1):
        cell = scratch.cell(row=n, column=1)
        cell.font, cell.alignment = f, a
        if b is not None:
            cell.border = b
        if fill is not None:
            cell.fill = fill
        styles[role] = copy(cell._style)
        quoted = scratch.cell(row=n, column=2)
        quoted._style = copy(cell._style)
        quoted.quotePrefix = True
        styles[role + "'"] = copy(quoted._style)
    wb.remove(scratch)
    used: set[str] = set()
    if not doc.forms:
        wb.create_sheet("Sheet")
    for index, form in enumerate(doc.forms):
        ws = wb.create_sheet(sheet_title(form.name or "Sheet", used))
        _fill(ws, layout_form(form, (reviews or {}).get(index, ())), styles)
    wb.save(path)


def _fill(ws, lay: Layout, styles: dict) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    for r, row in enumerate(lay.rows):
        roles = lay.roles[r]
        for c, value in enumerate(row):
            role = roles[c]
            if r < lay.title_rows and value is None:
                continue
            cell = ws.cell(row=r + 1, column=c + 1)
            if value is not None and value != "":
                if isinstance(value, Decimal):
                    cell.value = value  # openpyxl makes the number at the file boundary
                else:
                    text = str(value)
                    cell.value = text
                    if is_formula_like(text):  # = + - @, and a leading tab or CR (Excel strips them first)
                        cell.data_type = "s"  # text, never a formula
                        role += "'"  # and Excel's quote prefix
            cell._style = copy(styles[role])
    for r0, c0, r1, c1 in lay.merges:
        # every covered cell already carries the border and style: register the range as is
        ws.merged_cells.add(CellRange(min_row=r0 + 1, min_col=c0 + 1, max_row=r1 + 1, max_col=c1 + 1))
    for c, width in enumerate(lay.col_widths):
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    # row heights: Excel does not grow merged cells to fit wrapped text, so estimate them
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in lay.merges:
        spans[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
    for r, row in enumerate(lay.rows):
        lines = 1.0
        for c, value in enumerate(row):
            if value is None:
                continue
            nrows, ncols = spans.get((r, c), (1, 1))
            width = sum(lay.col_widths[c:c + ncols]) or 10
            text = cell_text(value)
            need = sum(max(1, math.ceil(_text_units(part) / width)) for part in text.split("\n"))
            lines = max(lines, need / nrows)
        height = 15 * lines + 3 if lines > 1 else (24 if lay.roles[r][0] == "title" else None)
        if height:
            ws.row_dimensions[r + 1].height = min(height, 409)
    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
