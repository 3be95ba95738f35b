"""Dates in value cells: a 时效指标 target (``2023年12月底前``, ``12月底之前完成``) and its actual (``12月25日``,
``2023年10月``), read as a day so that they can be scored by the direction of time.

The value parser reads these cells as qualitative words (``time.patterns`` in the vocabulary) or not at
all; the scorer asks here only when both a target and an actual are words, so no number cell pays for it.
A date without a year takes the other side's (or, with neither, one year for both: only the order counts).
A month with no day stands for its last day (底/末 too), 上旬/中旬 for the 10th/20th.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import NamedTuple

from perfscore.numerals import chinese_number

__all__ = ["When", "read_when"]

_MONTH = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_TAIL = r"(?P<before>前|之前|以前)?(?:完成|支付|拨付|发放|到位)?"
_PATTERNS = (
    re.compile(rf"(?:(?P<y>\d{{4}})年)?{_MONTH}月份?(?:(?P<d>[0-3]?\d)[日号])?(?P<part>底|末|上旬|中旬|下旬)?{_TAIL}"),
    re.compile(rf"(?P<y>\d{{4}})[./-]{_MONTH}(?:[./-](?P<d>[0-3]?\d))?{_TAIL}"),
    re.compile(rf"(?P<y>\d{{4}})年(?:度)?(?P<part>底|末)?{_TAIL}"),
)
_PARTS = {"上旬": 10, "中旬": 20}
ANY_YEAR = 2001  # a year that is not a leap year, for two dates that print none


class When(NamedTuple):
    """A date as printed: its year (None when not printed), month and day."""

    year: int | None
    month: int
    day: int | None  # None: the end of the month

    def on(self, year: int) -> date:
        y = self.year if self.year is not None else year
        last = calendar.monthrange(y, self.month)[1]
        return date(y, self.month, min(self.day or last, last))


def read_when(normalised: str) -> When | None:
    """The date a cell states, or None when it states none (or an impossible one: 13月, 2月31日 is the 28th)."""
    for pattern in _PATTERNS:
        m = pattern.fullmatch(normalised)
        if m is None:
            continue
        groups = m.groupdict()
        year = int(groups["y"]) if groups.get("y") else None
        month_text = groups.get("m")
        if month_text is None:  # 2023年底前: the year's last day
            return When(year, 12, None) if year is not None else None
        month = int(month_text) if month_text.isdigit() else chinese_number(month_text)
        if month is None or not 1 <= month <= 12:
            return None
        day_text, part = groups.get("d"), groups.get("part")
        day = int(day_text) if day_text else _PARTS.get(part or "")
        if day is not None and not 1 <= day <= 31:
            return None
        return When(year, month, day)
    return None


def days_from_start(target: When, actual: When) -> tuple[int, int]:
    """(target, actual) as days counted from the first of January of the target's year (the 1st is day 1)."""
    year = target.year if target.year is not None else actual.year if actual.year is not None else ANY_YEAR
    start = date(year, 1, 1).toordinal() - 1
    actual_year = actual.year if actual.year is not None else year
    return target.on(year).toordinal() - start, actual.on(actual_year).toordinal() - start
