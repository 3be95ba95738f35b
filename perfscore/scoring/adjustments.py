"""The rule set's `adjustments`: deductions per indicator and caps on the total, after the scores."""

from __future__ import annotations

from decimal import Decimal

from perfscore.decimals import printed
from perfscore.results import FundingResult, IndicatorResult, TraceStep
from perfscore.rules import Rules
from perfscore.rules.formulas import EvalError
from perfscore.scored import Outcome

__all__ = ["apply_caps", "apply_indicator_adjustments"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def apply_indicator_adjustments(results: list[IndicatorResult], outcomes: list[Outcome], rules: Rules,
                                 explain: bool) -> None:
    """Deductions per indicator (e.g. −2 when the actual over-shoots the target by 30 %)."""
    for r, outcome in zip(results, outcomes, strict=True):
        target, actual = outcome.target, outcome.actual
        if r.computed_score is None or not (target.is_number and actual.is_number):
            continue
        _, t = target.in_base()
        _, a = actual.in_base()
        if t is None or a is None:  # (never: both are numbers)
            continue
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
            r.explanation += f"; {adj.name}: −{printed(points)}"
            if explain:
                r.trace.append(TraceStep(rule=f"adjustments.{adj.name}", cite=rules.cite(adj.cite),
                                         inputs={k: printed(v) for k, v in env.items()},
                                         formula=f"when {adj.when.source}: score − ({adj.value.source})",
                                         result=printed(r.computed_score)))


def apply_caps(total: Decimal, funding: FundingResult | None, results: list[IndicatorResult],
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
                                       inputs={k: printed(v) for k, v in env.items()},
                                       formula=f"when {adj.when.source}: min(total, {adj.value.source})",
                                       result=printed(cap)))
            total = rules.round(cap)
            env["total"] = total
    return total
