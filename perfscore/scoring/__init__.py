"""The scorer: a pure function of (form, rules) → `ScoredForm`.

Funding is scored from the amounts, never from the printed rate (`scoring.funding`). Quantitative
indicators get the exact score of their operator's formula; qualitative ones a band of the weight,
keeping the hand score when it lies in the band and clamping it otherwise; unscorable ones keep the
reported score and say why (`scoring.indicators`). Then the rule set's deductions and caps
(`scoring.adjustments`). The scorer finds nothing: findings are the audit's (`perfscore.audit`), which
reads the `ScoredForm` returned here; the pipeline and the API compose the two.
"""

from __future__ import annotations

from decimal import Decimal

from perfscore.construct import maker
from perfscore.decimals import printed
from perfscore.model import Form
from perfscore.results import FormResult, FundingResult, TraceStep
from perfscore.rules import Rules
from perfscore.scored import IndicatorSums, Outcome, OutcomeKey, ScoredForm
from perfscore.scoring.adjustments import apply_caps, apply_indicator_adjustments
from perfscore.scoring.funding import score_funding
from perfscore.scoring.indicators import Scored, band_spread, score_indicator, score_indicators, scored_sum

__all__ = ["IndicatorSums", "Outcome", "OutcomeKey", "Scored", "ScoredForm", "score", "score_funding",
           "score_indicator"]

ZERO = Decimal(0)
_form_result = maker(FormResult)


def above_maximum(total: Decimal, maximum: Decimal, sums: IndicatorSums, funding: FundingResult | None,
                  rules: Rules, trace: list[TraceStep], explain: bool) -> Decimal:
    """A total above `level1.total` (weights adding up to 105, 110) capped at it or rescaled to it, as the
    rule set's `level1.above_total` says (`report`, the default, keeps it and the audit reports weights-sum)."""
    mode = rules.spec.level1.above_total
    weights = (sums.weights or ZERO) + (funding.weight if funding is not None and funding.weight else ZERO)
    if mode == "rescale" and weights > maximum:  # a form out of 110 put on the scale of 100
        new, formula = rules.round(total * maximum / weights), "total × level1.total / Σ weights"
    elif mode == "cap" and total > maximum:
        new, formula = rules.round(maximum), "min(total, level1.total)"
    else:
        return total
    if explain:
        cite = rules.cite(rules.spec.level1.cite_of("above_total"))
        trace.append(TraceStep(rule=f"level1.above_total.{mode}", cite=cite,
                               inputs={"total": printed(total), "maximum": printed(maximum),
                                       "weights": printed(weights)},
                               formula=formula, result=printed(new)))
    return new


def score(form: Form, rules: Rules, *, explain: bool = False) -> ScoredForm:
    """Re-score one form under a rule set. Pure: reads both, changes neither. The result's findings are
    left empty (a list the audit's findings are added to: `perfscore.pipeline.score_form`)."""
    results, outcomes, sums = score_indicators(form.indicators, 1, rules, explain)
    funding = score_funding(form, rules, explain)
    if rules.deductions:
        apply_indicator_adjustments(results, outcomes, rules, explain)
        low, high = band_spread(results)
        sums = sums._replace(scored=scored_sum(results), band_low=low, band_high=high)
    total: Decimal | None = None
    trace: list[TraceStep] = []
    indicators_sum = sums.scored if sums.scored is not None else ZERO
    if form.kind != "target_report" or sums.scored is not None:
        total = indicators_sum
        if funding is not None and funding.computed_score is not None:
            total += funding.computed_score
        total = rules.round(total)
        if explain:
            trace.append(TraceStep(rule="total",
                                   inputs={"funding": printed(funding.computed_score if funding else None),
                                           "indicators": printed(indicators_sum)},
                                   formula="funding + Σ indicators", result=printed(total)))
        if rules.caps:
            total = apply_caps(total, funding, results, rules, trace, explain)
        if rules.spec.level1.above_total != "report":
            total = above_maximum(total, rules.spec.level1.total, sums, funding, rules, trace, explain)
    result = _form_result(
        name=form.name, kind=form.kind, unit=form.unit, year=form.year, source=form.source,
        rules=rules.name, funding=funding, indicators=results,
        reported_total=form.reported_total, computed_total=total,
        reported_grade=form.reported_grade, computed_grade=rules.grade(total),
        findings=[], trace=trace)
    return ScoredForm(result, outcomes, sums)
