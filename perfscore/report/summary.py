"""What changed, at a glance: the change list (grade changes, then totals that moved by more than the
threshold, biggest move first, with Δ points) and the roll-up by 主管部门/预算单位 and by finding code.

`--format summary` prints only this; the table report ends with it and the Markdown, HTML and xlsx
reports start with it. The lists themselves are built by `results.SummaryBuilder`, so the JSON summary
carries the same ones."""

from __future__ import annotations

from decimal import Decimal
from typing import TextIO

from tabulate import tabulate

from perfscore import catalogue
from perfscore.i18n import _, catalogue_text, severity_label
from perfscore.report.safe import term_block
from perfscore.report.safe import term_text as t
from perfscore.report.text import clip, num
from perfscore.results import DocumentResult, FormChange, Summary


def delta_text(delta: Decimal | None) -> str:
    """Δ points signed: +2.5, −1.25, 0; — when a total is missing."""
    if delta is None:
        return "—"
    if delta > 0:
        return f"+{num(delta)}"
    return num(delta).replace("-", "−")


def grade_text(change: FormChange) -> str:
    rg, cg = change.reported_grade or "—", change.computed_grade or "—"
    return f"{rg} → {cg}" if rg != cg else rg


def change_headers() -> list[str]:
    return [_("Δ points"), _("form"), "预算单位", _("总分 reported → recomputed"), _("grade"), _("file")]


def change_cells(change: FormChange) -> list[str]:
    return [delta_text(change.delta), change.form, change.unit or "—",
            f"{num(change.reported_total) or '—'} → {num(change.computed_total) or '—'}", grade_text(change),
            change.file]


def changes_title(summary: Summary) -> str:
    return _("{count} forms change grade or move by more than {threshold} points").format(
        count=len(summary.changes), threshold=num(summary.threshold))


def unit_headers() -> list[str]:
    return ["主管部门/预算单位", _("forms"), _("grade changes"), _("moved"), _("errors"), _("warnings")]


def unit_cells(unit: str, counts) -> list:
    return [unit, counts.forms, counts.grade_changes, counts.moved, counts.errors, counts.warnings]


def code_title(code: str) -> str:
    spec = catalogue.get(code)
    return catalogue_text(spec, "title") if spec else ""


def render_changes(summary: Summary, limit: int | None = 50, units: int | None = 20) -> str:
    """The change list and the roll-up by unit as terminal text; `limit`/`units` rows at most (None: all)."""
    lines: list[str] = []
    if summary.changes:
        lines.append(changes_title(summary) + ":")
        shown = summary.changes if limit is None else summary.changes[:limit]
        rows = [[t(c) if i != 1 else clip(c, 30) for i, c in enumerate(change_cells(ch))] for ch in shown]
        rows = [[r[0], r[1], clip(r[2], 20), r[3], r[4], clip(r[5], 40)] for r in rows]
        lines.append(tabulate(rows, headers=change_headers(), disable_numparse=True, colalign=("right",)))
        if len(shown) < len(summary.changes):
            lines.append(_("… and {n} more (--format summary lists them all)").format(
                n=len(summary.changes) - len(shown)))
    if len(summary.by_unit) > 1 or (summary.by_unit and summary.changes):
        items = list(summary.by_unit.items())
        shown_units = items if units is None else items[:units]
        lines.append("")
        lines.append(_("by 主管部门/预算单位:"))
        lines.append(tabulate([[clip(u, 30), *unit_cells(u, c)[1:]] for u, c in shown_units],
                              headers=unit_headers(), disable_numparse=True))
        if len(shown_units) < len(items):
            lines.append(_("… and {n} more (--format summary lists them all)").format(n=len(items) - len(shown_units)))
    return "\n".join(lines)


def render_summary_view(summary: Summary) -> str:
    """`--format summary`: counts, grades before/after, every change, every unit, findings by code."""
    lines = [_("summary: {forms} forms in {files} files").format(forms=summary.forms, files=summary.files)]
    lines.append(f"  {_('grade changes under the rules')}: {summary.grade_changes}")
    if summary.unreadable:
        lines.append(f"  {_('unreadable')}: {len(summary.unreadable)}")
        lines += [f"    {t(err.message)}" for err in summary.unreadable]
    if summary.reported_grades or summary.computed_grades:
        grades = sorted(set(summary.reported_grades) | set(summary.computed_grades), key="优良中差".find)
        lines.append("")
        lines.append(tabulate([[_("reported")] + [summary.reported_grades.get(g, 0) for g in grades],
                               [_("computed")] + [summary.computed_grades.get(g, 0) for g in grades]],
                              headers=[_("grade"), *map(t, grades)]))
    body = render_changes(summary, limit=None, units=None)
    if body:
        lines += ["", body]
    elif not summary.changes:
        lines += ["", _("no form changes grade or moves by more than {threshold} points").format(
            threshold=num(summary.threshold))]
    if summary.findings_by_code:
        lines += ["", _("findings by code:")]
        specs = {code: catalogue.get(code) for code in summary.findings_by_code}
        lines.append(tabulate([[code, severity_label(spec.severity) if spec else "", n, code_title(code)]
                               for (code, n), spec in zip(summary.findings_by_code.items(), specs.values(),
                                                          strict=True)],
                              headers=[_("code"), _("severity"), _("count"), _("title")], disable_numparse=True))
    return "\n".join(lines) + "\n"


class SummaryWriter:
    """`--format summary`: nothing per form; the summary view at the end."""

    def __init__(self, out: TextIO, **_: object):
        self.out = out

    def document(self, result: DocumentResult) -> None:
        pass

    def end(self, summary: Summary) -> None:
        self.out.write(term_block(render_summary_view(summary)))


Writer = SummaryWriter
