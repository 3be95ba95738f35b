"""The terminal table: each indicator's target, actual, weight, reported and computed score, then
funding, totals, grades and findings. Columns line up with CJK text (tabulate measures with wcwidth).

Every string from a form goes through `term_text` (or `clip`) before it is laid out, and everything
written goes through `term_block`, so no control character reaches the terminal raw."""

from __future__ import annotations

from typing import TextIO

from tabulate import tabulate

from perfscore.report.safe import term_block
from perfscore.report.safe import term_text as t
from perfscore.report.text import clip, num
from perfscore.results import DocumentResult, FormResult, Summary, TraceStep

SEVERITY_MARK = {"error": "E", "warning": "W", "info": "I"}


class TableWriter:
    def __init__(self, out: TextIO, *, explain: bool = False, **_: object):
        self.out = out
        self.explain = explain

    def write(self, text: str) -> None:
        self.out.write(term_block(text))  # the net under the per-field escaping

    def document(self, result: DocumentResult) -> None:
        if result.error:
            return
        for form in result.forms:
            self.write(render_form(form, self.explain))
            self.write("\n")
        for f in result.findings:
            self.write(f"{t(result.file)}: {SEVERITY_MARK[f.severity]} {f.code}: {t(f.message)}\n\n")

    def end(self, summary: Summary) -> None:
        self.write(render_summary(summary))


def render_form(form: FormResult, explain: bool = False) -> str:
    lines = [f"== {t(form.name)}  [{t(form.kind)}]  {t(form.source.describe()) if form.source else ''}",
             f"   rules: {t(form.rules)}"]
    rows = []
    for ind in form.indicators:
        changed = ind.computed_score is not None and ind.reported_score is not None \
            and ind.computed_score != ind.reported_score
        rows.append([ind.index, clip(ind.level1, 10), clip(ind.level2, 12), clip(ind.level3, 24),
                     clip(ind.target, 14), clip(ind.actual, 14), num(ind.weight), num(ind.reported_score),
                     num(ind.computed_score) + (" *" if changed else ""), t(ind.method)])
    if rows:
        lines.append(tabulate(rows, headers=["#", "一级指标", "二级指标", "三级指标", "指标值", "实际完成值",
                                             "分值", "得分", "重算", "方法"],
                              disable_numparse=True))
    f = form.funding
    if f is not None:
        lines.append("")
        lines.append(tabulate([["预算执行率", num(f.annual_budget), num(f.executed),
                                num(f.reported_rate), num(f.execution_rate), num(f.weight),
                                num(f.reported_score), num(f.computed_score)]],
                              headers=["资金", "全年预算数(A)", "全年执行数(B)", "执行率(报)", "执行率(算)",
                                       "分值", "得分", "重算"], disable_numparse=True))
    lines.append("")
    lines.append(f"总分 reported {num(form.reported_total) or '—'} → computed {num(form.computed_total) or '—'}; "
                 f"grade reported {t(form.reported_grade or '—')} → computed {t(form.computed_grade or '—')}")
    if explain:
        lines.append("")
        lines.extend(render_explain(form))
    if form.findings:
        lines.append("")
        lines.append(f"findings ({len(form.findings)}):")
        for finding in form.findings:
            where = f" [{t(finding.indicator)}]" if finding.indicator else ""
            lines.append(f"  {SEVERITY_MARK[finding.severity]} {finding.code}{where}: {t(finding.message)}")
    return "\n".join(lines) + "\n"


def _trace_lines(steps: list[TraceStep], prefix: str) -> list[str]:
    out = []
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        branch = "└─ " if last else "├─ "
        inputs = ", ".join(f"{k}={v}" for k, v in step.inputs.items())
        out.append(f"{prefix}{branch}{t(step.rule)}: {t(step.formula or '')} [{t(inputs)}] = {t(step.result)}"
                   + (f"  ({t(step.note)})" if step.note else ""))
        if step.cite:
            out.append(f"{prefix}{'   ' if last else '│  '}cites {t(step.cite)}")
    return out


def render_explain(form: FormResult) -> list[str]:
    lines = [f"why: {t(form.name)}"]
    if form.funding is not None:
        lines.append(f"├─ funding: {t(form.funding.explanation)}")
        lines.extend(_trace_lines(form.funding.trace, "│  "))
    for ind in form.indicators:
        lines.append(f"├─ {ind.index}. {t(ind.level3)}: {t(ind.method)} → "
                     f"{num(ind.computed_score) or num(ind.reported_score)}  ({t(ind.explanation)})")
        lines.extend(_trace_lines(ind.trace, "│  "))
    lines.append(f"└─ total {num(form.computed_total)} → {t(form.computed_grade or '—')}")
    lines.extend(_trace_lines(form.trace, "   "))
    return lines


def render_summary(summary: Summary) -> str:
    lines = [f"summary: {summary.forms} forms in {summary.files} files"]
    if summary.unreadable:
        lines.append(f"  unreadable: {len(summary.unreadable)}")
        for err in summary.unreadable:
            lines.append(f"    {t(err.message)}")
    if summary.skipped:
        lines.append(f"  skipped: {len(summary.skipped)}")
        for err in summary.skipped:
            lines.append(f"    {t(err.file)}: {t(err.message)}")
    if summary.reported_grades or summary.computed_grades:
        grades = sorted(set(summary.reported_grades) | set(summary.computed_grades), key="优良中差".find)
        lines.append(tabulate([["reported"] + [summary.reported_grades.get(g, 0) for g in grades],
                               ["computed"] + [summary.computed_grades.get(g, 0) for g in grades]],
                              headers=["grade", *map(t, grades)]))
    lines.append(f"  grade changes under the rules: {summary.grade_changes}")
    if summary.findings_by_code:
        lines.append("  findings: " + ", ".join(f"{k} {v}" for k, v in summary.findings_by_severity.items()))
        lines.append(tabulate(sorted(summary.findings_by_code.items()), headers=["code", "count"]))
    return "\n".join(lines) + "\n"


Writer = TableWriter
