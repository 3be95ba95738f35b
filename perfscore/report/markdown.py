"""`--format markdown`: a report an auditor can send on.

Title, the rule set, the summary (counts, grades reported vs recomputed, findings by code and severity),
an overview of the forms, then each file with its document findings and each form: a table of the
indicators, the funding line, totals and grades, and the findings. The summary comes first but forms
arrive one at a time, so the per-form sections (small text) are buffered and everything is written at
the end. Every string from a form is escaped (`safe.md_cell` / `md_text`).
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from decimal import Decimal

from perfscore import __version__
from perfscore.i18n import _, method_label, severity_label
from perfscore.i18n.messages import translate
from perfscore.report.rows import (
    FUNDING_HEADERS,
    INDICATOR_HEADERS,
    SEVERITIES,
    BufferedReport,
    FormView,
    IndicatorRow,
    Value,
    by_severity,
    code_rows,
    form_meta,
    form_view,
    grade_rows,
    rule_sets,
    trace_text,
)
from perfscore.report.safe import md_cell, md_code, md_text
from perfscore.report.summary import change_cells, change_headers, changes_title, unit_cells, unit_headers
from perfscore.report.text import num
from perfscore.results import DocumentResult, Finding, FormResult, Summary, TraceStep

TITLE = "绩效自评表复核报告"
NUMERIC_INDICATOR = {0, 6, 7, 8}  # columns right-aligned
NUMERIC_FUNDING = {1, 2, 3, 4, 5, 6, 7}


def cell(value: Value, strong: bool = False) -> str:
    if isinstance(value, Decimal):
        text = num(value)
    elif isinstance(value, int):
        text = str(value)
    else:
        text = md_cell(value)
    return f"**{text}**" if strong and text else text


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Set[int] = frozenset()) -> list[str]:
    lines = ["| " + " | ".join(md_cell(h) for h in headers) + " |",
             "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def codes(findings: list[Finding]) -> str:
    """The distinct codes of some findings, worst first, as inline code."""
    return ", ".join(md_code(c) for c in dict.fromkeys(f.code for f in by_severity(findings)))


def finding_line(f: Finding, with_indicator: bool = True) -> str:
    where = f" [{md_text(f.indicator)}]" if with_indicator and f.indicator else ""
    return f"- **{severity_label(f.severity)}** {md_code(f.code)}{where}: {md_text(translate(f.code, f.message))}"


def render_indicators(view: FormView) -> list[str]:
    rows = []
    for row in view.indicators:
        values = row.cells()
        method = values[9]
        cells = [cell(v) for v in values[:8]] + [cell(values[8], strong=row.changed),
                                                 cell(method_label(method) if isinstance(method, str) else method)]
        cells.append(codes(row.findings + row.group_findings))
        if row.findings:
            cells[0] = f"**{cells[0]}** ⚠"
        rows.append(cells)
    return table([*INDICATOR_HEADERS, "问题"], rows, NUMERIC_INDICATOR) if rows else []


def render_funding(view: FormView) -> list[str]:
    rows = []
    for row in view.funding:
        v = row.cells()
        rows.append([cell(v[0]), cell(v[1]), cell(v[2]), cell(v[3]), cell(v[4], strong=row.rate_changed),
                     cell(v[5]), cell(v[6]), cell(v[7], strong=row.score_changed),
                     codes(row.findings)])
    return table([*FUNDING_HEADERS, "问题"], rows, NUMERIC_FUNDING) if rows else []


def _trace(steps: list[TraceStep], indent: str) -> list[str]:
    return [f"{indent}- {trace_text(step, md_code, md_text)}" for step in steps]


def render_explain(form: FormResult, rows: list[IndicatorRow]) -> list[str]:
    lines = [f"**{_('Why (explain)')}:**", ""]
    if form.funding is not None:
        lines.append(f"- 资金: {md_text(form.funding.explanation)}")
        lines.extend(_trace(form.funding.trace, "  "))
    for row in rows:
        r = row.result
        score = num(r.computed_score) or num(r.reported_score) or "—"
        lines.append(f"- {r.index}. {md_text(r.level3)} — {md_text(method_label(r.method))} → {score}: "
                     f"{md_text(r.explanation)}")
        lines.extend(_trace(r.trace, "  "))
    lines.append(f"- 总分 {num(form.computed_total) or '—'} → {md_text(form.computed_grade or '—')}")
    lines.extend(_trace(form.trace, "  "))
    return lines


def render_form(form: FormResult, number: int, explain: bool = False) -> str:
    view = form_view(form)
    lines = [f"### {number}. {md_text(form.name)}", "", form_meta(form, md_text, md_code), ""]
    indicators = render_indicators(view)
    if indicators:
        lines += [*indicators, ""]
    funding = render_funding(view)
    if funding:
        lines += [f"**预算执行 ({_('funding, 万元')})**", "", *funding, ""]
    total = cell(form.computed_total, strong=view.total_changed) or "—"
    grade = f"**{md_text(form.computed_grade)}**" if view.grade_changed else md_text(form.computed_grade or "—")
    weights = f" · 分值合计 {num(view.weight_sum)}" if view.weight_sum is not None else ""
    lines += [f"**总分** {num(form.reported_total) or '—'} → {total} · **等级** "
              f"{md_text(form.reported_grade or '—')} → {grade}{weights}  ", f"({_('reported → recomputed')})", ""]
    if form.findings:
        lines += [f"**{_('Findings ({count})').format(count=len(form.findings))}:**", ""]
        lines += [finding_line(f) for f in by_severity(form.findings)]
        lines.append("")
    else:
        lines += [_("No findings."), ""]
    if explain:
        lines += [*render_explain(form, view.indicators), ""]
    return "\n".join(lines) + "\n"


class MarkdownWriter(BufferedReport):

    def document(self, result: DocumentResult) -> None:
        lines = [f"## {md_text(result.file)}", ""]
        if result.error:
            lines += [f"**{_('Unreadable')}:** {md_text(result.error)}", ""]
            self.sections.append("\n".join(lines) + "\n")
            return
        if result.findings:
            heading = _("Document findings")
            lines += [f"**{heading}:**", "", *(finding_line(f) for f in by_severity(result.findings)), ""]
        self.sections.append("\n".join(lines) + "\n")
        self.note(result.findings)
        for form in result.forms:
            self.add_form(form)
            self.sections.append(render_form(form, self.count, self.explain))
            counts = {s: sum(1 for f in form.findings if f.severity == s) for s in SEVERITIES}
            self.overview.append([str(self.count), md_cell(form.name), md_cell(result.file),
                                  num(form.reported_total), num(form.computed_total),
                                  md_cell(form.reported_grade), md_cell(form.computed_grade),
                                  *(str(counts[s]) for s in SEVERITIES)])

    def end(self, summary: Summary) -> None:
        self.out.write(self.render_summary(summary))
        for section in self.sections:
            self.out.write("\n")
            self.out.write(section)

    def render_summary(self, summary: Summary) -> str:
        severity = ", ".join(f"{n} {severity_label(s)}" for s, n in summary.findings_by_severity.items()) or _("none")
        lines = [f"# {TITLE}", "", f"{_('Rule set')}: {md_code(rule_sets(self.rules))} · perfscore {__version__}", "",
                 f"## {_('Summary')}", ""]
        lines += table(["", ""], [[_("Forms read"), str(summary.forms)], [_("Files"), str(summary.files)],
                                  [_("Unreadable files"), str(len(summary.unreadable))],
                                  [_("Grade changes under the rules"), str(summary.grade_changes)],
                                  [_("Findings"), severity]], {1})
        if summary.changes:
            lines += ["", f"### {changes_title(summary)}", ""]
            lines += table(change_headers(), [[md_cell(c) for c in change_cells(ch)] for ch in summary.changes], {0})
        if summary.by_unit and (len(summary.by_unit) > 1 or summary.changes):
            lines += ["", f"### {_('By 主管部门/预算单位')}", ""]
            lines += table(unit_headers(), [[md_cell(c) if i == 0 else str(c) for i, c in enumerate(unit_cells(u, n))]
                                            for u, n in summary.by_unit.items()], {1, 2, 3, 4, 5})
        grades, rows = grade_rows(summary)
        if grades:
            lines += ["", f"### {_('Grades: reported vs recomputed')}", ""]
            lines += table(["", *grades], [[_(label), *map(str, counts)] for label, counts in rows],
                           set(range(1, len(grades) + 1)))
        if summary.findings_by_severity:
            lines += ["", f"### {_('Findings by severity')}", ""]
            lines += table([_("severity"), _("count")],
                           [[severity_label(s), str(n)] for s, n in summary.findings_by_severity.items()], {1})
        if summary.findings_by_code:
            lines += ["", f"### {_('Findings by code')}", ""]
            lines += table([_("code"), _("severity"), _("title"), _("count")],
                           [[md_code(r.code), severity_label(r.severity), md_cell(r.title), str(r.count)]
                            for r in code_rows(summary, self.seen)], {3})
            lines += ["", _("`perfscore explain CODE` documents each code: what it means and how to fix it.")]
        for title, errors in ((_("Unreadable files"), summary.unreadable), (_("Skipped files"), summary.skipped)):
            if errors:
                lines += ["", f"### {title}", ""]
                lines += [f"- {md_text(e.file)}: {md_text(e.message)}" for e in errors]
        if self.overview:
            lines += ["", f"### {_('Forms')}", ""]
            lines += table(["#", _("form"), _("file"), "总分", "重算", "等级", "重算等级",
                            *(severity_label(s) for s in SEVERITIES)], self.overview, {0, 3, 4, 7, 8, 9})
        return "\n".join(lines) + "\n"


Writer = MarkdownWriter
