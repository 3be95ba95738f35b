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
from perfscore.report.text import num
from perfscore.results import DocumentResult, Finding, FormResult, Summary, TraceStep

TITLE = "绩效自评表复核报告"
SUBTITLE = "Performance self-evaluation review"

CSS = """
:root{--ink:#1d2939;--muted:#667085;--line:#d0d5dd;--head:#f2f4f7;
--error:#b42318;--error-bg:#fee4e2;--warning:#93370d;--warning-bg:#fef0c7;--info:#175cd3;--info-bg:#dbeafe;
--changed-bg:#fff1c2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:75rem;padding:1rem;color:var(--ink);background:#fff;line-height:1.55;
overflow-wrap:break-word;
font-family:"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
"WenQuanYi Micro Hei",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:15px}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.2rem;
border-bottom:2px solid var(--ink)}h3{font-size:1.1rem;margin:1.2rem 0 .4rem}
h4{font-size:1rem;margin:1rem 0 .3rem}
p{margin:.3rem 0}.meta{color:var(--muted);font-size:.9rem}
a{color:var(--info)}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}a>code{white-space:nowrap}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0 .8rem;max-width:100%}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid var(--line);padding:.25rem .45rem;vertical-align:top;text-align:left;
overflow-wrap:anywhere;word-break:break-word}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.t{min-width:6em}td.k{white-space:nowrap}td.long{min-width:11em;max-width:24em}
table.wide{width:100%;min-width:54rem}
tr.flag-error>td:first-child{border-left:4px solid var(--error)}
tr.flag-warning>td:first-child{border-left:4px solid var(--warning)}
tr.flag-info>td:first-child{border-left:4px solid var(--info)}
tr.flag-error{background:#fff6f5}tr.flag-warning{background:#fffbeb}tr.flag-info{background:#f5f9ff}
td.changed,span.changed{background:var(--changed-bg);font-weight:700;text-decoration:underline dotted}
td.flag-cell{box-shadow:inset 0 0 0 2px var(--warning)}
.badge{display:inline-block;padding:0 .45em;border:1px solid;border-radius:.3em;font-size:.75rem;
font-weight:700;line-height:1.5;white-space:nowrap}
.badge.error{color:var(--error);background:var(--error-bg)}
.badge.warning{color:var(--warning);background:var(--warning-bg)}
.badge.info{color:var(--info);background:var(--info-bg)}
.cards{display:flex;flex-wrap:wrap;gap:.5rem;margin:.6rem 0}
.card{border:1px solid var(--line);border-radius:.4rem;padding:.4rem .8rem;min-width:7.5rem}
.card b{display:block;font-size:1.35rem;line-height:1.2}.card span{color:var(--muted);font-size:.8rem}
.card.error b{color:var(--error)}.card.warning b{color:var(--warning)}.card.info b{color:var(--info)}
section.form{border:1px solid var(--line);border-radius:.4rem;padding:.2rem .9rem .6rem;margin:1rem 0}
section.form h3{margin-top:.6rem}
.totals{font-size:.95rem;margin:.4rem 0}.totals b{font-variant-numeric:tabular-nums}
ul.findings{list-style:none;padding:0;margin:.3rem 0}
ul.findings li{margin:.25rem 0;padding-left:.2rem}
ul.findings .where{color:var(--muted)}
.explain{font-size:.85rem;color:#344054}.explain ul{margin:.2rem 0;padding-left:1.2rem}
dl.catalogue dt{margin-top:.8rem;font-weight:600}dl.catalogue dd{margin:.2rem 0 0 1rem}
dl.catalogue .label{color:var(--muted)}
.none{color:var(--muted)}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
@media (max-width:40rem){body{padding:.6rem;font-size:14px}h1{font-size:1.3rem}.card{min-width:6rem}}
@page{size:A4;margin:12mm}
@media print{
body{max-width:none;padding:0;font-size:9pt;line-height:1.35}
h2{break-after:avoid;page-break-after:avoid}h3,h4{break-after:avoid;page-break-after:avoid}
.scroll{overflow:visible}
table{max-width:100%;font-size:7.5pt}table.wide{width:100%;min-width:0}
td.long{max-width:none;min-width:0}td.t{min-width:0}
th{white-space:normal}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
section.form{break-inside:avoid;page-break-inside:avoid;border:0;border-top:1px solid var(--ink);
border-radius:0;padding:0}
section.file{break-before:auto}
a{color:inherit;text-decoration:none}
td.changed,span.changed{text-decoration:underline}
}
"""

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
    return f'<span class="badge {h(severity)}">{h(severity)}</span>'


def code_link(code: str, title: str | None = None) -> str:
    tip = f' title="{h(title)}"' if title else ""
    return f'<a href="#code-{h(code)}"{tip}><code>{h(code)}</code></a>'


def codes_cell(findings: list[Finding]) -> str:
    seen: dict[str, list[str]] = {}
    for f in by_severity(findings):
        seen.setdefault(f.code, []).append(f.message)
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
    return f"<li>{badge(f.severity)} {code_link(f.code)}{where} {h(f.message)}</li>"


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
                parts.append(td(value(v), cls, "\n".join(f"{f.code}: {f.message}" for f in row.group_findings)))
                continue
            if i == 7 and row.findings:
                cls += " flag-cell"
            if i == 8 and row.changed:
                cls += " changed"
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
        items.append(f"<li>{r.index}. {h(r.level3)} — {h(r.method)} → {h(score)}: {h(r.explanation)}"
                     f"{_trace(r.trace)}</li>")
    items.append(f"<li>总分 {h(num(form.computed_total) or '—')} → {h(form.computed_grade or '—')}"
                 f"{_trace(form.trace)}</li>")
    return '<div class="explain"><h4>Why (explain)</h4><ul>' + "".join(items) + "</ul></div>"


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
            f'<span class="meta">(reported → recomputed)</span></p>')


def render_form(form: FormResult, number: int, explain: bool = False) -> str:
    view = form_view(form)
    meta = form_meta(form, h, lambda t: f"<code>{h(t)}</code>")
    parts = [f'<section class="form" id="form-{number}">', f"<h3>{number}. {h(form.name)}</h3>",
             f'<p class="meta">{meta}</p>']
    if view.indicators:
        parts.append(render_indicators(view))
    if view.funding:
        parts += ["<h4>预算执行 <span class=\"meta\">(funding, 万元)</span></h4>", render_funding(view)]
    parts.append(render_totals(form, view))
    if form.findings:
        parts += [f"<h4>Findings ({len(form.findings)})</h4>", findings_list(form.findings)]
    else:
        parts.append('<p class="none">No findings.</p>')
    if explain:
        parts.append(render_explain(form, view))
    parts.append("</section>")
    return "\n".join(parts) + "\n"


class HtmlWriter(BufferedReport):
    def __init__(self, out: TextIO, *, explain: bool = False, **_: object):
        super().__init__(out, explain=explain)
        self.files = 0

    def document(self, result: DocumentResult) -> None:
        self.files += 1
        parts = [f'<section class="file" id="file-{self.files}">', f"<h2>{h(result.file)}</h2>"]
        if result.error:
            parts += [f"<p>{badge('error')} unreadable: {h(result.error)}</p>", "</section>"]
            self.sections.append("\n".join(parts) + "\n")
            return
        if result.findings:
            parts += ["<h4>Document findings</h4>", findings_list(result.findings)]
        self.note(result.findings)
        for form in result.forms:
            self.add_form(form)
            parts.append(render_form(form, self.count, self.explain))
            counts = {s: sum(1 for f in form.findings if f.severity == s) for s in SEVERITIES}
            total_cls = "n changed" if form.reported_total is not None and form.computed_total is not None \
                and form.reported_total != form.computed_total else "n"
            grade_cls = "changed" if form.reported_grade and form.computed_grade \
                and form.reported_grade != form.computed_grade else ""
            cells = [td(str(self.count), "n"), td(f'<a href="#form-{self.count}">{h(form.name)}</a>', "long"),
                     td(h(result.file), "t"), td(value(form.reported_total), "n"),
                     td(value(form.computed_total), total_cls), td(h(form.reported_grade)),
                     td(h(form.computed_grade), grade_cls)]
            cells += [td(str(counts[s]) if counts[s] else "", "n") for s in SEVERITIES]
            severity = worst(form.findings)
            attrs = f' class="flag-{severity}"' if severity else ""
            self.overview.append(f"<tr{attrs}>" + "".join(cells) + "</tr>")
        parts.append("</section>")
        self.sections.append("\n".join(parts) + "\n")

    def end(self, summary: Summary) -> None:
        out = self.out
        out.write("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  f"<meta name=\"generator\" content=\"perfscore {h(__version__)}\">\n"
                  f"<title>{h(TITLE)} · perfscore</title>\n<style>{CSS}</style>\n</head>\n<body>\n")
        out.write(f"<header><h1>{h(TITLE)}</h1><p class=\"meta\">{h(SUBTITLE)} · rule set "
                  f"<code>{h(rule_sets(self.rules))}</code> · perfscore {h(__version__)}</p></header>\n<main>\n")
        out.write(self.render_summary(summary))
        for section in self.sections:
            out.write(section)
        out.write(self.render_catalogue(summary))
        out.write("</main>\n<footer>Generated by perfscore. Reported values are as printed on the forms; "
                  "recomputed values follow the rule set named above.</footer>\n</body>\n</html>\n")

    def render_summary(self, summary: Summary) -> str:
        sev = summary.findings_by_severity
        cards = [("forms read", summary.forms, ""), ("files", summary.files, ""),
                 ("unreadable files", len(summary.unreadable), "error" if summary.unreadable else ""),
                 ("grade changes", summary.grade_changes, "warning" if summary.grade_changes else "")]
        cards += [(f"{s} findings", sev.get(s, 0), s if sev.get(s) else "") for s in SEVERITIES]
        parts = ['<section id="summary">', "<h2>Summary</h2>", '<div class="cards">']
        parts += [f'<div class="card {cls}"><b>{n}</b><span>{h(label)}</span></div>' for label, n, cls in cards]
        parts.append("</div>")
        grades, rows = grade_rows(summary)
        if grades:
            parts.append("<h3>Grades: reported vs recomputed</h3>")
            parts.append(table(["", *grades], (f"<tr><th>{h(label)}</th>" + "".join(td(str(c), "n") for c in counts)
                                               + "</tr>" for label, counts in rows), range(1, len(grades) + 1)))
        if summary.findings_by_code:
            parts.append("<h3>Findings by code</h3>")
            parts.append(table(["code", "severity", "title", "count"],
                               (f"<tr>{td(code_link(r.code))}{td(badge(r.severity) if r.severity else '')}"
                                f"{td(h(r.title), 'long')}{td(str(r.count), 'n')}</tr>"
                                for r in code_rows(summary, self.seen)), (3,)))
        if summary.unreadable:
            parts.append("<h3>Unreadable files</h3><ul>")
            parts += [f"<li><code>{h(e.file)}</code>: {h(e.message)}</li>" for e in summary.unreadable]
            parts.append("</ul>")
        if summary.skipped:
            parts.append("<h3>Skipped files</h3><ul>")
            parts += [f"<li><code>{h(e.file)}</code>: {h(e.message)}</li>" for e in summary.skipped]
            parts.append("</ul>")
        if self.overview:
            parts.append("<h3>Forms</h3>")
            parts.append(table(["#", "form", "file", "总分", "重算", "等级", "重算等级", "errors", "warnings", "info"],
                               self.overview, (0, 3, 4, 7, 8, 9), "wide"))
        parts.append("</section>")
        return "\n".join(parts) + "\n"

    def render_catalogue(self, summary: Summary) -> str:
        codes = list(dict.fromkeys([*summary.findings_by_code, *self.seen]))
        if not codes:
            return ""
        parts = ['<section id="catalogue">', "<h2>Finding codes</h2>", '<dl class="catalogue">']
        for code in codes:
            spec = catalogue.get(code)
            if spec is None:
                parts.append(f'<dt id="code-{h(code)}"><code>{h(code)}</code></dt><dd>not in the catalogue</dd>')
                continue
            parts.append(f'<dt id="code-{h(code)}"><code>{h(code)}</code> {badge(self.seen.get(code, spec.severity))}'
                         f" {h(spec.title)}</dt>")
            parts.append(f'<dd><p><span class="label">What it means:</span> {h(spec.meaning)}</p>'
                         f'<p><span class="label">How to fix it:</span> {h(spec.fix)}</p>'
                         f'<p><span class="label">Rule:</span> {h(spec.rule)}</p></dd>')
        parts.append("</dl></section>")
        return "\n".join(parts) + "\n"


Writer = HtmlWriter
