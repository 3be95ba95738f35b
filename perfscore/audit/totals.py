"""Form checks: 总分 against the printed scores, the printed grade, the grade change, and the weights."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from perfscore.audit.sink import Sink, d
from perfscore.catalogue import (
    GRADE_CHANGE,
    GRADE_DEPENDS_ON_POINT,
    GRADE_MISMATCH,
    LEVEL1_WEIGHT,
    MISSING_LEVEL1,
    TOTAL_MISMATCH,
    WEIGHTS_SUM,
)
from perfscore.model import Form
from perfscore.results import FormResult
from perfscore.scored import IndicatorSums

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["check_totals", "check_weights"]

ZERO = Decimal(0)


def check_totals(form: Form, result: FormResult, sums: IndicatorSums, rules: Rules, sink: Sink) -> None:
    tol = rules.spec.tolerance
    funding_reported = result.funding.reported_score if result.funding else None
    if form.reported_total is not None and sums.printed is not None:
        reported_sum = sums.printed + (funding_reported or ZERO)
        if abs(reported_sum - form.reported_total) > tol.total:
            sink.add(TOTAL_MISMATCH,
                     f"总分 printed {d(form.reported_total)} but the printed scores add up to {d(reported_sum)}",
                     printed=form.reported_total, sum=reported_sum, funding=funding_reported)
    printed_grade = (form.reported_grade or "").strip() or None
    if printed_grade and form.reported_total is not None:
        expected = rules.grade(form.reported_total)
        if expected and expected != printed_grade:
            sink.add(GRADE_MISMATCH, f"grade printed {printed_grade} but a total of {d(form.reported_total)} "
                     f"is {expected}", printed=printed_grade, expected=expected, total=form.reported_total)
    before = printed_grade or rules.grade(form.reported_total)
    if before and result.computed_grade and before != result.computed_grade:
        sink.add(GRADE_CHANGE,
                 f"grade {before} (总分 {d(form.reported_total)}) becomes {result.computed_grade} under "
                 f"{rules.name}: recomputed total {d(result.computed_total)}",
                 reported_grade=before, computed_grade=result.computed_grade,
                 reported_total=form.reported_total, computed_total=result.computed_total)
    _check_band_points(result, sums, rules, sink)


def _check_band_points(result: FormResult, sums: IndicatorSums, rules: Rules, sink: Sink) -> None:
    """The points the scorer had to choose inside a qualitative band (a reported score outside the band of its
    actual's words, clamped to the edge, or none printed), at the bottom and at the top of their bands: a
    different grade at each end means the grade rests on that choice, not on the form. A score kept in its
    band is the unit's own judgement and is not moved. The distances to the band edges are added up in the
    scoring loop (`IndicatorSums.band_low`/`band_high`, `scoring.indicators.band_spread`)."""
    total = result.computed_total
    if total is None or not rules.grade_bands:
        return
    low, high = sums.band_low, sums.band_high
    if not low and not high:
        return
    lowest, highest = rules.round(total + low), rules.round(total + high)
    at_low, at_high = rules.grade(lowest), rules.grade(highest)
    if at_low != at_high:
        sink.add(GRADE_DEPENDS_ON_POINT,
                 f"with the qualitative scores at the bottom of their bands the total is {d(lowest)} ({at_low}), at "
                 f"the top {d(highest)} ({at_high}): the grade depends on the points chosen inside the bands",
                 low_total=lowest, high_total=highest, low_grade=at_low, high_grade=at_high)


def check_weights(result: FormResult, sums: IndicatorSums, rules: Rules, sink: Sink) -> None:
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
        above = ""
        if total > spec.level1.total:
            above = {"report": "; the total is reported as computed (level1.above_total: report)",
                     "cap": f"; the total is capped at {d(spec.level1.total)} (level1.above_total: cap)",
                     "rescale": f"; the total is rescaled to {d(spec.level1.total)} (level1.above_total: rescale)",
                     }[spec.level1.above_total]
        sink.add(WEIGHTS_SUM, f"weights add up to {d(total)} (indicators {d(indicators_total)} + funding "
                 f"{d(funding_weight)}), not {d(spec.level1.total)}{above}",
                 total=total, indicators=indicators_total, funding=funding_weight, expected=spec.level1.total)
    if result.kind not in spec.level1.kinds:  # e.g. 部门整体 forms under national: no weights are set for them
        return
    for group, expected in spec.level1.weights.items():
        if group not in groups:
            sink.add(MISSING_LEVEL1, f"no indicator under {group} (expected {d(expected)} points)",
                     indicator=group, expected=expected)
        elif abs(groups[group] - expected) > tol.weight:
            sink.add(LEVEL1_WEIGHT, f"{group} weights add up to {d(groups[group])}, the rule set gives "
                     f"{d(expected)}", indicator=group, weight=groups[group], expected=expected)
