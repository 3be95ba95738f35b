"""The terminal table: each indicator's target, actual, weight, reported and computed score, then
funding, totals, grades and findings, and the summary with the change list. Columns line up with CJK
text (tabulate measures with wcwidth).

On a terminal (or with `COLUMNS` set) the indicator table fits the width: columns are dropped and
narrowed in the order of `SHRINK` (一级指标 first, the scores never), so that its rows never wrap; messages
and file names are left whole. Colour marks
severities and changed scores on a terminal, unless `NO_COLOR` is set. `compact` prints one line a form.

Every string from a form goes through `term_text` (or `clip`) before it is laid out, and everything
written goes through `term_block`; colour is added after that, so no control character from a form
reaches the terminal raw."""

from __future__ import annotations

import os
import re
import shutil
from typing import TextIO

from tabulate import tabulate
from wcwidth import wcswidth

from perfscore.i18n import _, method_label, severity_label
from perfscore.i18n.messages import translate
from perfscore.report.safe import term_block
from perfscore.report.safe import term_text as t
from perfscore.report.summary import render_changes
from perfscore.report.text import clip, num
from perfscore.results import DocumentResult, FormResult, Summary, TraceStep

SEVERITY_MARK = {"error": "E", "warning": "W", "info": "I"}
HEADERS = ("#", "一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "重算", "方法")
WIDE = {"level1": 10, "level2": 12, "level3": 24, "target": 14, "actual": 14, "method": 12}
# what gives way first when the table is wider than the terminal: (column, width), 0 = dropped
SHRINK = (("level1", 0), ("level3", 18), ("target", 10), ("actual", 10), ("level2", 0), ("method", 0),
          ("level3", 12), ("target", 8), ("actual", 8), ("level3", 8))
COLOURS = {"error": "31", "warning": "33", "info": "36", "changed": "1;33"}
_MARK_LINE = re.compile(r"^(\s+)([EWI]) (\S+)", re.M)


def terminal_width(out: TextIO) -> int | None:
    """Columns to fit: `COLUMNS`, or the terminal's; None for a pipe or a file, which get the full table."""
    if os.environ.get("COLUMNS", "").isdigit():
        return max(int(os.environ["COLUMNS"]), 40)
    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        return max(shutil.get_terminal_size().columns, 40)
    return None


def use_colour(out: TextIO) -> bool:
    """Colour on a terminal only, never with NO_COLOR (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty is not None and isatty())


class TableWriter:
    def __init__(self, out: TextIO, *, explain: bool = False, compact: bool = False, width: int | None = None,
                 colour: bool | None = None, **_: object):
        self.out = out
        self.explain = explain
        self.compact = compact
        self.width = width if width is not None else terminal_width(out)
        self.colour = use_colour(out) if colour is None else colour

    def write(self, text: str) -> None:
        text = term_block(text)  # the net under the per-field escaping
        if self.colour:
            text = colourise(text)
        self.out.write(text)

    def document(self, result: DocumentResult) -> None:
        if result.error:
            return
        for form in result.forms:
            if self.compact:
                self.write(compact_line(form) + "\n")
                continue
            self.write(render_form(form, self.explain, self.width))
            self.write("\n")
        for f in result.findings:
            self.write(f"{t(result.file)}: {SEVERITY_MARK[f.severity]} {f.code}: {t(translate(f.code, f.message))}\n\n")

    def end(self, summary: Summary) -> None:
        self.write(render_summary(summary))


def colourise(text: str) -> str:
    """Severity marks coloured, changed scores (`*`) highlighted: applied to text already escaped."""
    codes = {"E": COLOURS["error"], "W": COLOURS["warning"], "I": COLOURS["info"]}
    text = _MARK_LINE.sub(lambda m: f"{m.group(1)}\x1b[{codes[m.group(2)]}m{m.group(2)} {m.group(3)}\x1b[0m", text)
    return re.sub(r"(\S+ \*)(?= |$)", lambda m: f"\x1b[{COLOURS['changed']}m{m.group(1)}\x1b[0m", text, flags=re.M)


def compact_line(form: FormResult) -> str:
    """One line a form: name, totals and grades reported → recomputed, finding counts."""
    counts = {s: sum(1 for f in form.findings if f.severity == s) for s in SEVERITY_MARK}
    marks = " ".join(f"{SEVERITY_MARK[s]}{n}" for s, n in counts.items() if n)
    delta = ""
    if form.reported_total is not None and form.computed_total is not None \
            and form.reported_total != form.computed_total:
        d = form.computed_total - form.reported_total
        delta = f" ({'+' if d > 0 else ''}{num(d)})"
    return (f"{clip(form.name, 30)}  {num(form.reported_total) or '—'} → {num(form.computed_total) or '—'}{delta}  "
            f"{t(form.reported_grade or '—')} → {t(form.computed_grade or '—')}  {marks}").rstrip()


def _indicator_table(form: FormResult, widths: dict[str, int]) -> str:
    keep = [i for i, key in enumerate((None, "level1", "level2", "level3", "target", "actual", None, None, None,
                                       "method")) if key is None or widths[key]]
    rows = []
    for ind in form.indicators:
        changed = ind.computed_score is not None and ind.reported_score is not None \
            and ind.computed_score != ind.reported_score
        row = [ind.index, clip(ind.level1, widths["level1"]), clip(ind.level2, widths["level2"]),
               clip(ind.level3, widths["level3"]), clip(ind.target, widths["target"]),
               clip(ind.actual, widths["actual"]), num(ind.weight), num(ind.reported_score),
               num(ind.computed_score) + (" *" if changed else ""), t(method_label(ind.method))]
        rows.append([row[i] for i in keep])
    return tabulate(rows, headers=[HEADERS[i] for i in keep], disable_numparse=True)


def _fit(form: FormResult, width: int | None) -> str:
    widths = dict(WIDE)
    table = _indicator_table(form, widths)
    if width is None:
        return table
    for column, size in SHRINK:
        if max(map(wcswidth, table.splitlines()), default=0) <= width:
            break
        widths[column] = size
        table = _indicator_table(form, widths)
    return table


def render_form(form: FormResult, explain: bool = False, width: int | None = None) -> str:
    lines = [f"== {t(form.name)}  [{t(form.kind)}]  {t(form.source.describe()) if form.source else ''}",
             f"   {_('rules')}: {t(form.rules)}"]
    if form.indicators:
        lines.append(_fit(form, width))
    f = form.funding
    if f is not None:
        lines.append("")
        lines.append(tabulate([["预算执行率", num(f.annual_budget), num(f.executed),
                                num(f.reported_rate), num(f.execution_rate), num(f.weight),
                                num(f.reported_score), num(f.computed_score)]],
                              headers=["资金", "全年预算数(A)", "全年执行数(B)", "执行率(报)", "执行率(算)",
                                       "分值", "得分", "重算"], disable_numparse=True))
    lines.append("")
    totals = _("总分 reported {reported} → computed {computed}; grade reported {rgrade} → computed {cgrade}")
    lines.append(totals.format(
        reported=num(form.reported_total) or "—", computed=num(form.computed_total) or "—",
        rgrade=t(form.reported_grade or "—"), cgrade=t(form.computed_grade or "—")))
    if explain:
        lines.append("")
        lines.extend(render_explain(form))
    if form.findings:
        lines.append("")
        lines.append(_("findings ({count}):").format(count=len(form.findings)))
        for finding in form.findings:
            where = f" [{t(finding.indicator)}]" if finding.indicator else ""
            lines.append(f"  {SEVERITY_MARK[finding.severity]} {finding.code}{where}: "
                         f"{t(translate(finding.code, finding.message))}")
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
            out.append(f"{prefix}{'   ' if last else '│  '}{_('cites')} {t(step.cite)}")
    return out


def render_explain(form: FormResult) -> list[str]:
    lines = [f"{_('why')}: {t(form.name)}"]
    if form.funding is not None:
        lines.append(f"├─ {_('funding')}: {t(form.funding.explanation)}")
        lines.extend(_trace_lines(form.funding.trace, "│  "))
    for ind in form.indicators:
        lines.append(f"├─ {ind.index}. {t(ind.level3)}: {t(method_label(ind.method))} → "
                     f"{num(ind.computed_score) or num(ind.reported_score)}  ({t(ind.explanation)})")
        lines.extend(_trace_lines(ind.trace, "│  "))
    lines.append(f"└─ {_('total')} {num(form.computed_total)} → {t(form.computed_grade or '—')}")
    lines.extend(_trace_lines(form.trace, "   "))
    return lines


def render_summary(summary: Summary) -> str:
    lines = [_("summary: {forms} forms in {files} files").format(forms=summary.forms, files=summary.files)]
    if summary.unreadable:
        lines.append(f"  {_('unreadable')}: {len(summary.unreadable)}")
        for err in summary.unreadable:
            lines.append(f"    {t(err.message)}")
    if summary.skipped:
        lines.append(f"  {_('skipped')}: {len(summary.skipped)}")
        for err in summary.skipped:
            lines.append(f"    {t(err.file)}: {t(err.message)}")
    if summary.reported_grades or summary.computed_grades:
        grades = sorted(set(summary.reported_grades) | set(summary.computed_grades), key="优良中差".find)
        lines.append(tabulate([[_("reported")] + [summary.reported_grades.get(g, 0) for g in grades],
                               [_("computed")] + [summary.computed_grades.get(g, 0) for g in grades]],
                              headers=[_("grade"), *map(t, grades)]))
    lines.append(f"  {_('grade changes under the rules')}: {summary.grade_changes}")
    if summary.findings_by_code:
        lines.append(f"  {_('findings')}: " + ", ".join(
            f"{severity_label(k)} {v}" for k, v in summary.findings_by_severity.items()))
        lines.append(tabulate(sorted(summary.findings_by_code.items()), headers=[_("code"), _("count")]))
    changes = render_changes(summary)
    if changes:
        lines += ["", changes]
    return "\n".join(lines) + "\n"


Writer = TableWriter
