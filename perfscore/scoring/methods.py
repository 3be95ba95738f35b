"""A scoring method's formula on a target and an actual already in one base unit: shared by numbers, ranges
(each end scored as a floor or a ceiling) and dates (days from the start of the year)."""

from __future__ import annotations

from decimal import Decimal

from perfscore.decimals import printed
from perfscore.results import TraceStep
from perfscore.rules import MethodFormulas, Rules
from perfscore.rules.compiled import INDICATOR_NAMES
from perfscore.rules.formulas import EvalError, Formula

__all__ = ["score_by_method"]

ZERO = Decimal(0)


def score_by_method(method: MethodFormulas, t: Decimal, a: Decimal, weight: Decimal, rules: Rules,
                    trace: list[TraceStep], explain: bool, *, label: str, note: str = "",
                    shown: tuple[str, str] | None = None) -> tuple[str, Decimal | None, str]:
    """`method` on a target and an actual in one base unit. A target or actual below 0 (增长率/下降率) is
    scored by its direction, never clamped to 0: full on the right side of the target, else
    `scoring.signed_shortfall`."""
    scoring = rules.spec.scoring
    formula = method.zero_target if t == 0 else method.formula
    rule = "zero_target" if t == 0 else "formula"
    if a < 0 and scoring.negative_actual_as_zero:
        a = ZERO
    elif (a < 0 or t < 0) and t != 0:
        met = a >= t if method.direction > 0 else a <= t
        formula = _FULL if met else rules.signed_shortfall
        rule = "signed" if met else "signed_shortfall"
        note += f"; signed values scored by direction ({'met' if met else 'short of the target'})"
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
    target_text, actual_text = shown or (printed(t), printed(a))
    why = (f"{method.name} ({label}): actual {actual_text} vs target {target_text} → {printed(computed)} "
           f"of {printed(weight)}{note}")
    if explain:
        where = f"scoring.methods.{method.name}.{rule}" if rule in ("formula", "zero_target") else f"scoring.{rule}"
        trace.append(TraceStep(rule=where, cite=rules.cite(method.cite if where.startswith("scoring.methods")
                                                         else scoring.cite_of("signed_shortfall")),
                               inputs={k: printed(v) for k, v in env.items()}, formula=formula.source,
                               result=printed(computed),
                               note=(None if capped == raw else f"capped from {printed(raw)} to [0, weight]")
                               if not note else note.lstrip("; ")))
    return method.name, computed, why


_FULL = Formula("weight", INDICATOR_NAMES)
