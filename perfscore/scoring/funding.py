"""Funding: the 预算执行 block scored from its amounts under the rule set's `funding` rules.

Each of the rule set's funding rows picks a row of the form (the 资金总额 row, the 其中 rows merged when
the total is blank, or a row by label) and scores ``funding.formula`` on the execution rate
``funding.rate`` gives for its amounts: never the printed rate.
"""

from __future__ import annotations

from decimal import Decimal

from perfscore.construct import maker
from perfscore.decimals import printed
from perfscore.labels import compact
from perfscore.model import Form, FundingRow
from perfscore.results import FundingResult, FundingRowResult, TraceStep
from perfscore.rules import Rules
from perfscore.rules.formulas import EvalError

__all__ = ["score_funding"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_funding_row_result = maker(FundingRowResult)
_funding_result = maker(FundingResult)


def _has_amounts(row: FundingRow | None) -> bool:
    return row is not None and bool(row.annual_budget) and row.executed is not None


def _initial(row: FundingRow) -> Decimal | None:
    return row.initial_budget or row.budget_compiled or row.target_declared


def _fallback(row: FundingRow | None, rules: Rules) -> FundingRow | None:
    """`row` rated on its 年初预算数 when its 全年预算数 is blank and the rule set falls back (funding.fallback):
    a row with money and a budget is never left out of the total."""
    if row is None or row.annual_budget is not None or row.executed is None \
            or rules.spec.funding.fallback != "initial_budget":
        return None
    initial = _initial(row)
    return row.model_copy(update={"annual_budget": initial}) if initial else None


def _pick_row(form: Form, match: list[str], rules: Rules) -> tuple[FundingRow | None, str]:
    funding = form.funding
    assert funding is not None
    if "total" in match:
        total = funding.total
        if total is not None and _has_amounts(total):
            return total, total.label
        if rules.spec.funding.use_breakdown_when_total_blank:
            rows = [r for r in funding.breakdown if _has_amounts(r)]
            if rows:
                merged = FundingRow.model_construct(
                    label=" + ".join(r.label for r in rows),
                    initial_budget=None, target_declared=None, budget_compiled=None,
                    annual_budget=sum((r.annual_budget for r in rows if r.annual_budget is not None), ZERO),
                    executed=sum((r.executed for r in rows if r.executed is not None), ZERO),  # (all have both)
                    balance=None, weight=rows[0].weight, execution_rate=rows[0].execution_rate,
                    score=rows[0].score, deviation_reason=None, raw={}, source=rows[0].source)
                return merged, "breakdown"
        return funding.total, funding.total.label if funding.total else "total"
    for row in funding.rows():
        if any(m in compact(row.label) for m in match):
            return row, row.label
    return None, "/".join(match)


def score_funding(form: Form, rules: Rules, explain: bool = False) -> FundingResult | None:
    if form.funding is None or (form.kind == "target_report" and not rules.spec.funding.rows):
        return None
    rows: list[FundingRowResult] = []
    trace: list[TraceStep] = []
    explanations: list[str] = []
    total_weight = ZERO
    total_score: Decimal | None = ZERO
    first: tuple[FundingRow | None, str] | None = None
    for rule in rules.spec.funding.rows:
        row, basis = _pick_row(form, rule.match, rules)
        fallback = _fallback(row, rules) if not _has_amounts(row) else None
        if fallback is not None:
            row = fallback
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
            rows.append(_funding_row_result(
                label=basis, annual_budget=row.annual_budget if row else None,
                executed=row.executed if row else None, execution_rate=None, reported_rate=reported_rate,
                weight=weight, reported_score=reported_score, computed_score=None, budget=None))
            explanations.append(f"{basis}: no 全年预算数/全年执行数 to score")
            total_score = None
            continue
        env = {"executed": row.executed, "annual_budget": row.annual_budget,
               "initial_budget": _initial(row) or ZERO,
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
                explanations.append(f"{basis}: {printed(row.executed)} spent against a 全年预算数 of 0: {rules.name} "
                                    f"gives no execution rate ({rules.funding_rate.source}) → {printed(computed)} of "
                                    f"{printed(weight)}")
                if total_score is not None:
                    total_score += computed
            else:
                computed = None
                explanations.append(f"{basis}: {exc}")
                total_score = None
            rows.append(_funding_row_result(
                label=basis, annual_budget=row.annual_budget, executed=row.executed, execution_rate=None,
                reported_rate=reported_rate, weight=weight, reported_score=reported_score, computed_score=computed,
                budget=None))
            continue
        computed = rules.round(min(max(raw, ZERO), weight))
        percent = rules.round(rate * HUNDRED)
        rows.append(_funding_row_result(
            label=basis, annual_budget=row.annual_budget, executed=row.executed, execution_rate=percent,
            reported_rate=reported_rate, weight=weight, reported_score=reported_score, computed_score=computed,
            budget="initial_budget" if fallback is not None else None))
        on = " (no 全年预算数: rated on the 年初预算数, funding.fallback)" if fallback is not None else ""
        explanations.append(f"{basis}: {printed(row.executed)}/{printed(row.annual_budget)}{on} = "
                            f"{printed(percent)}% → {printed(computed)} of {printed(weight)}")
        if total_score is not None:
            total_score += computed
        if explain:
            trace.append(TraceStep(rule="funding.rate", cite=rules.cite(rules.spec.funding.cite),
                                   inputs={k: printed(v) for k, v in env.items() if k != "rate"},
                                   formula=rules.funding_rate.source, result=printed(rate)))
            trace.append(TraceStep(rule="funding.formula", cite=rules.cite(rules.spec.funding.cite),
                                   inputs={"rate": printed(rate), "weight": printed(weight)},
                                   formula=rules.funding_formula.source, result=printed(computed)))
    if not rows:
        return None
    main = rows[0]
    printed_scores = [r.reported_score for r in rows if r.reported_score is not None]
    reported_total_score = sum(printed_scores, ZERO) if len(printed_scores) == len(rows) else None
    return _funding_result(
        annual_budget=main.annual_budget, executed=main.executed, execution_rate=main.execution_rate,
        reported_rate=main.reported_rate, weight=total_weight, reported_score=reported_total_score,
        computed_score=rules.round(total_score) if total_score is not None else None,
        basis=first[1] if first else None, explanation="; ".join(explanations), rows=rows, trace=trace)


