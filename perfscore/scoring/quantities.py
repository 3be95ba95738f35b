"""Targets and actuals that are not one number against another: a bare multiplier (``52万`` against
``≤50万元``), a unitless fraction against a ``%`` target (a unit question), a range target, and dates.

Each is scored as an evaluator reads it: 万 on a 万元 row is 万元; ``0.96`` against ``≥95%`` may be 0.96 %
or 96 %, so it is asked, not scored; a range is a floor below it and a ceiling above it; a date is a
deadline, scored by the direction of time (days from the first of January of the target's year).
"""

from __future__ import annotations

from decimal import Decimal

from perfscore.dates import When, days_from_start, read_when
from perfscore.decimals import printed
from perfscore.results import TraceStep
from perfscore.rules import Rules
from perfscore.scoring.methods import score_by_method
from perfscore.values import ParsedValue, Vocabulary

__all__ = ["align_multiplier", "date_score", "dates_of", "range_score", "unit_question"]

MULTIPLIERS = ("万", "千", "百", "亿")
ONE = Decimal(1)


def align_multiplier(vocab: Vocabulary, target: ParsedValue,
                     actual: ParsedValue) -> tuple[ParsedValue, ParsedValue, str | None]:
    """``52万`` against ``≤50万元`` is 52万元: a bare multiplier takes the other side's unit that starts with it.
    Gives both values and a note of what was assumed (None when nothing was)."""
    t, a = target.unit, actual.unit
    if not t or not a or t == a or target.base_unit == actual.base_unit:
        return target, actual, None
    if a in MULTIPLIERS and t.startswith(a):
        joined = vocab.parse(actual.normalised + t[len(a):])
        if joined.is_number:
            return target, joined._replace(text=actual.text), f"{a} read as {t}"
    if t in MULTIPLIERS and a.startswith(t):
        joined = vocab.parse(target.normalised + a[len(t):])
        if joined.is_number:
            return joined._replace(text=target.text), actual, f"{t} read as {a}"
    return target, actual, None


def unit_question(target: ParsedValue, actual: ParsedValue) -> str | None:
    """A unitless actual of at most 1 against a percentage target above 1 (``0.96`` or ``1`` against
    ``≥95%``): a fraction or a percentage? Scoring it either way would guess."""
    if target.base_unit != "%" or actual.unit is not None or actual.number is None:
        return None
    _, t = target.in_base()
    if t is None or t <= ONE or not ZERO < actual.number <= ONE:
        return None
    return (f"unit question: actual {actual.text} has no unit against the % target {target.text} "
            f"({actual.text} % or {printed(actual.number * 100)} %?)")


ZERO = Decimal(0)


def range_score(target: ParsedValue, actual: ParsedValue, weight: Decimal, rules: Rules,
                trace: list[TraceStep], explain: bool) -> tuple[str, Decimal | None, str]:
    """Inside the range: full. Below it: its low end as a floor (the `>=` method); above it: its high end as
    a ceiling (the `<=` method)."""
    base, lo, hi = target.bounds_in_base()
    assert lo is not None and hi is not None  # a range has both bounds
    a_lo: Decimal | None
    a_hi: Decimal | None
    if actual.kind == "range":
        other, a_lo, a_hi = actual.bounds_in_base()
    else:
        other, a_lo = actual.in_base()
        a_hi = a_lo
    assert a_lo is not None and a_hi is not None  # the caller's test: a range or a number
    if base is not None and other is not None and base != other:
        return "unscorable", None, f"units do not compare: {target.unit} vs {actual.unit}"
    if lo <= a_lo and a_hi <= hi:
        computed = rules.round(weight)
        if explain:
            trace.append(TraceStep(rule="scoring.range",
                                   inputs={"low": printed(lo), "high": printed(hi), "actual": actual.text},
                                   formula="weight if low ≤ actual ≤ high", result=printed(computed)))
        return "range", computed, f"actual {actual.text} within {target.text} → full {printed(weight)}"
    below = a_lo < lo
    operator = ">=" if below else "<="
    method = rules.method_by_operator.get(operator)
    if method is None:
        return "unscorable", None, f"actual {actual.text} outside the range {target.text}: no method for {operator}"
    edge, value = (lo, a_lo) if below else (hi, a_hi)
    assert value is not None
    name, scored, why = score_by_method(
        method, edge, value, weight, rules, trace, explain, label=f"range {target.text}",
        note=f"; {'below' if below else 'above'} the range: its {'low' if below else 'high'} end "
             f"{printed(edge)} scored as {'≥' if below else '≤'}")
    return ("range" if scored is not None else name), scored, why


def dates_of(target: ParsedValue, actual: ParsedValue) -> tuple[When, When] | None:
    """The two dates when a target and an actual both state one (``2023年12月底前``, ``12月25日``)."""
    if target.is_number or actual.is_number or target.kind == "missing" or actual.kind == "missing":
        return None
    t = read_when(target.normalised or target.text)
    if t is None:
        return None
    a = read_when(actual.normalised or actual.text)
    return None if a is None else (t, a)


def date_score(when: tuple[When, When], target: ParsedValue, actual: ParsedValue, weight: Decimal, rules: Rules,
               trace: list[TraceStep], explain: bool) -> tuple[str, Decimal | None, str]:
    """A date target is a deadline: done by it, full; late, the `<=` method on days from the first of
    January of the target's year."""
    method = rules.method_by_operator.get("<=")
    if method is None:
        return "unscorable", None, "no method for a deadline (<=)"
    t, a = days_from_start(*when)
    _, computed, why = score_by_method(
        method, Decimal(t), Decimal(a), weight, rules, trace, explain, label="deadline",
        note=" (days from 1 January)", shown=(f"{target.text} (day {t})", f"{actual.text} (day {a})"))
    return ("date" if computed is not None else "unscorable"), computed, why
