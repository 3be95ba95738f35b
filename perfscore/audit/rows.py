"""Indicator checks that depend on the form as well as the row's values, so they are not memoised with
`audit.indicators.indicator_findings`: the 年初 and 调整后 targets (the memo key holds the one in force),
a cost against the form's funding block, a target of 0 on a kind that must be a floor, and operator
aliases gathered over the whole form (one finding per alias, naming its cells)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from perfscore.audit.sink import d, pairs
from perfscore.catalogue import ABSURD_TARGET, COST_CONTRADICTS_FUNDING, OPERATOR_ALIAS, TARGET_ADJUSTED, TARGET_LOWERED
from perfscore.labels import compact
from perfscore.library import IndicatorKind
from perfscore.model import Form, Indicator
from perfscore.scored import Outcome

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["check_row", "operator_aliases"]

Row = tuple[str, str, tuple[tuple[str, str], ...]]  # code, message, numbers
CEILINGS = ("<=", "<")
UNKNOWN = object()  # `check_row`'s kind when the caller has not looked it up


class Figures(NamedTuple):
    """What a cost is compared with: the largest budget the funding block prints and its 全年执行数 (万元)."""

    budget: Decimal | None
    executed: Decimal | None


def funding_figures(form: Form) -> Figures | None:
    """The funding block's figures for the cost check, worked out once per form; None without amounts."""
    funding = form.funding
    if funding is None:
        return None
    row = next((r for r in funding.rows() if r.annual_budget or r.executed), None)
    if row is None:
        return None
    budgets = [x for x in (row.annual_budget, row.initial_budget, row.budget_compiled, row.target_declared)
               if x is not None]
    return Figures(max(budgets) if budgets else None, row.executed)


def check_row(figures: Callable[[], Figures | None], ind: Indicator, outcome: Outcome, rules: Rules,
              kind: object = UNKNOWN) -> Iterator[Row]:
    """Findings about one row that read more than its values (called only for rows that may have one).
    `figures` gives the form's funding figures, asked for only when a cost row needs them (most forms have
    none); `kind` is the row's indicator kind when the caller has looked it up already."""
    adjusted, initial = ind.adjusted_target, ind.initial_target
    if adjusted and initial and adjusted != initial and compact(adjusted) != compact(initial):  # (equal: no need)
        yield from _adjusted(ind, outcome, rules)
    target = outcome.target
    if not target.is_number or not (target.base_unit == "万元" or target.base_number == 0):
        return
    if kind is UNKNOWN:
        kind = rules.library.kind_of(ind.level1, ind.level2, ind.level3)
    if not isinstance(kind, IndicatorKind):
        return
    if kind.name == "cost":
        form_figures = figures()
        if form_figures is not None:
            yield from _cost_against_funding(form_figures, outcome)
    _, t = target.in_base()
    if t == 0 and target.operator in ("=", None) and not set(kind.expected) & set(CEILINGS):
        yield (ABSURD_TARGET, f"{kind.title} target {target.text!r} is 0: nothing to achieve",
               pairs({"target": target.text, "kind": kind.name}))


def _adjusted(ind: Indicator, outcome: Outcome, rules: Rules) -> Iterator[Row]:
    initial, adjusted, actual = rules.vocabulary.parse(ind.initial_target), outcome.target, outcome.actual
    numbers: dict[str, object] = {"initial": ind.initial_target, "adjusted": ind.adjusted_target}
    if initial.is_number and adjusted.is_number and actual.is_number and rules.vocabulary.comparable(initial, adjusted):
        _, i = initial.in_base()
        _, t = adjusted.in_base()
        _, a = actual.in_base()
        if i is not None and t is not None and a is not None:
            ceiling = adjusted.operator in CEILINGS
            easier = t > i if ceiling else t < i
            meets_adjusted = a <= t if ceiling else a >= t
            meets_initial = a <= i if ceiling else a >= i
            if easier and meets_adjusted and not meets_initial:
                yield (TARGET_LOWERED, f"调整后指标值 {ind.adjusted_target} is easier than 年初指标值 "
                       f"{ind.initial_target}, and the actual {actual.text} meets only the adjusted one",
                       pairs({**numbers, "actual": actual.text}))
                return
    yield (TARGET_ADJUSTED, f"年初指标值 {ind.initial_target} was adjusted to {ind.adjusted_target}", pairs(numbers))


def _cost_against_funding(figures: Figures, outcome: Outcome) -> Iterator[Row]:
    budget, executed = figures
    target, actual = outcome.target, outcome.actual
    if target.base_unit == "万元" and budget:
        _, t = target.in_base()
        if t is not None and t > budget:
            yield (COST_CONTRADICTS_FUNDING, f"cost target {target.text} ({d(t)}万元) is above the funding block's "
                   f"budget {d(budget)}万元", pairs({"cost": t, "budget": budget, "value": target.text}))
            return
    if actual.base_unit == "万元" and executed is not None and actual.base_number is not None \
            and actual.base_number > 0 and actual.base_number > executed * Decimal("1.0001"):
        a = actual.base_number
        yield (COST_CONTRADICTS_FUNDING, f"cost actual {actual.text} ({d(a)}万元) is above the 全年执行数 "
               f"{d(executed)}万元", pairs({"cost": a, "executed": executed, "value": actual.text}))


def operator_aliases(rows: list[tuple[Indicator, Outcome]]) -> Iterator[Row]:
    """One operator-alias finding per alias on the form, with the cells it was read in (`rows`: those with one)."""
    cells: dict[tuple[str, str], list[str]] = {}
    for ind, outcome in rows:
        for which, parsed in (("target", outcome.target), ("actual", outcome.actual)):
            for alias in parsed.aliases:
                cells.setdefault((alias.found, alias.means), []).append(f"{ind.level3} {which} {parsed.text}")
    for (found, means), where in cells.items():
        yield (OPERATOR_ALIAS, f"{found!r} read as {means} in {len(where)} cell{'s' if len(where) > 1 else ''}: "
               + "; ".join(where), pairs({"found": found, "means": means, "cells": len(where)}))
