"""The funding 得分 as units commonly work it out, when it is not the rule set's formula on the amounts.

A unit that scores from the printed (rounded) 执行率 rounds twice (84.4478 % printed 84.45 % → 8.445 → 8.45, where
the amounts give 8.44); the budget system displays a score truncated, not rounded (99.998 % → 9.99). Neither
is an error of the form: the rule set lists the arithmetic it accepts (`funding.accepted_arithmetic`), and
the audit names the one that gives the printed score instead of reporting a mismatch.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from perfscore.audit.sink import d
from perfscore.results import FundingRowResult
from perfscore.rules.formulas import EvalError

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["accepted_arithmetic"]

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def accepted_arithmetic(row: FundingRowResult, rules: Rules) -> str | None:
    """Which accepted arithmetic gives the row's printed score, as "name: how", or None when none does."""
    reported, weight = row.reported_score, row.weight
    if reported is None or weight is None or row.executed is None or not row.annual_budget:
        return None
    accepted = rules.spec.funding.accepted_arithmetic
    env: dict[str, Decimal] = {"executed": row.executed, "annual_budget": row.annual_budget,
                               "initial_budget": ZERO, "weight": weight}
    try:
        exact = Decimal(rules.funding_rate(env))
    except (EvalError, ArithmeticError):
        return None
    rates: list[tuple[str, Decimal, str]] = []
    if "printed_rate" in accepted and row.reported_rate is not None:
        rates.append(("printed_rate", row.reported_rate / HUNDRED, f"from the printed 执行率 {d(row.reported_rate)}%"))
    if "rounded_rate" in accepted:
        rounded = exact.quantize(Decimal("0.0001"))
        rates.append(("rounded_rate", rounded, f"from the 执行率 rounded to {d(rounded * HUNDRED)}%"))
    for name, rate, how in rates:
        if _score(rate, env, rules, truncate=False) == reported:
            return f"{name}: rounded {how}, so rounded twice"
    if "truncated" in accepted and _score(exact, env, rules, truncate=True) == reported:
        return "truncated: the score truncated to its places, not rounded, as the budget system displays it"
    return None


def _score(rate: Decimal, env: dict[str, Decimal], rules: Rules, truncate: bool) -> Decimal | None:
    try:
        raw = Decimal(rules.funding_formula({**env, "rate": rate}))
    except (EvalError, ArithmeticError):
        return None
    capped = min(max(raw, ZERO), env["weight"])
    return capped.quantize(rules.quantum, rounding=ROUND_DOWN) if truncate else rules.round(capped)
