"""Indicator checks that read more than the values the scorer keys an outcome by: the 年初 target beside the
adjusted one in force, the indicator's kind (a target of 0 on a kind that must be a floor), a cost against
the form's funding block, and operator aliases gathered over the whole form (one finding per alias, naming
its cells).

All but the cost check are the same for the same values, target and kind on any form, so
`audit.indicators.indicator_findings` gives them, memoised (`row_checks`); for a cost it gives a `CostProbe`,
the row's amounts in 万元, which `cost_findings` compares with each form's own funding figures."""

from __future__ import annotations

from collections.abc import Iterator
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

__all__ = ["COST_PROBE", "CostProbe", "Figures", "Row", "cost_findings", "funding_figures",
           "operator_aliases", "row_checks"]

Row = tuple[str, str, tuple[tuple[str, str], ...]]  # code, message, numbers
CEILINGS = ("<=", "<")
SLACK = Decimal("1.0001")  # an actual cost this far above the 全年执行数 is a rounding of the same amount


class Figures(NamedTuple):
    """What a cost is compared with: the largest budget the funding block prints and its 全年执行数 (万元)."""

    budget: Decimal | None
    executed: Decimal | None


# A cost row's amounts in 万元 (None where not a positive amount in 万元) and its texts as printed: all
# `cost_findings` needs of the row, worked out once for its values and memoised with its findings. A plain
# tuple led by `COST_PROBE`, not a NamedTuple: the collector stops tracking an exact tuple of numbers and text,
# never a subclass's, and memo entries that stay tracked make a batch's full collections come sooner.
CostProbe = tuple[str, Decimal | None, Decimal | None, str, str]
COST_PROBE = "cost-probe"


def funding_figures(form: Form) -> Figures | None:
    """The funding block's figures for the cost check, worked out once per form (and only for a form with a
    cost row); None without amounts. The first row with amounts: 资金总额, else the first 其中 row."""
    funding = form.funding
    if funding is None:
        return None
    row = funding.total
    if row is None or not (row.annual_budget or row.executed):
        row = next((r for r in funding.breakdown if r.annual_budget or r.executed), None)
        if row is None:
            return None
    budgets = [x for x in (row.annual_budget, row.initial_budget, row.budget_compiled, row.target_declared)
               if x is not None]
    return Figures(max(budgets) if budgets else None, row.executed)


def row_checks(outcome: Outcome, initial: str | None, kind: IndicatorKind | None,
               rules: Rules) -> list[Row | CostProbe]:
    """What the row's 年初 target (`initial`, given only when an adjusted target differs from it) and its kind
    say beside its values, in the order they are reported: the adjustment, the cost (a probe, which
    `cost_findings` compares with the form's funding figures), a target of 0 on a kind that must be a floor."""
    out: list[Row | CostProbe] = []
    target = outcome.target
    adjusted = outcome.key.target
    if initial and adjusted and compact(adjusted) != compact(initial):
        out.extend(_adjusted(initial, adjusted, outcome, rules))
    if kind is None or not target.is_number or not (target.base_unit == "万元" or target.base_number == 0):
        return out
    if kind.name == "cost":
        probe = _probe(outcome)
        if probe is not None:
            out.append(probe)
    _, t = target.in_base()
    if t == 0 and target.operator in ("=", None) and not set(kind.expected) & set(CEILINGS):
        out.append((ABSURD_TARGET, f"{kind.title} target {target.text!r} is 0: nothing to achieve",
                    pairs({"target": target.text, "kind": kind.name})))
    return out


def _adjusted(initial_text: str, adjusted_text: str, outcome: Outcome, rules: Rules) -> Iterator[Row]:
    initial, adjusted, actual = rules.vocabulary.parse(initial_text), outcome.target, outcome.actual
    numbers: dict[str, object] = {"initial": initial_text, "adjusted": adjusted_text}
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
                yield (TARGET_LOWERED, f"调整后指标值 {adjusted_text} is easier than 年初指标值 "
                       f"{initial_text}, and the actual {actual.text} meets only the adjusted one",
                       pairs({**numbers, "actual": actual.text}))
                return
    yield (TARGET_ADJUSTED, f"年初指标值 {initial_text} was adjusted to {adjusted_text}", pairs(numbers))


def _probe(outcome: Outcome) -> CostProbe | None:
    target, actual = outcome.target, outcome.actual
    t = target.in_base()[1] if target.base_unit == "万元" else None
    a = actual.base_number if actual.base_unit == "万元" else None
    if t is None and (a is None or not a > 0):
        return None
    return (COST_PROBE, t, a if a is not None and a > 0 else None, target.text, actual.text)


def cost_findings(probe: CostProbe, figures: Figures | None) -> Iterator[Row]:
    """A cost target above the form's largest budget, else a cost actual above its 全年执行数."""
    if figures is None:
        return
    budget, executed = figures
    _, t, a, target_text, actual_text = probe
    if t is not None and budget and t > budget:
        yield (COST_CONTRADICTS_FUNDING, f"cost target {target_text} ({d(t)}万元) is above the funding block's "
               f"budget {d(budget)}万元", pairs({"cost": t, "budget": budget, "value": target_text}))
        return
    if a is not None and executed is not None and a > executed * SLACK:
        yield (COST_CONTRADICTS_FUNDING, f"cost actual {actual_text} ({d(a)}万元) is above the 全年执行数 "
               f"{d(executed)}万元", pairs({"cost": a, "executed": executed, "value": actual_text}))


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
