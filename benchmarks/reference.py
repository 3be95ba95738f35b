"""A minimal reference scorer for the `ratio` benchmark: the national rules' arithmetic and nothing else.

Why: an absolute forms/s figure moves with the machine and its load; the cost of ``score()`` relative
to a scorer that does the least any scorer must do, measured in the same process on the same forms,
does not. This one reads each indicator's target and actual (operator, number, unit suffix), scores
正向/反向/`=` by ratio capped at the weight (the same text as the target: full), qualitative rows by the
national bands (the reported score kept within its band), funding as min(执行数 / 预算数, 1) × 10, and the
total and grade, in Decimal rounded half-up to 2 places. No audit, no findings, no explanations, no
provenance, no result model: a tuple. It is deliberately not perfscore's value parser (another
``≥95%`` reader in 40 lines), and it agrees with ``score()``'s total on most generated forms; the
benchmark prints how many.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO, ONE, TEN = Decimal(0), Decimal(1), Decimal(10)
_VALUE = re.compile(r"^\s*(≥|>=|>|≤|<=|<|=|＝|大于等于|不低于|不少于|小于等于|不高于|不超过|低于|少于"
                    r"|[^\d+\-.\s]{1,2})?\s*([-+]?\d+(?:\.\d+)?)\s*(%|％)?")
_POSITIVE = {"≥", ">=", ">", "大于等于", "不低于", "不少于"}
_REVERSE = {"≤", "<=", "<", "小于等于", "不高于", "不超过", "低于", "少于"}
_ACHIEVED = ("达成", "完成", "及时", "满意", "良好", "有效", "提高", "提升", "显著", "是", "无", "合格", "到位", "正常")
_PARTIAL = ("部分", "基本")


def _number(text: str | None) -> tuple[str | None, Decimal] | None:
    if not text:
        return None
    m = _VALUE.match(text)
    if m is None:
        return None
    try:
        return m.group(1), Decimal(m.group(2))
    except InvalidOperation:
        return None


def indicator_score(target: str | None, actual: str | None, weight: Decimal, reported: Decimal | None) -> Decimal:
    if target and target == actual:
        return weight
    t, a = _number(target), _number(actual)
    if t is not None and a is not None:
        op, goal = t
        got = max(a[1], ZERO)
        if op in _REVERSE:
            score = weight if got <= goal else (goal / got * weight if got else weight)
        elif goal == 0:
            score = weight if got >= 0 else ZERO
        else:
            score = weight if got >= goal else got / goal * weight
        return min(score, weight)
    text = actual or ""
    share = Decimal("0.7") if any(w in text for w in _PARTIAL) else ONE if any(w in text for w in _ACHIEVED) \
        else Decimal("0.3")
    low = Decimal("0.8") if share == ONE else Decimal("0.6") if share == Decimal("0.7") else ZERO
    high = ONE if share == ONE else Decimal("0.8") if share == Decimal("0.7") else Decimal("0.6")
    if reported is None:
        return share * weight
    return min(max(reported, low * weight), high * weight)  # the reported score, kept in its band


def reference_score(form) -> tuple[Decimal, str, Decimal]:
    """(total, grade, funding score) of one form."""
    funding = ZERO
    total_row = form.funding.total if form.funding else None
    if total_row and total_row.annual_budget:
        rate = (total_row.executed or ZERO) / total_row.annual_budget
        funding = min(rate, ONE) * TEN
    total = funding
    for ind in form.indicators:
        if ind.weight is None:
            continue
        target = ind.adjusted_target or ind.initial_target
        total += indicator_score(target, ind.actual, ind.weight, ind.score).quantize(CENT, ROUND_HALF_UP)
    total = total.quantize(CENT, ROUND_HALF_UP)
    grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    return total, grade, funding.quantize(CENT, ROUND_HALF_UP)
