"""`--format html`: one self-contained page to hand on — inline CSS, no scripts, fonts or images.

Same content as the Markdown report: the summary first (counts, grades reported vs recomputed,
findings by code linking to the catalogue at the end), an overview of the forms, then each file with its
document findings and each form: the indicator table (rows with findings marked, recomputed scores that
differ highlighted), funding, totals and findings with severity badges. Readable on a phone (tables
scroll inside their wrapper, long cells wrap) and printable (sections kept on a page where they fit,
highlights still visible without background colours). Every string from a form goes through `safe.h`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TextIO

from perfscore import __version__, catalogue
from perfscore.i18n import _, catalogue_text, language, method_label, severity_label
from perfscore.i18n.messages import translate
from perfscore.report.chart import charts
from perfscore.report.html_style import CSS
from perfscore.report.rows import (
    FUNDING_HEADERS,
    INDICATOR_HEADERS,
    SEVERITIES,
    BufferedReport,
    FormView,
    Value,
    by_severity,
    code_rows,
    form_meta,
    form_view,
    grade_rows,
    rule_sets,
    trace_text,
    worst,
)
from perfscore.report.safe import h
from perfscore.report.summary import change_cells, change_headers, changes_title, unit_cells, unit_headers
from perfscore.report.text import num
from perfscore.results import DocumentResult, Finding, FormResult, Summary, TraceStep

TITLE = "绩效自评表复核报告"
# Forms beyond DETAIL_LIMIT are left out of the page (it says so, and points to xlsx/JSON): a browser opens
# 2,000 collapsed forms in about a second, 20,000 not at all. Beyond COLLAPSE_AFTER, forms are collapsed.
DETAIL_LIMIT = 2000
COLLAPSE_AFTER = 30
CHANGES_LIMIT = 1000


INDICATOR_CLASSES = ("n", "t", "t", "long", "long", "long", "n", "n", "n", "k")
FUNDING_CLASSES = ("t", "n", "n", "n", "n", "n", "n", "n")


def value(v: Value) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return num(v)
    return h(v)


def td(content: str, cls: str = "", title: str | None = None) -> str:
    attrs = f' class="{cls}"' if cls else ""
    if title:
        attrs += f' title="{h(title)}"'
    return f"<td{attrs}>{content}</td>"


def badge(severity: str) -> str:
    return f'<span class="badge {h(severity)}">{h(severity_label(severity))}</span>'


def code_link(code: str, title: str | None = None) -> str:
    tip = f' title="{h(title)}"' if title else ""
    return f'<a href="#code-{h(code)}"{tip}><code>{h(code)}</code></a>'


def codes_cell(findings: list[Finding]) -> str:
    seen: dict[str, list[str]] = {}
    for f in by_severity(findings):
        seen.setdefault(f.code, []).append(translate(f.code, f.message))
    return " ".join(code_link(code, "\n".join(messages)) for code, messages in seen.items())


def table(headers: Sequence[str], rows: Iterable[str], numeric: Iterable[int] = (), cls: str = "") -> str:
    numeric = set(numeric)
    head = "".join(f'<th class="n">{h(x)}</th>' if i in numeric else f"<th>{h(x)}</th>"
                   for i, x in enumerate(headers))
    attrs = f' class="{cls}"' if cls else ""
    return (f'<div class="scroll"><table{attrs}><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def finding_item(f: Finding, with_indicator: bool = True) -> str:
    where = f' <span class="where">[{h(f.indicator)}]</span>' if with_indicator and f.indicator else ""
    return f"<li>{badge(f.severity)} {code_link(f.code)}{where} {h(translate(f.code, f.message))}</li>"


def findings_list(findings: list[Finding]) -> str:
    return '<ul class="findings">' + "".join(finding_item(f) for f in by_severity(findings)) + "</ul>"


def render_indicators(view: FormView) -> str:
    rows = []
    for row in view.indicators:
        cells = row.cells()
        parts = []
        for i, (v, cls) in enumerate(zip(cells, INDICATOR_CLASSES, strict=False)):
            if i == 1 and row.group_findings:
                cls += " flag-cell"
                parts.append(td(value(v), cls, "\n".join(f"{f.code}: {translate(f.code, f.message)}"
                                                          for f in row.group_findings)))
                continue
            if i == 7 and row.findings:
                cls += " flag-cell"
            if i == 8 and row.changed:
                cls += " changed"
            if i == 9 and isinstance(v, str):
                v = method_label(v)
            parts.append(td(value(v), cls))
        parts.append(td(codes_cell(row.findings + row.group_findings), "t"))
        severity = worst(row.findings)
        attrs = f' class="flag-{severity}"' if severity else ""
        rows.append(f"<tr{attrs}>" + "".join(parts) + "</tr>")
    return table([*INDICATOR_HEADERS, "问题"], rows, (0, 6, 7, 8), "wide")


def render_funding(view: FormView) -> str:
    rows = []
    for row in view.funding:
        parts = []
        for i, (v, cls) in enumerate(zip(row.cells(), FUNDING_CLASSES, strict=False)):
            if (i == 4 and row.rate_changed) or (i == 7 and row.score_changed):
                cls += " changed"
            parts.append(td(value(v), cls))
        parts.append(td(codes_cell(row.findings), "t"))
        severity = worst(row.findings)
        attrs = f' class="flag-{severity}"' if severity else ""
        rows.append(f"<tr{attrs}>" + "".join(parts) + "</tr>")
    return table([*FUNDING_HEADERS, "问题"], rows, range(1, 8))


def _trace(steps: list[TraceStep]) -> str:
    if not steps:
        return ""
    items = [trace_text(step, lambda t: f"<code>{h(t)}</code>", h) for step in steps]
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def render_explain(form: FormResult, view: FormView) -> str:
    items = []
    if form.funding is not None:
        items.append(f"<li>资金: {h(form.funding.explanation)}{_trace(form.funding.trace)}</li>")
    for row in view.indicators:
        r = row.result
        score = num(r.computed_score) or num(r.reported_score) or "—"
        items.append(f"<li>{r.index}. {h(r.level3)} — {h(method_label(r.method))} → {h(score)}: {h(r.explanation)}"
                     f"{_trace(r.trace)}</li>")
    items.append(f"<li>总分 {h(num(form.computed_total) or '—')} → {h(form.computed_grade or '—')}"
                 f"{_trace(form.trace)}</li>")
    return f'<div class="explain"><h4>{h(_("Why (explain)"))}</h4><ul>' + "".join(items) + "</ul></div>"


def render_totals(form: FormResult, view: FormView) -> str:
    total = h(num(form.computed_total) or "—")
    if view.total_changed:
        total = f'<span class="changed">{total}</span>'
    grade = h(form.computed_grade or "—")
    if view.grade_changed:
        grade = f'<span class="changed">{grade}</span>'
    marks = codes_cell(view.total_findings)
    weights = ""
    if view.weight_sum is not None:
        weights = f" · 分值合计 <b>{h(num(view.weight_sum))}</b> {codes_cell(view.weight_findings)}"
    return (f'<p class="totals">总分 <b>{h(num(form.reported_total) or "—")}</b> → <b>{total}</b> · '
            f'等级 <b>{h(form.reported_grade or "—")}</b> → <b>{grade}</b> {marks}{weights} '
            f'<span class="meta">({h(_("reported → recomputed"))})</span></p>')


def render_form(form: FormResult, number: int, explain: bool = False, collapsed: bool = False) -> str:
    """A form's section; `collapsed`: inside a closed <details> whose summary line says name, total and
    grade, so that a page of hundreds of forms opens fast and reads as a list."""
    view = form_view(form)
    meta = form_meta(form, h, lambda t: f"<code>{h(t)}</code>")
    heading = f"{number}. {h(form.name)}"
    parts = [f'<section class="form" id="form-{number}">']
    if collapsed:
        line = (f" · {h(num(form.reported_total) or '—')} → {h(num(form.computed_total) or '—')}"
                f" · {h(form.reported_grade or '—')} → {h(form.computed_grade or '—')}")
        parts.append(f'<details class="form"><summary>{heading}<span class="meta">{line}</span></summary>')
    parts += [f"<h3>{heading}</h3>", f'<p class="meta">{meta}</p>']
    if view.indicators:
        parts.append(render_indicators(view))
    if view.funding:
        parts += [f"<h4>预算执行 <span class=\"meta\">({h(_('funding, 万元'))})</span></h4>", render_funding(view)]
    parts.append(render_totals(form, view))
    if form.findings:
        parts += [f"<h4>{h(_('Findings ({count})').format(count=len(form.findings)))}</h4>",
                  findings_list(form.findings)]
    else:
        parts.append(f'<p class="none">{h(_("No findings."))}</p>')
    if explain:
        parts.append(render_explain(form, view))
    if collapsed:
        parts.append("</details>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


class HtmlWriter(BufferedReport):
    def __init__(self, out: TextIO, *, explain: bool = False, detail_limit: int = DETAIL_LIMIT,
                 collapse_after: int = COLLAPSE_AFTER, **_: object):
        super().__init__(out, explain=explain)
        self.files = 0
        self.detail_limit, self.collapse_after = detail_limit, collapse_after
        self.truncated = False
        self.numbers: dict[tuple[str, str], int] = {}

    def document(self, result: DocumentResult) -> None:
        self.files += 1
        if self.truncated:
            for form in result.forms:
                self.add_form(form)
            self.note(result.findings)
            return
        parts = [f'<section class="file" id="file-{self.files}">', f"<h2>{h(result.file)}</h2>"]
        if result.error:
            parts += [f"<p>{badge('error')} {h(_('unreadable'))}: {h(result.error)}</p>", "</section>"]
            self.sections.append("\n".join(parts) + "\n")
            return
        if result.findings:
            parts += [f"<h4>{h(_('Document findings'))}</h4>", findings_list(result.findings)]
        self.note(result.findings)
        for form in result.forms:
            self.add_form(form)
            if self.count > self.detail_limit:  # too many for a page: the summary alone, memory kept flat
                self.truncated = True
                self.sections.clear()
                self.overview.clear()
                self.numbers.clear()
                return
            self.numbers.setdefault((result.file, form.name), self.count)
            parts.append(render_form(form, self.count, self.explain, collapsed=self.count > self.collapse_after
                                     or self.collapse_after == 0))
            self.overview.append(self._overview_row(form, result.file))
        parts.append("</section>")
        self.sections.append("\n".join(parts) + "\n")

    def _overview_row(self, form: FormResult, file: str) -> str:
        counts = {s: sum(1 for f in form.findings if f.severity == s) for s in SEVERITIES}
        total_cls = "n changed" if form.reported_total is not None and form.computed_total is not None \
            and form.reported_total != form.computed_total else "n"
        grade_cls = "changed" if form.reported_grade and form.computed_grade \
            and form.reported_grade != form.computed_grade else ""
        cells = [td(str(self.count), "n"), td(f'<a href="#form-{self.count}">{h(form.name)}</a>', "long"),
                 td(h(file), "t"), td(value(form.reported_total), "n"),
                 td(value(form.computed_total), total_cls), td(h(form.reported_grade)),
                 td(h(form.computed_grade), grade_cls)]
        cells += [td(str(counts[s]) if counts[s] else "", "n") for s in SEVERITIES]
        severity = worst(form.findings)
        attrs = f' class="flag-{severity}"' if severity else ""
        return f"<tr{attrs}>" + "".join(cells) + "</tr>"

    def end(self, summary: Summary) -> None:
        out = self.out
        lang = "zh-CN" if language() == "zh" else "en"
        out.write(f"<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  f"<meta name=\"generator\" content=\"perfscore {h(__version__)}\">\n"
                  f"<title>{h(TITLE)} · perfscore</title>\n<style>{CSS}</style>\n</head>\n<body>\n")
        out.write(f"<header><h1>{h(TITLE)}</h1><p class=\"meta\">{h(_('Performance self-evaluation review'))} · "
                  f"{h(_('rule set'))} <code>{h(rule_sets(self.rules))}</code> · perfscore {h(__version__)}</p>"
                  "</header>\n<main>\n")
        out.write(self.render_summary(summary))
        for section in self.sections:
            out.write(section)
        out.write(self.render_catalogue(summary))
        footer = _("Generated by perfscore. Reported values are as printed on the forms; recomputed values follow "
                   "the rule set named above.")
        out.write(f"</main>\n<footer>{h(footer)}</footer>\n</body>\n</html>\n")

    def render_summary(self, summary: Summary) -> str:
        sev = summary.findings_by_severity
        cards = [(_("forms read"), summary.forms, ""), (_("files"), summary.files, ""),
                 (_("unreadable files"), len(summary.unreadable), "error" if summary.unreadable else ""),
                 (_("grade changes"), summary.grade_changes, "warning" if summary.grade_changes else "")]
        cards += [(_("{severity} findings").format(severity=severity_label(s)), sev.get(s, 0), s if sev.get(s) else "")
                  for s in SEVERITIES]
        parts = ['<section id="summary">', f"<h2>{h(_('Summary'))}</h2>", '<div class="cards">']
        parts += [f'<div class="card {cls}"><b>{n}</b><span>{h(label)}</span></div>' for label, n, cls in cards]
        parts.append("</div>")
        if self.truncated:
            parts.append('<p class="note">' + h(_(
                "{forms} forms are too many for one page: this report holds the summary only. The xlsx report "
                "(-o report.xlsx) or the JSON report (-o report.json) has every form.").format(
                    forms=f"{summary.forms:,}")) + "</p>")
        parts.append(charts(summary))
        parts.append(self.render_changes(summary))
        grades, rows = grade_rows(summary)
        if grades:
            parts.append(f"<h3>{h(_('Grades: reported vs recomputed'))}</h3>")
            parts.append(table(["", *grades], (f"<tr><th>{h(_(label))}</th>" + "".join(td(str(c), "n") for c in counts)
                                               + "</tr>" for label, counts in rows), range(1, len(grades) + 1)))
        if summary.findings_by_code:
            parts.append(f"<h3>{h(_('Findings by code'))}</h3>")
            parts.append(table([_("code"), _("severity"), _("title"), _("count")],
                               (f"<tr>{td(code_link(r.code))}{td(badge(r.severity) if r.severity else '')}"
                                f"{td(h(r.title), 'long')}{td(str(r.count), 'n')}</tr>"
                                for r in code_rows(summary, self.seen)), (3,)))
        for title, errors in ((_("Unreadable files"), summary.unreadable), (_("Skipped files"), summary.skipped)):
            if errors:
                parts.append(f"<h3>{h(title)}</h3><ul>")
                parts += [f"<li><code>{h(e.file)}</code>: {h(e.message)}</li>" for e in errors]
                parts.append("</ul>")
        if self.overview:
            parts.append(f"<h3>{h(_('Forms'))}</h3>")
            parts.append(table(["#", _("form"), _("file"), "总分", "重算", "等级", "重算等级",
                                *(severity_label(s) for s in SEVERITIES)], self.overview, (0, 3, 4, 7, 8, 9), "wide"))
        parts.append("</section>")
        return "\n".join(parts) + "\n"

    def render_changes(self, summary: Summary) -> str:
        """The change list (linked to the forms on the page) and the roll-up by 主管部门/预算单位."""
        parts = []
        if summary.changes:
            parts.append(f'<h3 id="changes">{h(changes_title(summary))}</h3>')
            rows = []
            for change in summary.changes[:CHANGES_LIMIT]:
                cells = [h(c) for c in change_cells(change)]
                number = self.numbers.get((change.file, change.form))
                if number is not None:
                    cells[1] = f'<a href="#form-{number}">{cells[1]}</a>'
                cls = ["n changed" if change.delta else "n", "long", "t", "n", "changed" if change.grade_change else "",
                       "t"]
                flag = ' class="flag-warning"' if change.grade_change else ""
                rows.append(f"<tr{flag}>" + "".join(td(c, k) for c, k in zip(cells, cls, strict=True)) + "</tr>")
            parts.append(table(change_headers(), rows, (0,), "wide"))
            if len(summary.changes) > CHANGES_LIMIT:
                more = _("… and {n} more (--format summary lists them all)").format(
                    n=len(summary.changes) - CHANGES_LIMIT)
                parts.append(f'<p class="meta">{h(more)}</p>')
        if summary.by_unit and (len(summary.by_unit) > 1 or summary.changes):
            parts.append(f"<h3>{h(_('By 主管部门/预算单位'))}</h3>")
            parts.append(table(unit_headers(), ("<tr>" + "".join(td(h(c), "long" if i == 0 else "n") for i, c in
                                                         enumerate(unit_cells(u, c))) + "</tr>"
                                                for u, c in summary.by_unit.items()), range(1, 6)))
        return "\n".join(parts)

    def render_catalogue(self, summary: Summary) -> str:
        codes = list(dict.fromkeys([*summary.findings_by_code, *self.seen]))
        if not codes:
            return ""
        parts = ['<section id="catalogue">', f"<h2>{h(_('Finding codes'))}</h2>", '<dl class="catalogue">']
        for code in codes:
            spec = catalogue.get(code)
            if spec is None:
                missing = _("not in the catalogue")
                parts.append(f'<dt id="code-{h(code)}"><code>{h(code)}</code></dt><dd>{h(missing)}</dd>')
                continue
            parts.append(f'<dt id="code-{h(code)}"><code>{h(code)}</code> {badge(self.seen.get(code, spec.severity))}'
                         f" {h(catalogue_text(spec, 'title'))}</dt>")
            labels = (_("What it means:"), _("How to fix it:"), _("Rule:"))
            texts = (catalogue_text(spec, "meaning"), catalogue_text(spec, "fix"), catalogue_text(spec, "rule"))
            parts.append("<dd>" + "".join(f'<p><span class="label">{h(label)}</span> {h(text)}</p>'
                                          for label, text in zip(labels, texts, strict=True)) + "</dd>")
        parts.append("</dl></section>")
        return "\n".join(parts) + "\n"


Writer = HtmlWriter
