"""Funding checks: the printed 执行率 and funding 得分 against the amounts, 结转结余, 其中 rows, budget changes."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from perfscore.audit.arithmetic import accepted_arithmetic
from perfscore.audit.sink import Sink, d
from perfscore.catalogue import (
    BUDGET_CHANGE,
    FUNDING_ARITHMETIC,
    FUNDING_FALLBACK,
    FUNDING_SCORE_ARITHMETIC,
    FUNDING_SCORE_MISMATCH,
    FUNDING_TOTAL_BLANK,
    FUNDING_UNSCORED,
    FUNDING_ZERO_BUDGET,
    LOW_EXECUTION_UNEXPLAINED,
    OVERSPEND,
    RATE_MISMATCH,
    SCORE_OVER_WEIGHT,
)
from perfscore.model import Form
from perfscore.results import FormResult, FundingRowResult

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["check_funding"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _check_rated(form: Form, row: FundingRowResult, rules: Rules, sink: Sink) -> None:
    """How the row was rated: on the 年初预算数 (fallback), not at all, above 100 %, or low with no reason."""
    if row.budget == "initial_budget":
        sink.add(FUNDING_FALLBACK,
                 f"{row.label}: no 全年预算数; rated on the 年初预算数 {d(row.annual_budget)}: "
                 f"{d(row.executed)}/{d(row.annual_budget)} = {d(row.execution_rate)}% → {d(row.computed_score)} of "
                 f"{d(row.weight)} (funding.fallback: {rules.spec.funding.fallback})",
                 indicator=row.label, initial_budget=row.annual_budget, executed=row.executed,
                 computed=row.computed_score)
    elif row.computed_score is None:
        sink.add(FUNDING_UNSCORED,
                 f"{row.label}: no 全年预算数/全年执行数 the rule set can rate: its {d(row.weight)} points are missing "
                 "from the recomputed total", indicator=row.label, weight=row.weight)
    rate = row.execution_rate
    if rate is None:
        return
    if rate > HUNDRED + rules.spec.tolerance.rate and row.budget is None:
        sink.add(OVERSPEND, f"{row.label}: 全年执行数 {d(row.executed)} is above 全年预算数 {d(row.annual_budget)} "
                 f"({d(rate)}%)", indicator=row.label, executed=row.executed,
                 annual_budget=row.annual_budget, rate=rate)
    threshold = rules.spec.reasons.low_execution
    if threshold is not None and rate < threshold * HUNDRED and not _funding_reason(form):
        sink.add(LOW_EXECUTION_UNEXPLAINED,
                 f"{row.label}: 执行率 {d(rate)}% is below {d(threshold * HUNDRED)}% with no 偏差原因",
                 indicator=row.label, rate=rate, threshold=threshold * HUNDRED)


def _funding_reason(form: Form) -> bool:
    """A 偏差原因 printed on any funding row (forms print it once, on the row the reader puts it on)."""
    return form.funding is not None and any(
        r.deviation_reason and not r.deviation_reason.isspace() for r in form.funding.rows())


def check_funding(form: Form, result: FormResult, rules: Rules, sink: Sink) -> None:
    funding, fr = form.funding, result.funding
    if funding is None:
        return
    tol = rules.spec.tolerance
    if fr is not None:
        if fr.basis == "breakdown" and not any(n.code == FUNDING_TOTAL_BLANK for n in form.read_notes):
            sink.add(FUNDING_TOTAL_BLANK,
                     "资金总额 row is 0 or blank; the funding score was computed from the 其中 rows",
                     indicator="资金总额", annual_budget=fr.annual_budget, executed=fr.executed)
        for row in fr.rows:
            _check_rated(form, row, rules, sink)
            if row.execution_rate is not None and row.reported_rate is not None \
                    and abs(row.execution_rate - row.reported_rate) > tol.rate:
                sink.add(RATE_MISMATCH,
                         f"执行率 printed {d(row.reported_rate)}% but {d(row.executed)}/{d(row.annual_budget)} "
                         f"= {d(row.execution_rate)}%",
                         indicator=row.label, printed=row.reported_rate, computed=row.execution_rate,
                         executed=row.executed, annual_budget=row.annual_budget)
            if row.annual_budget == 0 and row.executed:  # scored by `score_funding` as the rule set allows
                rated = "no execution rate" if row.execution_rate is None else \
                    f"{rules.name} rates it {d(row.execution_rate)}%"
                sink.add(FUNDING_ZERO_BUDGET,
                         f"全年执行数 {d(row.executed)} against a 全年预算数 of 0: {rated}; "
                         f"scored {d(row.computed_score)} of {d(row.weight)}"
                         + (f" (printed {d(row.reported_score)})" if row.reported_score is not None else ""),
                         indicator=row.label, executed=row.executed, annual_budget=row.annual_budget,
                         computed=row.computed_score, printed=row.reported_score, weight=row.weight)
            if row.computed_score is not None and row.reported_score is not None:
                if row.reported_score > (row.weight or ZERO) + tol.weight and row.weight is not None:
                    sink.add(SCORE_OVER_WEIGHT, f"funding score {d(row.reported_score)} is above its weight "
                             f"{d(row.weight)}", indicator=row.label, score=row.reported_score, weight=row.weight)
                if row.execution_rate is not None and abs(row.computed_score - row.reported_score) > tol.funding:
                    accepted = accepted_arithmetic(row, rules)
                    if accepted is not None:
                        sink.add(FUNDING_SCORE_ARITHMETIC,
                                 f"funding score printed {d(row.reported_score)}: the amounts give "
                                 f"{d(row.computed_score)}; {accepted}",
                                 indicator=row.label, printed=row.reported_score, computed=row.computed_score,
                                 arithmetic=accepted.split(":")[0])
                        continue
                    sink.add(FUNDING_SCORE_MISMATCH,
                             f"funding score printed {d(row.reported_score)} but the amounts give "
                             f"{d(row.computed_score)} ({d(row.execution_rate)}% × {d(row.weight)})",
                             indicator=row.label, printed=row.reported_score, computed=row.computed_score,
                             rate=row.execution_rate, weight=row.weight)
    for line in funding.rows():  # the form's own rows, as printed
        if line.balance is not None and line.annual_budget is not None and line.executed is not None:
            expected = line.annual_budget - line.executed
            if abs(expected - line.balance) > tol.total:
                sink.add(FUNDING_ARITHMETIC,
                         f"{line.label}: 结转/结余 printed {d(line.balance)} but 全年预算数 − 全年执行数 = "
                         f"{d(expected)}",
                         indicator=line.label, location=line.source, printed=line.balance, computed=expected)
        initial = line.budget_compiled if line.budget_compiled is not None else line.initial_budget
        share = rules.spec.funding.budget_change_share
        if share is not None and initial and line.annual_budget is not None \
                and abs(line.annual_budget - initial) > share * initial:
            sink.add(BUDGET_CHANGE,
                     f"{line.label}: 全年预算数 {d(line.annual_budget)} differs from 年初预算数 {d(initial)} by "
                     f"{d(rules.round((line.annual_budget - initial) / initial * 100))}%",
                     indicator=line.label, location=line.source, initial=initial, annual=line.annual_budget)
            break  # one per form: the breakdown row repeats the total's figures
    total, parts = funding.total, [r for r in funding.breakdown if r.annual_budget is not None]
    if total is not None and total.annual_budget and len(parts) > 1 and fr is not None and fr.basis != "breakdown":
        by_source = sum((r.annual_budget for r in parts if r.annual_budget is not None), ZERO)
        if abs(by_source - total.annual_budget) > tol.total and by_source != total.annual_budget * 2:
            sink.add(FUNDING_ARITHMETIC,
                     f"the 其中 rows add up to {d(by_source)} but 资金总额 is {d(total.annual_budget)}",
                     indicator="资金总额", printed=total.annual_budget, computed=by_source)
