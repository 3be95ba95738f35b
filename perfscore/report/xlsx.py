"""`--format xlsx -o OUT.xlsx`: an annotated workbook.

A "Summary" sheet first (counts, grades reported vs recomputed, findings by code, unreadable files, the
forms with links to their sheets, every finding), then one sheet per form in the standard layout: header
lines, the funding table, the indicator table (with the recomputed score and the findings of each row),
then 总分 and grade reported and recomputed. Each cell a finding concerns is filled by severity (error
red, warning amber, info blue) and carries a comment with the code and message — the placement comes
from `rows.form_view`, the same one the Markdown and HTML reports use.

Written in openpyxl's write-only mode, so a large batch streams to disk sheet by sheet, each sheet closed
(its temp file with it) once written; the Summary sheet is created first and filled at the end. Numbers
are numbers (Decimal → float only at the cell); text that a spreadsheet would run as a formula (= + - @,
tab, CR) is stored as a quote-prefixed string.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from perfscore import signals
from perfscore.errors import PerfscoreError
from perfscore.i18n import _, method_label, severity_label
from perfscore.i18n.messages import translate
from perfscore.report.rows import (
    FUNDING_HEADERS,
    INDICATOR_HEADERS,
    SEVERITIES,
    FormView,
    by_severity,
    form_label,
    form_view,
    source_text,
    worst,
)
from perfscore.report.safe import is_formula_like, xml_text
from perfscore.results import DocumentResult, Finding, FormResult, Summary

SUMMARY = "Summary"
SHEET_MAX = 31
SHEET_BAD = set('[]:*?/\\')
CELL_MAX = 32767
FILL_COLOURS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
HEADER_COLOUR = "E7E6E6"
AMOUNT_FORMAT = "#,##0.00####"
SCORE_FORMAT = "0.00"

# funding findings: which cell of the funding row (index into FUNDING_HEADERS) they concern
FUNDING_CELL = {"rate-mismatch": 3, "funding-score-mismatch": 6, "score-over-weight": 6, "budget-change": 1,
                "funding-total-blank": 1}
INDICATOR_WIDTHS = (12, 12, 14, 28, 22, 22, 8, 8, 8, 11, 30)
INDICATOR_FORMATS = (None, None, None, None, None, None, SCORE_FORMAT, SCORE_FORMAT, SCORE_FORMAT, None)
FUNDING_FORMATS = (None, AMOUNT_FORMAT, AMOUNT_FORMAT, SCORE_FORMAT, SCORE_FORMAT, SCORE_FORMAT, SCORE_FORMAT,
                   SCORE_FORMAT)
SUMMARY_WIDTHS = (26, 28, 36, 30, 50, 30, 20, 10, 10, 10, 10, 10)
SCORE_COL, LEVEL1_COL, WEIGHT_COL, COMPUTED_COL, LABEL_COL = 7, 1, 6, 8, 3


def _cut(text: str, limit: int) -> str:
    """The longest start of `text` that is at most `limit` UTF-16 code units (Excel's measure), in one
    pass: cutting a character at a time re-encoded the text each time, O(n²) (a 200K-character cell took
    10 s). A surrogate pair the cut would split is dropped whole."""
    if 2 * len(text) <= limit:  # no character is more than two units
        return text
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) <= 2 * limit:
        return text
    return data[:2 * limit].decode("utf-16-le", "ignore")


def sheet_name(name: str, used: set[str]) -> str:
    """A legal, unique sheet name: no []:*?/\\, not starting or ending with ', ≤ 31 characters.

    `used` holds the casefolded names taken so far (Excel compares sheet names without case); the new
    name is added to it.
    """
    clean = "".join("_" if ch in SHEET_BAD or ord(ch) < 32 else ch for ch in (name or ""))
    clean = " ".join(clean.split()).strip("'").strip() or "Form"
    if clean.casefold() == "history":  # reserved by Excel
        clean = "History_"
    base = _cut(clean, SHEET_MAX).rstrip("'").rstrip() or "Form"
    candidate, n = base, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = _cut(base, SHEET_MAX - len(suffix)).rstrip("'").rstrip() + suffix
    used.add(candidate.casefold())
    return candidate


def _comment_text(findings: Sequence[Finding]) -> str:
    return "\n".join(f"{f.code} [{f.severity}]: {translate(f.code, f.message)}" for f in by_severity(findings))


def _print_setup(ws, title_rows: str | None = None) -> None:
    """Landscape A4, one page wide (as many tall as it takes), the header rows repeated on every page.
    Set before the sheet's first row: a write-only sheet writes its properties with its head."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


class XlsxWriter:
    def __init__(self, path: str | Path, *, formulas: bool = False, **_: object):
        """`formulas`: beside the recomputed figures, the ones a formula gives (执行率, funding score, total)
        as live formulas (`perfscore score -o …xlsx` asks for them); off, every cell is a value."""
        try:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.comments import Comment
            from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
            from openpyxl.worksheet.hyperlink import Hyperlink
        except ImportError:
            raise PerfscoreError("--format xlsx needs openpyxl: pip install 'perfscore[excel]'") from None
        self._cell_class, self._comment, self._hyperlink = WriteOnlyCell, Comment, Hyperlink
        self.path = Path(path)
        self.formulas = formulas
        self.wb = Workbook(write_only=True)
        self.wb.calculation.fullCalcOnLoad = True  # the formulas' values are computed when Excel/WPS opens it
        self.summary_ws = self.wb.create_sheet(SUMMARY)
        for i, width in enumerate(SUMMARY_WIDTHS):
            self.summary_ws.column_dimensions[_col(i)].width = width
        self.used = {SUMMARY.casefold()}
        self.fills = {s: PatternFill("solid", fgColor=c) for s, c in FILL_COLOURS.items()}
        self.header_fill = PatternFill("solid", fgColor=HEADER_COLOUR)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self.link_font = Font(color="0563C1", underline="single")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.border = Border(*(Side(style="thin", color="BFBFBF"),) * 4)
        self.rules: list[str] = []
        self.forms: list[list] = []  # rows of the Summary's form list
        self.findings: list[list] = []  # rows of the Summary's finding list
        self.seen: dict[str, str] = {}

    # --- cells --------------------------------------------------------------------------------------

    def cell(self, ws, value, *, fmt: str | None = None, bold: bool = False, fill=None, findings=(),
             header: bool = False, wrap: bool = False, border: bool = False, font=None, link: str | None = None):
        if isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, str):
            value = _cut(xml_text(value), CELL_MAX)
        c = self._cell_class(ws, value=value)
        if isinstance(value, str) and (c.data_type == "f" or is_formula_like(value)):
            c.data_type = "s"  # never a formula: stored as text, with Excel's quote prefix
            c.quotePrefix = True
        if fmt and isinstance(value, (int, float)):
            c.number_format = fmt
        if header:
            c.font, c.fill, c.alignment = self.bold, self.header_fill, self.wrap
        elif font is not None:
            c.font = font
        elif bold:
            c.font = self.bold
        if wrap and not header:
            c.alignment = self.wrap
        if border:
            c.border = self.border
        findings = list(findings)
        if findings:
            severity = worst(findings) or "info"
            c.fill = self.fills.get(severity, self.fills["info"])
            text = _comment_text(findings)
            lines = sum(1 + len(line) // 40 for line in text.splitlines())
            c.comment = self._comment(text, "perfscore", height=min(40 + 15 * lines, 400), width=320)
        elif fill is not None:
            c.fill = fill
        if link:
            c.hyperlink = self._hyperlink(ref="", location=link)
            c.font = self.link_font
        return c

    def header_row(self, ws, headers: Iterable[str]) -> list:
        return [self.cell(ws, h, header=True, border=True) for h in headers]

    # --- forms --------------------------------------------------------------------------------------

    def document(self, result: DocumentResult) -> None:
        if result.error:
            return
        for f in result.findings:
            self.seen.setdefault(f.code, f.severity)
            self.findings.append([result.file, "", "", f.indicator or "", f.code, f.severity,
                                  translate(f.code, f.message)])
        for form in result.forms:
            self.write_form(form, result.file)

    def write_form(self, form: FormResult, file: str) -> None:
        name = sheet_name(form.name, self.used)
        # Signals held over the sheet: its temp file is made at the first row and recorded for removal at
        # exit a `close` later, where a pending signal lands (`signals`); and none lands mid-sheet.
        with signals.held():
            ws = self.wb.create_sheet(name)
            with _closed_after(ws):
                self._form_sheet(ws, name, form, file)

    def _form_sheet(self, ws, name: str, form: FormResult, file: str) -> None:
        view = form_view(form)
        for i, width in enumerate(INDICATOR_WIDTHS):
            ws.column_dimensions[_col(i)].width = width
        # the indicator table's header row: frozen, and repeated on every printed page
        header = 7 + (len(view.funding) + 3 if view.funding else 0)
        ws.freeze_panes = f"A{header + 1}"
        _print_setup(ws, f"{header}:{header}")
        self.rules.append(form.rules)
        put = ws.append
        put([self.cell(ws, "项目名称" if form.kind != "department" else "部门名称", bold=True),
             self.cell(ws, form.name, font=self.title_font)])
        put([self.cell(ws, "表", bold=True), self.cell(ws, form_label(form))])
        put([self.cell(ws, "单位", bold=True), self.cell(ws, form.unit or ""),
             None, self.cell(ws, f"年度 {form.year}" if form.year else "")])
        put([self.cell(ws, "来源", bold=True), self.cell(ws, source_text(form) or file)])
        put([self.cell(ws, "规则", bold=True), self.cell(ws, form.rules)])
        put([])
        self.write_funding(ws, view)
        self.write_indicators(ws, view)
        self.write_totals(ws, view)
        put([])
        put([self.cell(ws, _("Findings"), bold=True), self.cell(ws, len(form.findings))])
        if form.findings:
            put(self.header_row(ws, [_("severity"), _("code"), _("indicator"), _("message")]))
            for f in by_severity(form.findings):
                put([self.cell(ws, severity_label(f.severity), fill=self.fills.get(f.severity), border=True),
                     self.cell(ws, f.code, border=True), self.cell(ws, f.indicator or "", border=True, wrap=True),
                     self.cell(ws, translate(f.code, f.message), border=True, wrap=True)])
        for f in form.findings:
            self.seen.setdefault(f.code, f.severity)
            self.findings.append([file, form.name, name, f.indicator or "", f.code, f.severity,
                                  translate(f.code, f.message)])
        counts = view.severity_counts()
        self.forms.append([len(self.forms) + 1, name, form.name, file, form.kind, form.reported_total,
                           form.computed_total, form.reported_grade or "", form.computed_grade or "",
                           *(counts[s] for s in SEVERITIES)])

    def write_funding(self, ws, view: FormView) -> None:
        if not view.funding:
            return
        ws.append([self.cell(ws, "预算执行 (万元)", bold=True)])
        formulas = [_("执行率%(公式)"), _("得分(公式)")] if self.formulas else []
        ws.append(self.header_row(ws, [*FUNDING_HEADERS, "问题", *formulas]))
        first = 9  # the funding rows' first row: after the five header lines, a blank, the title and the header
        for n, row in enumerate(view.funding):
            placed: dict[int, list[Finding]] = {}
            for f in row.findings:
                placed.setdefault(FUNDING_CELL.get(f.code, 0), []).append(f)
            cells = []
            for i, (value, fmt) in enumerate(zip(row.cells(), FUNDING_FORMATS, strict=False)):
                strong = (i == 4 and row.rate_changed) or (i == 7 and row.score_changed)
                cells.append(self.cell(ws, value, fmt=fmt, bold=strong, findings=placed.get(i, ()), border=True))
            cells.append(self.cell(ws, _codes(row.findings), border=True, wrap=True))
            cells += self._funding_formulas(ws, row, first + n)
            ws.append(cells)
        ws.append([])

    def formula(self, ws, text: str, *, bold: bool = False):
        """A formula cell (never from form text: built here from cell references only)."""
        c = self.cell(ws, 0, fmt=SCORE_FORMAT, bold=bold, border=True)
        c.value = text
        return c

    def _funding_formulas(self, ws, row, r: int) -> list:
        """执行率 = B/A × 100 and, where the rule set's score is min(rate, 1) × 分值 (it gave that number),
        the score as that formula: the recomputed figures a reviewer can follow in the workbook."""
        if not self.formulas or not row.annual_budget or row.executed is None:
            return []
        out = [self.formula(ws, f"=ROUND(C{r}/B{r}*100,2)")]
        if row.weight is not None and row.computed_score is not None:
            rate = row.executed / row.annual_budget
            if round(min(rate, Decimal(1)) * row.weight, 2) == row.computed_score:
                out.append(self.formula(ws, f"=ROUND(MIN(C{r}/B{r},1)*F{r},2)"))
        return out

    def write_indicators(self, ws, view: FormView) -> None:
        ws.append(self.header_row(ws, [*INDICATOR_HEADERS[:8], _("重算 (computed)"), INDICATOR_HEADERS[9], "问题"]))
        for row in view.indicators:
            cells = []
            values = list(row.cells())
            values[9] = method_label(str(values[9]))
            for i, (value, fmt) in enumerate(zip(values, INDICATOR_FORMATS, strict=False)):
                findings = row.findings if i == SCORE_COL else row.group_findings if i == LEVEL1_COL else ()
                cells.append(self.cell(ws, value, fmt=fmt, bold=(i == COMPUTED_COL and row.changed),
                                       findings=findings, border=True, wrap=2 <= i <= 5))
            cells.append(self.cell(ws, _codes(row.findings + row.group_findings), border=True, wrap=True))
            ws.append(cells)

    def write_totals(self, ws, view: FormView) -> None:
        form = view.form
        header = 7 + (len(view.funding) + 3 if view.funding else 0)
        first, last = header + 1, header + len(view.indicators)
        total = [None] * 9
        total[LABEL_COL] = self.cell(ws, "总分", bold=True, border=True)
        total[WEIGHT_COL] = self.cell(ws, view.weight_sum, fmt=SCORE_FORMAT, findings=view.weight_findings,
                                      border=True)
        total[SCORE_COL] = self.cell(ws, form.reported_total, fmt=SCORE_FORMAT, findings=view.total_findings,
                                     border=True)
        total[COMPUTED_COL] = self.cell(ws, form.computed_total, fmt=SCORE_FORMAT, bold=view.total_changed,
                                        border=True)
        grade = [None] * 9
        grade[LABEL_COL] = self.cell(ws, "等级", bold=True, border=True)
        grade[SCORE_COL] = self.cell(ws, form.reported_grade or "", border=True)
        grade[COMPUTED_COL] = self.cell(ws, form.computed_grade or "", bold=view.grade_changed, border=True)
        note = [None] * 9
        note[SCORE_COL] = self.cell(ws, _("reported"))
        note[COMPUTED_COL] = self.cell(ws, _("computed"))
        scores = [r.result.computed_score for r in view.indicators]
        funding = view.funding[0].computed_score if len(view.funding) == 1 else None if view.funding else Decimal(0)
        known = [s for s in scores if s is not None]
        if self.formulas and view.indicators and len(known) == len(scores) and funding is not None \
                and sum(known, funding) == form.computed_total:  # the total is the plain sum: show it as one
            total.append(self.formula(ws, f"=SUM(I{first}:I{last})" + ("+H9" if view.funding else ""),
                                      bold=view.total_changed))
        ws.append(total)
        ws.append(grade)
        ws.append(note)

    # --- summary ------------------------------------------------------------------------------------

    def end(self, summary: Summary) -> None:
        from perfscore.report.xlsx_summary import write_summary  # it reads this module's helpers

        with _closed_after(self.summary_ws):
            write_summary(self, summary)
        self.wb.save(self.path)


@contextlib.contextmanager
def _closed_after(ws) -> Iterator[None]:
    """Close a write-only sheet as soon as it is written. Open, its XML stream holds a temp file: with
    every form's sheet left open until the workbook was saved, ~1,000 forms hit the usual limit of 1,024
    open files (`OSError: Too many open files`). On an error the sheet is closed quietly: left to the
    garbage collector at exit, each open sheet printed an "Exception ignored" traceback from lxml."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            ws.close()
        raise
    ws.close()


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _codes(findings: list[Finding]) -> str:
    return ", ".join(dict.fromkeys(f.code for f in by_severity(findings)))


Writer = XlsxWriter
