"""The scorer: a pure function of (form, rules) → FormResult.

Funding is scored from the amounts, never from the printed rate. Quantitative indicators get the
exact score of their operator's formula; qualitative ones a band of the weight, keeping the hand score
when it lies in the band and clamping it otherwise; unscorable ones keep the reported score and say why.
Findings come from `perfscore.audit`, which reads what was computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from perfscore import audit
from perfscore.caches import forget_oldest
from perfscore.construct import build, constructor
from perfscore.decimals import PLAIN_DIGITS
from perfscore.labels import compact
from perfscore.model import Form, FundingRow, Indicator
from perfscore.results import FormResult, FundingResult, FundingRowResult, IndicatorResult, TraceStep
from perfscore.rules import Rules
from perfscore.rules.formulas import EvalError
from perfscore.values import ParsedValue

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(slots=True)
class Outcome:
    """What an indicator's values give under a rule set, whatever form they stand on: memoised by
    (target, actual, weight, reported score, unit) as printed, with the audit's findings for it memoised
    alongside."""

    target: ParsedValue
    actual: ParsedValue
    method: str
    computed: Decimal | None
    band: tuple[Decimal, Decimal] | None
    why: str
    category: str | None
    trace: tuple[TraceStep, ...]  # empty unless --explain
    numeric_operator: str | None = None  # a numeric target's operator: what the direction check reads
    findings: dict = field(default_factory=dict)  # audit drafts, by what else they depend on


@dataclass(slots=True)
class Scored:
    """One indicator's result and the outcome behind it (the parsed values the audit needs)."""

    result: IndicatorResult
    indicator: Indicator
    outcome: Outcome


def _d(value: Decimal | None) -> str:
    """A Decimal as printed, never in E notation (``str`` is that, three times faster, unless it has
    an E), except beyond `decimals.PLAIN_DIGITS` (a rate of 1E+40 %), which would print a wall of zeros."""
    if value is None:
        return "—"
    text = str(value)
    if "E" not in text or not -PLAIN_DIGITS <= value.adjusted() <= PLAIN_DIGITS:
        return text
    return format(value, "f")


def score(form: Form, rules: Rules, *, explain: bool = False) -> FormResult:
    """Re-score one form under a rule set. Pure: reads both, changes neither."""
    results, outcomes, sums = _score_indicators(form.indicators, 1, rules, explain)
    funding = score_funding(form, rules, explain)
    if rules.deductions:
        _apply_indicator_adjustments(results, outcomes, rules, explain)
        sums = sums._replace(scored=_scored_sum(results))
    total: Decimal | None = None
    trace: list[TraceStep] = []
    indicators_sum = sums.scored if sums.scored is not None else ZERO
    if form.kind != "target_report" or sums.scored is not None:
        total = indicators_sum
        if funding is not None and funding.computed_score is not None:
            total += funding.computed_score
        total = rules.round(total)
        if explain:
            trace.append(TraceStep(rule="total", inputs={"funding": _d(funding.computed_score if funding else None),
                                                         "indicators": _d(indicators_sum)},
                                   formula="funding + Σ indicators", result=_d(total)))
        if rules.caps:
            total = _apply_caps(total, funding, results, rules, trace, explain)
    findings: list = []  # filled in place below: assigning a field goes through pydantic's __setattr__
    result = _form_result({
        "name": form.name, "kind": form.kind, "unit": form.unit, "year": form.year, "source": form.source,
        "rules": rules.name, "funding": funding, "indicators": results,
        "reported_total": form.reported_total, "computed_total": total,
        "reported_grade": form.reported_grade, "computed_grade": rules.grade(total),
        "findings": findings, "trace": trace})
    findings += audit.check_form(form, result, outcomes, sums, rules)
    return result


# --- indicators ------------------------------------------------------------------------------------


MEMO_LIMIT = 20_000


def score_indicator(ind: Indicator, index: int, rules: Rules, explain: bool = False) -> Scored:
    """Score one indicator on its own (what `score` does for each row of a form)."""
    results, outcomes, _ = _score_indicators([ind], index, rules, explain)
    return Scored(results[0], ind, outcomes[0])


_indicator_result = constructor(IndicatorResult)
_form_result = constructor(FormResult)


class IndicatorSums(NamedTuple):
    """What the total and the audit's total and weight checks add up over a form's indicators: summed
    in the scoring loop, so no other pass over the rows is needed. None where nothing was printed."""

    scored: Decimal | None  # Σ computed scores, the reported one where none was computed
    printed: Decimal | None  # Σ reported scores
    weights: Decimal | None  # Σ weights
    by_label: dict[str | None, Decimal]  # Σ weights per printed 一级指标 label (three or four per form)


def _scored_sum(results: list[IndicatorResult]) -> Decimal | None:
    parts = [r.computed_score if r.computed_score is not None else r.reported_score for r in results]
    parts = [p for p in parts if p is not None]
    return sum(parts, ZERO) if parts else None


def _score_indicators(indicators: list[Indicator], first_index: int, rules: Rules,
                      explain: bool) -> tuple[list[IndicatorResult], list[Outcome], IndicatorSums]:
    """Each indicator's result and outcome, and their sums. An outcome depends only on (target, actual,
    weight, reported score, unit), which repeat across a province's forms, so without --explain it is
    memoised per rule set. The hottest loop of a batch: kept flat on purpose."""
    memo = rules.indicator_memo
    results: list[IndicatorResult] = []
    outcomes: list[Outcome] = []
    index = first_index
    scored = printed = weights = ZERO
    any_scored = any_printed = any_weight = False
    by_label: dict[str | None, Decimal] = {}
    for ind in indicators:
        target = ind.adjusted_target or ind.initial_target  # Indicator.target, without the property call
        weight, reported = ind.weight, ind.score
        if explain:
            outcome = _outcome(ind, target, rules, [], True)
        else:
            # numbers by their text: hashing a Decimal costs several times more, and 5 and 5.0 (equal
            # Decimals) then get entries of their own, so a kept score is given back as printed
            key = (target, ind.actual, str(weight), str(reported), ind.measure_unit)
            outcome = memo.get(key)
            if outcome is None:
                if len(memo) >= MEMO_LIMIT:
                    forget_oldest(memo)
                outcome = memo[key] = _outcome(ind, target, rules, [], False)
        outcomes.append(outcome)
        computed = outcome.computed
        results.append(_indicator_result({
            "index": index, "level1": ind.level1, "level2": ind.level2, "level3": ind.level3,
            "target": target, "actual": ind.actual, "weight": weight, "reported_score": reported,
            "computed_score": computed, "method": outcome.method,
            "band": outcome.band, "explanation": outcome.why, "trace": list(outcome.trace) if explain else [],
            "source": ind.source}))
        index += 1
        if reported is not None:
            printed += reported
            any_printed = True
        part = computed if computed is not None else reported  # an unscorable row keeps its own score
        if part is not None:
            scored += part
            any_scored = True
        if weight is not None:
            weights += weight
            any_weight = True
            label = ind.level1
            by_label[label] = by_label[label] + weight if label in by_label else weight
    sums = IndicatorSums(scored if any_scored else None, printed if any_printed else None,
                         weights if any_weight else None, by_label)
    return results, outcomes, sums


def _outcome(ind: Indicator, target_text: str | None, rules: Rules, trace: list[TraceStep], explain: bool) -> Outcome:
    vocab = rules.vocabulary
    target, actual = vocab.parse(target_text), vocab.parse(ind.actual)
    if ind.measure_unit:  # a separate 度量单位 column (四川): a bare number takes that unit
        target, actual = _with_unit(vocab, target, ind.measure_unit), _with_unit(vocab, actual, ind.measure_unit)
    weight, reported = ind.weight, ind.score
    computed: Decimal | None = None
    band: tuple[Decimal, Decimal] | None = None
    category: str | None = None
    if weight is None:
        method, why = "unscorable", "no weight (分值) printed"
    elif actual.kind == "qualitative" and actual.category in rules.spec.qualitative.bands:
        category = actual.category
        method = "qualitative"
        computed, band, why = _band_score(category, weight, reported, rules, trace, explain)
    elif target.kind == "missing":
        method, why = "unscorable", "no target (指标值) printed"
    elif actual.kind == "missing":
        method, why = "unscorable", "no actual (实际完成值) printed"
    elif target.is_number and actual.is_number:
        if not vocab.comparable(target, actual):
            method, why = "unscorable", f"units do not compare: {target.unit} vs {actual.unit}"
        else:
            method, computed, why = _formula_score(target, actual, weight, rules, trace, explain)
    elif target.kind == "range" and (actual.is_number or actual.kind == "range"):
        method, computed, why = _range_score(target, actual, weight, rules, vocab, trace, explain)
    elif (target.kind in ("qualitative", "range") and actual.kind in ("qualitative", "range")
          and _same(target.text, actual.text)):
        category = rules.top_band
        method = "qualitative"
        if category is None:
            method, why = "unscorable", "no qualitative bands in the rule set"
        else:
            computed, band, why = _band_score(category, weight, reported, rules, trace, explain)
            why = f"actual restates the target ({actual.text}); " + why
    elif target.kind == "unparsed" or actual.kind == "unparsed":
        bad = target if target.kind == "unparsed" else actual
        method, why = "unscorable", f"cannot read {bad.text!r}: {bad.reason}"
    else:
        method, why = "unscorable", f"{target.kind} target {target.text!r} with {actual.kind} actual {actual.text!r}"
    if method == "unscorable":
        why += "; reported score kept"
    return Outcome(target, actual, method, computed, band, why, category, tuple(trace),
                   target.operator if target.is_number else None)


def _with_unit(vocab, value: ParsedValue, unit: str) -> ParsedValue:
    if value.is_number and value.unit is None:
        joined = vocab.parse(value.text.strip() + unit.strip())
        if joined.is_number:
            return joined
    return value


def _same(a: str, b: str) -> bool:
    return compact(a) == compact(b)


def _band_score(category: str, weight: Decimal, reported: Decimal | None, rules: Rules,
                trace: list[TraceStep], explain: bool) -> tuple[Decimal, tuple[Decimal, Decimal], str]:
    spec = rules.spec.qualitative
    b = spec.bands[category]
    low, high = rules.round(b.low * weight), rules.round(b.high * weight)
    top = category == rules.top_band
    inside = reported is not None and low <= reported and (reported <= high if top else reported < high)
    if inside and spec.keep_reported_in_band:
        computed, why = reported, f"{category} band [{_d(low)}, {_d(high)}{']' if top else ')'}: reported {_d(reported)} kept"
    elif reported is None:
        computed = rules.round(b.point * weight)
        why = f"{category} band: no reported score, point {_d(b.point)} × {_d(weight)} = {_d(computed)}"
    elif reported < low:
        computed, why = low, f"{category} band starts at {_d(low)}: reported {_d(reported)} raised"
    else:
        computed = high if top else high - rules.quantum
        computed = min(computed, weight)
        why = f"{category} band ends at {_d(high)}: reported {_d(reported)} lowered to {_d(computed)}"
    if explain:
        trace.append(TraceStep(rule=f"qualitative.bands.{category}", cite=rules.cite(spec.cite),
                               inputs={"weight": _d(weight), "reported": _d(reported)},
                               formula=f"[{_d(b.low)} × weight, {_d(b.high)} × weight]", result=_d(computed),
                               note=why))
    return computed, (low, high), why


def _formula_score(target: ParsedValue, actual: ParsedValue, weight: Decimal, rules: Rules,
                   trace: list[TraceStep], explain: bool) -> tuple[str, Decimal | None, str]:
    op = target.operator
    method = rules.method_by_operator.get(op) if op else rules.plain_method
    if method is None:
        return "unscorable", None, f"no scoring method for operator {op or '(none)'}"
    _, t = target.in_base()
    _, a = actual.in_base()
    assert t is not None and a is not None
    scoring = rules.spec.scoring
    if a < 0 and scoring.negative_actual_as_zero:
        a = ZERO
    formula = method.zero_target if t == 0 else method.formula
    env = {"actual": a, "target": t, "weight": weight}
    try:
        raw = formula(env)
    except EvalError as exc:
        return "unscorable", None, f"formula failed: {exc}"
    if type(raw) is not Decimal:  # a formula of constants or comparisons
        raw = Decimal(raw)
    capped = raw
    if scoring.cap_at_weight:
        capped = min(max(raw, ZERO), weight)
    computed = rules.round(capped)
    why = f"{method.name} ({op or 'no operator'}): actual {_d(a)} vs target {_d(t)} → {_d(computed)} of {_d(weight)}"
    if explain:
        trace.append(TraceStep(rule=f"scoring.methods.{method.name}" + (".zero_target" if t == 0 else ".formula"),
                               cite=rules.cite(method.cite),
                               inputs={k: _d(v) for k, v in env.items()}, formula=formula.source,
                               result=_d(computed),
                               note=None if capped == raw else f"capped from {_d(raw)} to [0, weight]"))
    return method.name, computed, why


def _range_score(target: ParsedValue, actual: ParsedValue, weight: Decimal, rules: Rules, vocab,
                 trace: list[TraceStep], explain: bool) -> tuple[str, Decimal | None, str]:
    if target.unit and actual.unit and target.unit != actual.unit:
        return "unscorable", None, f"units do not compare: {target.unit} vs {actual.unit}"
    lo, hi = target.low, target.high
    if actual.kind == "range":
        inside = lo <= actual.low and actual.high <= hi
    else:
        inside = lo <= actual.number <= hi
    if not inside:
        return "unscorable", None, f"actual {actual.text} outside the range {target.text}"
    computed = rules.round(weight)
    if explain:
        trace.append(TraceStep(rule="scoring.range", inputs={"low": _d(lo), "high": _d(hi), "actual": actual.text},
                               formula="weight if low ≤ actual ≤ high", result=_d(computed)))
    return "range", computed, f"actual {actual.text} within {target.text} → full {_d(weight)}"


# --- funding ---------------------------------------------------------------------------------------


def _has_amounts(row: FundingRow | None) -> bool:
    return row is not None and bool(row.annual_budget) and row.executed is not None


def _pick_row(form: Form, match: list[str], rules: Rules) -> tuple[FundingRow | None, str]:
    funding = form.funding
    assert funding is not None
    if "total" in match:
        if _has_amounts(funding.total):
            return funding.total, funding.total.label
        if rules.spec.funding.use_breakdown_when_total_blank:
            rows = [r for r in funding.breakdown if _has_amounts(r)]
            if rows:
                merged = FundingRow.model_construct(
                    label=" + ".join(r.label for r in rows),
                    initial_budget=None, target_declared=None, budget_compiled=None,
                    annual_budget=sum((r.annual_budget for r in rows), ZERO),
                    executed=sum((r.executed for r in rows), ZERO),
                    balance=None, weight=rows[0].weight, execution_rate=rows[0].execution_rate,
                    score=rows[0].score, deviation_reason=None, raw={}, source=rows[0].source)
                return merged, "breakdown"
        return funding.total, funding.total.label if funding.total else "total"
    for row in funding.rows():
        if any(m in compact(row.label) for m in match):
            return row, row.label
    return None, "/".join(match)


def score_funding(form: Form, rules: Rules, explain: bool = False) -> FundingResult | None:
    if form.funding is None or form.kind == "target_report" and not rules.spec.funding.rows:
        return None
    rows: list[FundingRowResult] = []
    trace: list[TraceStep] = []
    explanations: list[str] = []
    total_weight = ZERO
    total_score: Decimal | None = ZERO
    first: tuple[FundingRow | None, str] | None = None
    for rule in rules.spec.funding.rows:
        row, basis = _pick_row(form, rule.match, rules)
        first = first or (row, basis)
        weight = rule.weight
        total_weight += weight
        reported_score = row.score if row is not None else None
        reported_rate = row.execution_rate if row is not None else None
        if row is not None and (reported_score is None or reported_rate is None):
            # the 资金总额 row often carries no score or rate; the first 其中 row does
            for other in form.funding.breakdown:
                reported_score = reported_score if reported_score is not None else other.score
                reported_rate = reported_rate if reported_rate is not None else other.execution_rate
                break
        # money spent against a 全年预算数 of 0: scored as the rule set's rate says, or 0 when it gives none
        unbudgeted = row is not None and row.annual_budget == 0 and bool(row.executed)
        if row is None or not (unbudgeted or _has_amounts(row)):
            rows.append(build(FundingRowResult,
                label=basis, annual_budget=row.annual_budget if row else None,
                executed=row.executed if row else None, execution_rate=None, reported_rate=reported_rate,
                weight=weight, reported_score=reported_score, computed_score=None))
            explanations.append(f"{basis}: no 全年预算数/全年执行数 to score")
            total_score = None
            continue
        env = {"executed": row.executed, "annual_budget": row.annual_budget,
               "initial_budget": row.initial_budget or row.budget_compiled or row.target_declared or ZERO,
               "weight": weight}
        try:
            rate = rules.funding_rate(env)
            if type(rate) is not Decimal:  # a formula of constants or comparisons
                rate = Decimal(rate)
            env["rate"] = rate
            raw = rules.funding_formula(env)
            if type(raw) is not Decimal:
                raw = Decimal(raw)
        except EvalError as exc:
            if unbudgeted:  # no rate exists: the row's points are lost, not left out (funding-zero-budget)
                computed = rules.round(ZERO)
                explanations.append(f"{basis}: {_d(row.executed)} spent against a 全年预算数 of 0: {rules.name} "
                                    f"gives no execution rate ({rules.funding_rate.source}) → {_d(computed)} of "
                                    f"{_d(weight)}")
                if total_score is not None:
                    total_score += computed
            else:
                computed = None
                explanations.append(f"{basis}: {exc}")
                total_score = None
            rows.append(build(FundingRowResult,
                label=basis, annual_budget=row.annual_budget, executed=row.executed, execution_rate=None,
                reported_rate=reported_rate, weight=weight, reported_score=reported_score, computed_score=computed))
            continue
        computed = rules.round(min(max(raw, ZERO), weight))
        percent = rules.round(rate * HUNDRED)
        rows.append(_funding_row_result({
            "label": basis, "annual_budget": row.annual_budget, "executed": row.executed, "execution_rate": percent,
            "reported_rate": reported_rate, "weight": weight, "reported_score": reported_score,
            "computed_score": computed}))
        explanations.append(f"{basis}: {_d(row.executed)}/{_d(row.annual_budget)} = {_d(percent)}% → "
                            f"{_d(computed)} of {_d(weight)}")
        if total_score is not None:
            total_score += computed
        if explain:
            trace.append(TraceStep(rule="funding.rate", cite=rules.cite(rules.spec.funding.cite),
                                   inputs={k: _d(v) for k, v in env.items() if k != "rate"},
                                   formula=rules.funding_rate.source, result=_d(rate)))
            trace.append(TraceStep(rule="funding.formula", cite=rules.cite(rules.spec.funding.cite),
                                   inputs={"rate": _d(rate), "weight": _d(weight)},
                                   formula=rules.funding_formula.source, result=_d(computed)))
    if not rows:
        return None
    main = rows[0]
    reported_total_score: Decimal | None = ZERO
    for r in rows:
        if r.reported_score is None:
            reported_total_score = None
            break
        reported_total_score += r.reported_score
    return _funding_result({
        "annual_budget": main.annual_budget, "executed": main.executed, "execution_rate": main.execution_rate,
        "reported_rate": main.reported_rate, "weight": total_weight, "reported_score": reported_total_score,
        "computed_score": rules.round(total_score) if total_score is not None else None,
        "basis": first[1] if first else None, "explanation": "; ".join(explanations), "rows": rows,
        "trace": trace})


_funding_row_result = constructor(FundingRowResult)
_funding_result = constructor(FundingResult)


# --- adjustments -----------------------------------------------------------------------------------


def _apply_indicator_adjustments(results: list[IndicatorResult], outcomes: list[Outcome], rules: Rules,
                                 explain: bool) -> None:
    """Deductions per indicator (e.g. −2 when the actual over-shoots the target by 30 %)."""
    for r, outcome in zip(results, outcomes, strict=True):
        target, actual = outcome.target, outcome.actual
        if r.computed_score is None or not (target.is_number and actual.is_number):
            continue
        _, t = target.in_base()
        _, a = actual.in_base()
        ratio = a / t if t else ZERO
        direction = -1 if target.operator in ("<=", "<") else 1
        env = {"actual": a, "target": t, "weight": r.weight, "score": r.computed_score, "ratio": ratio,
               "direction": Decimal(direction)}
        for adj in rules.deductions:
            try:
                if not adj.when(env):
                    continue
                points = Decimal(adj.value(env))
            except EvalError:
                continue
            before = r.computed_score
            r.computed_score = rules.round(max(before - points, ZERO))
            r.explanation += f"; {adj.name}: −{_d(points)}"
            if explain:
                r.trace.append(TraceStep(rule=f"adjustments.{adj.name}", cite=rules.cite(adj.cite),
                                         inputs={k: _d(v) for k, v in env.items()},
                                         formula=f"when {adj.when.source}: score − ({adj.value.source})",
                                         result=_d(r.computed_score)))


def _apply_caps(total: Decimal, funding: FundingResult | None, results: list[IndicatorResult],
                rules: Rules, trace: list[TraceStep], explain: bool) -> Decimal:
    rate = (funding.execution_rate / HUNDRED) if funding and funding.execution_rate is not None else None
    if rate is None:
        return total
    env = {"total": total, "rate": rate,
           "funding_score": funding.computed_score if funding and funding.computed_score is not None else ZERO,
           "weight_sum": sum((r.weight or ZERO for r in results), ZERO)}
    for adj in rules.caps:
        try:
            if not adj.when(env):
                continue
            cap = Decimal(adj.value(env))
        except EvalError:
            continue
        if total > cap:
            if explain:
                trace.append(TraceStep(rule=f"adjustments.{adj.name}", cite=rules.cite(adj.cite),
                                       inputs={k: _d(v) for k, v in env.items()},
                                       formula=f"when {adj.when.source}: min(total, {adj.value.source})",
                                       result=_d(cap)))
            total = rules.round(cap)
            env["total"] = total
    return total
