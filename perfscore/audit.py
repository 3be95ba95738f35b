"""The audit: findings about a form (and a document), like a linter's diagnostics.

Reads the form and what the scorer computed; never changes a number. Each check emits findings under
a code documented in `perfscore.catalogue`, with the numbers behind it. Severity defaults come from the
catalogue and can be overridden, selected or ignored by the rule set (and on the command line).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from perfscore import catalogue
from perfscore.construct import constructor
from perfscore.decimals import plain
from perfscore.labels import CompactLabels
from perfscore.model import Document, Form, SourceRef
from perfscore.results import Finding, FormResult, IndicatorResult

if TYPE_CHECKING:
    from perfscore.rules import Rules
    from perfscore.scoring import IndicatorSums, Outcome

ZERO = Decimal(0)
GRADE_ORDER = ("优", "良", "中", "差")


def _d(value: Decimal | None) -> str:
    return plain(value, "—")


def _pairs(numbers: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """A finding's numbers as text, as pairs: memoised drafts hold no dict (nothing for the GC to track)."""
    out = []
    for key, value in numbers.items():
        if value is not None:
            out.append((key, plain(value) if isinstance(value, Decimal) else str(value)))
    return tuple(out)


_finding = constructor(Finding)


class _Sink:
    """Collects findings for one form, filling in form name and default severity."""

    def __init__(self, form: Form):
        self.form = form
        self.items: list[Finding] = []

    def add(self, code: str, message: str, *, indicator: str | None = None, location: SourceRef | None = None,
            severity: str | None = None, **numbers: object) -> None:
        if severity is None:
            spec = catalogue.get(code)
            severity = spec.severity if spec else "info"
        self.items.append(_finding({
            "code": code, "severity": severity, "message": message, "form": self.form.name,
            "indicator": indicator, "location": location or self.form.source, "numbers": dict(_pairs(numbers))}))


def check_form(form: Form, result: FormResult, outcomes: list[Outcome], sums: IndicatorSums,
               rules: Rules) -> list[Finding]:
    """All findings about one scored form, in order: read notes, funding, totals, weights, indicators.
    `outcomes` and `sums` are what the scorer worked out on its way (see `perfscore.scoring`)."""
    sink = _Sink(form)
    for note in form.read_notes:
        sink.add(note.code, note.message, indicator=note.field, location=note.source)
    scored_form = form.kind != "target_report"
    _check_funding(form, result, rules, sink)
    if scored_form:
        _check_totals(form, result, sums, rules, sink)
        _check_weights(result, sums, rules, sink)
    findings = apply_config(sink.items, rules) if sink.items else []
    _check_indicators(form, result.indicators, outcomes, rules, findings)
    return findings


def apply_config(findings: Iterable[Finding], rules: Rules) -> list[Finding]:
    """The rule set's `findings:` block: select, ignore and severity overrides."""
    out = []
    for f in findings:
        if rules.select and f.code not in rules.select:
            continue
        if f.code in rules.ignore:
            continue
        if f.code in rules.severity:
            f.severity = rules.severity[f.code]
        out.append(f)
    return out


# --- funding ---------------------------------------------------------------------------------------


def _check_funding(form: Form, result: FormResult, rules: Rules, sink: _Sink) -> None:
    funding, fr = form.funding, result.funding
    if funding is None:
        return
    tol = rules.spec.tolerance
    if fr is not None:
        if fr.basis == "breakdown" and not any(n.code == "funding-total-blank" for n in form.read_notes):
            sink.add("funding-total-blank",
                     "资金总额 row is 0 or blank; the funding score was computed from the 其中 rows",
                     indicator="资金总额", annual_budget=fr.annual_budget, executed=fr.executed)
        for row in fr.rows:
            if row.execution_rate is not None and row.reported_rate is not None \
                    and abs(row.execution_rate - row.reported_rate) > tol.rate:
                sink.add("rate-mismatch",
                         f"执行率 printed {_d(row.reported_rate)}% but {_d(row.executed)}/{_d(row.annual_budget)} "
                         f"= {_d(row.execution_rate)}%",
                         indicator=row.label, printed=row.reported_rate, computed=row.execution_rate,
                         executed=row.executed, annual_budget=row.annual_budget)
            if row.annual_budget == 0 and row.executed:  # scored by `score_funding` as the rule set allows
                rated = "no execution rate" if row.execution_rate is None else \
                    f"{rules.name} rates it {_d(row.execution_rate)}%"
                sink.add("funding-zero-budget",
                         f"全年执行数 {_d(row.executed)} against a 全年预算数 of 0: {rated}; "
                         f"scored {_d(row.computed_score)} of {_d(row.weight)}"
                         + (f" (printed {_d(row.reported_score)})" if row.reported_score is not None else ""),
                         indicator=row.label, executed=row.executed, annual_budget=row.annual_budget,
                         computed=row.computed_score, printed=row.reported_score, weight=row.weight)
            if row.computed_score is not None and row.reported_score is not None:
                if row.reported_score > (row.weight or ZERO) + tol.weight and row.weight is not None:
                    sink.add("score-over-weight", f"funding score {_d(row.reported_score)} is above its weight "
                             f"{_d(row.weight)}", indicator=row.label, score=row.reported_score, weight=row.weight)
                if row.execution_rate is not None and abs(row.computed_score - row.reported_score) > tol.funding:
                    sink.add("funding-score-mismatch",
                             f"funding score printed {_d(row.reported_score)} but the amounts give "
                             f"{_d(row.computed_score)} ({_d(row.execution_rate)}% × {_d(row.weight)})",
                             indicator=row.label, printed=row.reported_score, computed=row.computed_score,
                             rate=row.execution_rate, weight=row.weight)
    for row in funding.rows():
        if row.balance is not None and row.annual_budget is not None and row.executed is not None:
            expected = row.annual_budget - row.executed
            if abs(expected - row.balance) > tol.total:
                sink.add("funding-arithmetic",
                         f"{row.label}: 结转/结余 printed {_d(row.balance)} but 全年预算数 − 全年执行数 = {_d(expected)}",
                         indicator=row.label, location=row.source, printed=row.balance, computed=expected)
        initial = row.budget_compiled if row.budget_compiled is not None else row.initial_budget
        share = rules.spec.funding.budget_change_share
        if share is not None and initial and row.annual_budget is not None \
                and abs(row.annual_budget - initial) > share * initial:
            sink.add("budget-change",
                     f"{row.label}: 全年预算数 {_d(row.annual_budget)} differs from 年初预算数 {_d(initial)} by "
                     f"{_d(rules.round((row.annual_budget - initial) / initial * 100))}%",
                     indicator=row.label, location=row.source, initial=initial, annual=row.annual_budget)
            break  # one per form: the breakdown row repeats the total's figures
    total, parts = funding.total, [r for r in funding.breakdown if r.annual_budget is not None]
    if total is not None and total.annual_budget and len(parts) > 1 and fr is not None and fr.basis != "breakdown":
        by_source = sum((r.annual_budget for r in parts), ZERO)
        if abs(by_source - total.annual_budget) > tol.total and by_source != total.annual_budget * 2:
            sink.add("funding-arithmetic",
                     f"the 其中 rows add up to {_d(by_source)} but 资金总额 is {_d(total.annual_budget)}",
                     indicator="资金总额", printed=total.annual_budget, computed=by_source)


# --- totals and grades -----------------------------------------------------------------------------


def _check_totals(form: Form, result: FormResult, sums: IndicatorSums, rules: Rules, sink: _Sink) -> None:
    tol = rules.spec.tolerance
    funding_reported = result.funding.reported_score if result.funding else None
    if form.reported_total is not None and sums.printed is not None:
        reported_sum = sums.printed + (funding_reported or ZERO)
        if abs(reported_sum - form.reported_total) > tol.total:
            sink.add("total-mismatch",
                     f"总分 printed {_d(form.reported_total)} but the printed scores add up to {_d(reported_sum)}",
                     printed=form.reported_total, sum=reported_sum, funding=funding_reported)
    printed_grade = (form.reported_grade or "").strip() or None
    if printed_grade and form.reported_total is not None:
        expected = rules.grade(form.reported_total)
        if expected and expected != printed_grade:
            sink.add("grade-mismatch", f"grade printed {printed_grade} but a total of {_d(form.reported_total)} "
                     f"is {expected}", printed=printed_grade, expected=expected, total=form.reported_total)
    before = printed_grade or rules.grade(form.reported_total)
    if before and result.computed_grade and before != result.computed_grade:
        sink.add("grade-change",
                 f"grade {before} (总分 {_d(form.reported_total)}) becomes {result.computed_grade} under "
                 f"{rules.name}: recomputed total {_d(result.computed_total)}",
                 reported_grade=before, computed_grade=result.computed_grade,
                 reported_total=form.reported_total, computed_total=result.computed_total)


def _check_weights(result: FormResult, sums: IndicatorSums, rules: Rules, sink: _Sink) -> None:
    spec, tol = rules.spec, rules.spec.tolerance
    indicators_total = sums.weights
    if indicators_total is None:
        return
    groups: dict[str, Decimal] = {}
    for label, weight in sums.by_label.items():
        group = rules.level1_group(label)
        if group is not None:
            groups[group] = groups[group] + weight if group in groups else weight
    funding_weight = result.funding.weight if result.funding and result.funding.weight is not None else ZERO
    total = indicators_total + funding_weight
    if abs(total - spec.level1.total) > tol.weight:
        sink.add("weights-sum", f"weights add up to {_d(total)} (indicators {_d(indicators_total)} + funding "
                 f"{_d(funding_weight)}), not {_d(spec.level1.total)}",
                 total=total, indicators=indicators_total, funding=funding_weight, expected=spec.level1.total)
    for group, expected in spec.level1.weights.items():
        if group not in groups:
            sink.add("missing-level1", f"no indicator under {group} (expected {_d(expected)} points)",
                     indicator=group, expected=expected)
        elif abs(groups[group] - expected) > tol.weight:
            sink.add("level1-weight", f"{group} weights add up to {_d(groups[group])}, the rule set gives "
                     f"{_d(expected)}", indicator=group, weight=groups[group], expected=expected)


# --- indicators ------------------------------------------------------------------------------------


_COMPACT = CompactLabels()  # what duplicates are found by


def _duplicates(results: list[IndicatorResult], rules: Rules) -> dict[int, tuple[Draft, ...]] | None:
    """A duplicate-indicator draft for the first of each (二级, 三级) pair that appears more than once,
    by the row's id; None when there are none (the common case, told by the 三级 labels alone)."""
    compact = _COMPACT.__getitem__
    level3 = [compact(r.level3) for r in results]
    if len(set(level3)) == len(level3):
        return None
    keys = [(compact(r.level2), l3) for r, l3 in zip(results, level3, strict=True)]
    counts = Counter(keys)
    out: dict[int, tuple[Draft, ...]] = {}
    for r, key in zip(results, keys, strict=True):
        if counts[key] > 1:
            out[id(r)] = _configured((("duplicate-indicator", f"{r.level2 or ''}/{r.level3} appears {counts[key]} times",
                                       None, (("count", str(counts[key])),)),), rules)
            counts[key] = 1  # reported once, at the first of them
    return out or None


def _check_indicators(form: Form, results: list[IndicatorResult], outcomes: list[Outcome], rules: Rules,
                      findings: list[Finding]) -> None:
    """Per indicator: duplicates (which depend on the form) and what its own values say (memoised on
    its Outcome). Appends findings with the rule set's configuration already applied."""
    duplicates = _duplicates(results, rules)
    scored_form = form.kind != "target_report"
    kind_of, checked = rules.library.kind_of, rules.checked_operators
    adjusted = bool(rules.deductions)  # else a computed score is the outcome's, already in its key
    common = scored_form and not adjusted  # then the findings depend only on the reason and the kind
    name, form_location = form.name, form.source
    append = findings.append
    for r, ind, outcome in zip(results, form.indicators, outcomes, strict=True):
        reason = ind.deviation_reason
        has_reason = bool(reason) and not reason.isspace()
        kind = kind_of(r.level1, r.level2, r.level3) if outcome.numeric_operator in checked else None
        memo_key = has_reason if kind is None else (has_reason, kind.name)
        if not common:
            memo_key = (memo_key, scored_form, r.computed_score if adjusted else None)
        own = outcome.findings.get(memo_key)
        if own is None:
            own = outcome.findings[memo_key] = _configured(
                indicator_findings(r, outcome, rules, kind, has_reason, scored_form), rules)
        drafts = duplicates.get(id(r), ()) if duplicates else ()
        if own or drafts:
            location = r.source or form_location
            for code, message, severity, numbers in drafts + own if drafts else own:
                append(_finding({"code": code, "severity": severity, "message": message, "form": name,
                                 "indicator": r.level3, "location": location, "numbers": dict(numbers)}))


Draft = tuple[str, str, str | None, tuple[tuple[str, str], ...]]  # code, message, severity override, numbers


def _configured(drafts: Iterable[Draft], rules: Rules) -> tuple[Draft, ...]:
    """Drafts as `apply_config` would leave them: selected, and with their final severity."""
    out = []
    for code, message, severity, numbers in drafts:
        if rules.select and code not in rules.select or code in rules.ignore:
            continue
        final = rules.severity.get(code) or severity
        if final is None:
            spec = catalogue.get(code)
            final = spec.severity if spec else "info"
        out.append((code, message, final, numbers))
    return tuple(out)


def indicator_findings(r: IndicatorResult, outcome: Outcome, rules: Rules, kind, has_reason: bool,
                       scored_form: bool) -> tuple[Draft, ...]:
    """What one indicator's own values say — independent of where it stands, so it is memoised by
    its values: the same target/actual/weight/score on ten thousand forms is checked once."""
    out: list[Draft] = []

    def add(code: str, message: str, severity: str | None = None, **numbers: object) -> None:
        out.append((code, message, severity, _pairs(numbers)))

    target, actual = outcome.target, outcome.actual
    tol, reasons = rules.spec.tolerance, rules.spec.reasons
    read_with_notes = target.aliases or actual.aliases or target.kind == "unparsed" or actual.kind == "unparsed"
    for which, parsed in (("target", target), ("actual", actual)) if read_with_notes else ():
        for alias in parsed.aliases:
            add("operator-alias", f"{which} {parsed.text!r}: {alias.found!r} read as {alias.means}",
                alias.severity, found=alias.found, means=alias.means)
        if parsed.kind == "unparsed":
            # a target table (绩效目标完成情况表) states its values in prose by design: a note, not a warning
            add("unparsed-value", f"{which} {parsed.text!r} cannot be read: {parsed.reason}",
                None if scored_form else "info", value=parsed.text)
    if r.weight is not None and r.reported_score is not None and r.reported_score > r.weight + tol.weight:
        add("score-over-weight", f"score {_d(r.reported_score)} is above its weight {_d(r.weight)}",
            score=r.reported_score, weight=r.weight)
    if r.method == "unscorable" and scored_form:
        add("unscorable", r.explanation)
    _check_score(r, outcome, rules, add)
    if kind is not None and target.operator and target.operator not in kind.expected:
        add("wrong-direction", f"{kind.title} target {target.text!r} uses {target.operator}; "
            f"expected {' or '.join(kind.expected)}", kind=kind.name, operator=target.operator)
    if not has_reason and scored_form:
        if reasons.shortfall and r.weight is not None and r.reported_score is not None \
                and r.reported_score < r.weight - tol.score:
            add("missing-deviation-reason", f"scored {_d(r.reported_score)} of {_d(r.weight)} with no 偏差原因",
                score=r.reported_score, weight=r.weight)
        elif reasons.over_achievement is not None and target.is_number and actual.is_number \
                and target.operator in (">=", ">", "=", None):
            _, t = target.in_base()
            _, a = actual.in_base()
            if t and a is not None and t > 0 and a / t >= reasons.over_achievement:
                ratio = rules.round(a / t * 100)
                add("missing-deviation-reason",
                    f"actual {actual.text} is {_d(ratio)}% of target {target.text} with no 偏差原因", ratio=ratio)
    return tuple(out)


def _check_score(r: IndicatorResult, outcome: Outcome, rules: Rules, add) -> None:
    if r.reported_score is None or r.computed_score is None:
        return
    if r.method == "qualitative" and r.band is not None:
        low, high = r.band
        if r.computed_score == r.reported_score:
            return
        category = outcome.category
        if category == rules.top_band and r.reported_score < low:
            add("qualitative-contradiction",
                f"actual {outcome.actual.text!r} ({category}) but scored {_d(r.reported_score)} of {_d(r.weight)}, "
                f"below the band [{_d(low)}, {_d(high)}]",
                reported=r.reported_score, low=low, high=high, computed=r.computed_score)
        elif category != rules.top_band and r.weight is not None and r.reported_score >= r.weight:
            add("qualitative-contradiction",
                f"actual {outcome.actual.text!r} ({category}) but scored full {_d(r.reported_score)}",
                reported=r.reported_score, low=low, high=high, computed=r.computed_score)
        else:
            add("score-deviation",
                f"{category} band is [{_d(low)}, {_d(high)}{']' if category == rules.top_band else ')'}, "
                f"reported {_d(r.reported_score)}, clamped to {_d(r.computed_score)}",
                reported=r.reported_score, computed=r.computed_score, low=low, high=high)
    elif abs(r.computed_score - r.reported_score) > rules.spec.tolerance.score:
        add("score-deviation",
            f"reported {_d(r.reported_score)} but {r.method} scoring gives {_d(r.computed_score)} "
            f"(target {r.target}, actual {r.actual}, weight {_d(r.weight)})",
            reported=r.reported_score, computed=r.computed_score, target=r.target, actual=r.actual, weight=r.weight)


# --- documents -------------------------------------------------------------------------------------


def check_document(doc: Document, results: list[FormResult], rules: Rules) -> list[Finding]:
    """Narrative counts stated in the document against the forms it contains."""
    narrative = doc.narrative
    if narrative is None or not results:
        return []
    out: list[Finding] = []
    file = doc.source.file if doc.source else None
    where = narrative.source or doc.source
    scored = [r for r in results if r.kind != "target_report"] or results  # a target-report document counts those
    graded = Counter(r.reported_grade or rules.grade(r.reported_total) for r in scored)
    problems = []
    scored_count = len(scored)
    if narrative.forms is not None and narrative.forms != scored_count:
        problems.append(f"says {narrative.forms} forms, the document has {scored_count}")
    for grade, count in narrative.grades.items():
        if graded.get(grade, 0) != count:
            problems.append(f"says {count} {grade}, the forms have {graded.get(grade, 0)}")
    stated = ", ".join(f"{count} {grade}" for grade, count in narrative.grades.items())
    numbers = {"stated": stated, "forms": ", ".join(f"{graded.get(g, 0)} {g}" for g in GRADE_ORDER)}
    if problems:
        out.append(Finding(code="narrative-mismatch", severity="error",
                           message=f"{file or 'document'}: the narrative " + "; ".join(problems),
                           form=None, location=where, numbers=numbers))
    elif narrative.grades:
        out.append(Finding(code="narrative-agrees", severity="info",
                           message=f"the narrative counts ({stated}) agree with the {scored_count} forms",
                           form=None, location=where, numbers=numbers))
    return apply_config(out, rules)
