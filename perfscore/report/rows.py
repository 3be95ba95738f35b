"""What a form's report contains, built once and shared by the Markdown, HTML and XLSX writers.

`form_view(form)` returns the indicator rows, the funding rows and the totals of a form, each with the
findings that concern it, so every writer shows (and highlights) the same cells:

- a finding naming an indicator → that indicator's row (its 得分 cell);
- funding codes (rate-mismatch, funding-score-mismatch …) → the funding row with that label;
- total-mismatch, grade-mismatch, grade-change → the 总分; weights-sum → the sum of the weights;
- level1-weight → the first row of that 一级指标 group;
- anything else (missing-level1, a repair note about the header …) → the form itself (`loose`).

Cells are raw values (str, Decimal, int or None): each writer formats them for its medium.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from perfscore import catalogue
from perfscore.i18n import _, catalogue_text
from perfscore.labels import compact
from perfscore.results import SEVERITY_RANK, Finding, FormResult, IndicatorResult, Summary, TraceStep

Value = str | Decimal | int | None

INDICATOR_HEADERS = ("#", "一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "重算", "方法")
FUNDING_HEADERS = ("资金", "全年预算数(A)", "全年执行数(B)", "执行率%(报)", "执行率%(算)", "分值", "得分", "重算")
SEVERITIES = ("error", "warning", "info")
GRADES = ("优", "良", "中", "差")
KIND_LABEL = {"project": "项目支出绩效自评表", "department": "部门整体支出绩效自评表",
              "target_report": "项目支出绩效目标完成情况表"}

FUNDING_CODES = frozenset({"rate-mismatch", "funding-score-mismatch", "funding-arithmetic", "funding-total-blank",
                           "budget-change", "repair-funding-shift"})
TOTAL_CODES = frozenset({"total-mismatch", "grade-mismatch", "grade-change"})
WEIGHT_CODES = frozenset({"weights-sum"})
GROUP_CODES = frozenset({"level1-weight", "missing-level1"})


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; the engine's order within each."""
    return sorted(findings, key=lambda f: -SEVERITY_RANK.get(f.severity, 0))


def worst(findings: Iterable[Finding]) -> str | None:
    ranked = [f.severity for f in findings]
    return max(ranked, key=lambda s: SEVERITY_RANK.get(s, 0)) if ranked else None


def differs(reported: Decimal | None, computed: Decimal | None) -> bool:
    return reported is not None and computed is not None and reported != computed


@dataclass
class IndicatorRow:
    result: IndicatorResult
    findings: list[Finding] = field(default_factory=list)
    group_findings: list[Finding] = field(default_factory=list)  # level1-weight, shown on the 一级 cell

    @property
    def changed(self) -> bool:
        return differs(self.result.reported_score, self.result.computed_score)

    def cells(self) -> tuple[Value, ...]:
        """In the order of INDICATOR_HEADERS."""
        r = self.result
        return (r.index, r.level1, r.level2, r.level3, r.target, r.actual, r.weight, r.reported_score,
                r.computed_score, r.method)


@dataclass
class FundingRow:
    label: str
    annual_budget: Decimal | None
    executed: Decimal | None
    reported_rate: Decimal | None
    execution_rate: Decimal | None
    weight: Decimal | None
    reported_score: Decimal | None
    computed_score: Decimal | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def rate_changed(self) -> bool:
        return differs(self.reported_rate, self.execution_rate)

    @property
    def score_changed(self) -> bool:
        return differs(self.reported_score, self.computed_score)

    def cells(self) -> tuple[Value, ...]:
        """In the order of FUNDING_HEADERS."""
        return (self.label, self.annual_budget, self.executed, self.reported_rate, self.execution_rate,
                self.weight, self.reported_score, self.computed_score)


@dataclass
class FormView:
    form: FormResult
    indicators: list[IndicatorRow]
    funding: list[FundingRow]
    total_findings: list[Finding] = field(default_factory=list)
    weight_findings: list[Finding] = field(default_factory=list)
    loose: list[Finding] = field(default_factory=list)

    @property
    def weight_sum(self) -> Decimal | None:
        """Indicator weights plus the funding weight: what weights-sum checks."""
        weights = [r.result.weight for r in self.indicators if r.result.weight is not None]
        funding = self.form.funding.weight if self.form.funding and self.form.funding.weight is not None else None
        if not weights and funding is None:
            return None
        return sum(weights, Decimal(0)) + (funding or Decimal(0))

    @property
    def total_changed(self) -> bool:
        return differs(self.form.reported_total, self.form.computed_total)

    @property
    def grade_changed(self) -> bool:
        f = self.form
        return bool(f.reported_grade and f.computed_grade and f.reported_grade != f.computed_grade)

    def severity_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter(f.severity for f in self.form.findings)
        return {s: counts.get(s, 0) for s in SEVERITIES}


def _same_place(a, b) -> bool:
    return a is not None and b is not None and a.file == b.file and a.line == b.line and a.row == b.row \
        and a.page == b.page and a.sheet == b.sheet and a.table == b.table


def funding_rows(form: FormResult) -> list[FundingRow]:
    f = form.funding
    if f is None:
        return []
    if f.rows:
        return [FundingRow(r.label, r.annual_budget, r.executed, r.reported_rate, r.execution_rate, r.weight,
                           r.reported_score, r.computed_score) for r in f.rows]
    return [FundingRow(f.basis or "预算执行率", f.annual_budget, f.executed, f.reported_rate, f.execution_rate,
                       f.weight, f.reported_score, f.computed_score)]


def form_view(form: FormResult) -> FormView:
    view = FormView(form, [IndicatorRow(r) for r in form.indicators], funding_rows(form))
    for finding in form.findings:
        _place(view, finding)
    return view


def _place(view: FormView, finding: Finding) -> None:
    code, name = finding.code, compact(finding.indicator)
    if code in TOTAL_CODES:
        view.total_findings.append(finding)
        return
    if code in WEIGHT_CODES:
        view.weight_findings.append(finding)
        return
    if code in GROUP_CODES:
        group = _group_row(view, name)
        (group.group_findings if group else view.loose).append(finding)
        return
    if code in FUNDING_CODES or name.startswith("funding"):
        funding = _funding_row(view, name) or (view.funding[0] if view.funding else None)
        (funding.findings if funding else view.loose).append(finding)
        return
    if name:
        named = [r for r in view.indicators if compact(r.result.level3) == name]
        here = [r for r in named if _same_place(r.result.source, finding.location)]
        if here:
            here[0].findings.append(finding)
            return
        funding = _funding_row(view, name)
        if funding is not None:
            funding.findings.append(finding)
            return
        if named:
            named[0].findings.append(finding)
            return
    view.loose.append(finding)


def _funding_row(view: FormView, name: str) -> FundingRow | None:
    return next((r for r in view.funding if compact(r.label) == name), None) if name else None


def _group_row(view: FormView, group: str) -> IndicatorRow | None:
    """The first row of a 一级指标 group: exact label, else a label containing the group's core word."""
    if not group:
        return None
    exact = next((r for r in view.indicators if compact(r.result.level1) == group), None)
    if exact is not None:
        return exact
    core = group.removesuffix("指标")
    return next((r for r in view.indicators if core and core in compact(r.result.level1)), None)


# --- document and summary -------------------------------------------------------------------------


def rule_sets(names: Iterable[str]) -> str:
    seen = list(dict.fromkeys(n for n in names if n))
    return ", ".join(seen) if seen else "—"


def grade_rows(summary: Summary) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Grades (in 优良中差 order, then any other) and the reported / computed counts for each."""
    grades = sorted(set(summary.reported_grades) | set(summary.computed_grades),
                    key=lambda g: GRADES.index(g) if g in GRADES else len(GRADES))
    return grades, [("reported", [summary.reported_grades.get(g, 0) for g in grades]),
                    ("computed", [summary.computed_grades.get(g, 0) for g in grades])]


@dataclass(frozen=True)
class CodeRow:
    code: str
    severity: str
    title: str
    count: int


def code_rows(summary: Summary, seen: dict[str, str] | None = None) -> list[CodeRow]:
    """Findings by code with the catalogue title, most frequent first (the summary's order).

    `seen` maps a code to the severity it was reported with (a rule set may override the catalogue's).
    """
    out = []
    for code, count in summary.findings_by_code.items():
        spec = catalogue.get(code)
        severity = (seen or {}).get(code) or (spec.severity if spec else "")
        out.append(CodeRow(code, severity, catalogue_text(spec, "title") if spec else "", count))
    return out


def form_label(form: FormResult) -> str:
    return KIND_LABEL.get(form.kind, form.kind)


def source_text(form: FormResult) -> str:
    return form.source.describe() if form.source else ""


def form_meta(form: FormResult, text, code) -> str:
    """The line under a form's heading — kind, unit, year, source, rule set — in the writer's escaping."""
    meta = [text(form_label(form))]
    if form.unit:
        meta.append(text(form.unit))
    if form.year:
        meta.append(str(form.year))
    meta.append(f"{_('source')}: {text(source_text(form) or '—')}")
    meta.append(f"{_('rules')}: {code(form.rules)}")
    return " · ".join(meta)


def trace_text(step: TraceStep, code, text) -> str:
    """One explain step as prose, with the writer's own escaping for code and for text."""
    out = f"{code(step.rule)}: {code(step.formula or '')}"
    inputs = ", ".join(f"{k}={v}" for k, v in step.inputs.items())
    if inputs:
        out += f" {_('with')} {code(inputs)}"
    out += f" = {text(step.result)}"
    if step.note:
        out += f" ({text(step.note)})"
    if step.cite:
        out += f"; {_('cites')} {text(step.cite)}"
    return out


class BufferedReport:
    """What the Markdown and HTML reports share: forms arrive one at a time but the summary comes
    first, so each keeps its rendered sections and overview rows, and the finding codes it saw."""

    def __init__(self, out, *, explain: bool = False, **_: object):
        self.out = out
        self.explain = explain
        self.sections: list[str] = []
        self.overview: list = []
        self.rules: list[str] = []
        self.seen: dict[str, str] = {}
        self.count = 0

    def note(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.seen.setdefault(f.code, f.severity)

    def add_form(self, form: FormResult) -> int:
        """Count a form in; its 1-based number in the report."""
        self.count += 1
        self.rules.append(form.rules)
        self.note(form.findings)
        return self.count
