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
from perfscore.results import FormResult, TraceStep
from perfscore.rules import Rules
from perfscore.scored import IndicatorSums, Outcome, OutcomeKey, ScoredForm
from perfscore.scoring.adjustments import apply_caps, apply_indicator_adjustments
from perfscore.scoring.funding import score_funding
from perfscore.scoring.indicators import Scored, score_indicator, score_indicators, scored_sum

__all__ = ["IndicatorSums", "Outcome", "OutcomeKey", "Scored", "ScoredForm", "score", "score_funding",
           "score_indicator"]

ZERO = Decimal(0)
_form_result = maker(FormResult)


def score(form: Form, rules: Rules, *, explain: bool = False) -> ScoredForm:
    """Re-score one form under a rule set. Pure: reads both, changes neither. The result's findings are
    left empty (a list the audit's findings are added to: `perfscore.pipeline.score_form`)."""
    results, outcomes, sums = score_indicators(form.indicators, 1, rules, explain)
    funding = score_funding(form, rules, explain)
    if rules.deductions:
        apply_indicator_adjustments(results, outcomes, rules, explain)
        sums = sums._replace(scored=scored_sum(results))
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
    result = _form_result(
        name=form.name, kind=form.kind, unit=form.unit, year=form.year, source=form.source,
        rules=rules.name, funding=funding, indicators=results,
        reported_total=form.reported_total, computed_total=total,
        reported_grade=form.reported_grade, computed_grade=rules.grade(total),
        findings=[], trace=trace)
    return ScoredForm(result, outcomes, sums)
