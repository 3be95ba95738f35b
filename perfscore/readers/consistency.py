"""How well a reading of a form agrees with itself: the measure used to choose among candidate readings.

A table that lost its structure can often be read more than one way (by its tab columns or by what the
cells hold). The reading to keep is the one with the fewest contradictions of the form's own structure and
arithmetic: a value or a level label where the 三级指标 name belongs, a score above its weight, scores that
do not add up to the printed 总分, a 执行率 that is not 全年执行数 / 全年预算数, cells left unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from perfscore.model import Form

_TOLERANCE = Decimal("0.6")
_VALUE = re.compile(r"^\s*+(?:[≥≤=<>]\s*+)?[+-]?\d++(?:\.\d++)?\s*+(?:%|分)?\s*+$")


def anomalies(forms: Iterable[Form]) -> int:
    """How many contradictions a reading holds (0 for a form that agrees with itself)."""
    return sum(_form(form) for form in forms)


def _form(form: Form) -> int:
    count = 0 if form.indicators else 3
    points = Decimal(0)
    for ind in form.indicators:
        name = (ind.level3 or "").strip()
        if not name or _VALUE.match(name) or name.endswith("指标"):
            count += 1
        if ind.weight is not None and ind.score is not None and not 0 <= ind.score <= ind.weight:
            count += 1
        points += ind.score or 0
    funding = form.funding.total if form.funding else None
    if form.funding is not None and (funding is None or funding.score is None) and form.funding.breakdown:
        funding = form.funding.breakdown[0]  # a blank 资金总额 row: the 其中 row carries the figures
    if funding is not None:
        if funding.annual_budget and funding.executed is not None and funding.execution_rate is not None:
            if abs(funding.executed / funding.annual_budget * 100 - funding.execution_rate) > 1:
                count += 1
        points += funding.score or 0
    if form.reported_total is not None and points and abs(points - form.reported_total) > _TOLERANCE:
        count += 1
    return count + sum(1 for note in form.read_notes if note.code == "read-incomplete")
