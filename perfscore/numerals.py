"""Counts written in Chinese numerals in a value cell (十二场, 两轮, 一百零五人), as an integer.

Written here rather than taken from a converter library (cn2an): a cell's count needs a dozen lines, and
the value parser is on every form's path, where an import of a general converter would cost start-up time.
"""

from __future__ import annotations

__all__ = ["chinese_number"]

_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_POWERS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """An integer written in Chinese numerals below 10⁸ (十二 → 12, 两 → 2, 一百零五 → 105, 三万 → 30000); None
    for anything else. Small on purpose: a cell's count, not a general converter (no 亿, no decimals)."""
    if text in ("零", "〇"):
        return 0
    total = section = 0
    digit: int | None = None
    for ch in text:
        if ch in "零〇":
            continue  # 一百零五: a gap in the places
        if ch in _DIGITS:
            if digit is not None:  # two digits in a row ("一二") is no number
                return None
            digit = _DIGITS[ch]
        elif ch in _POWERS:
            section += (1 if digit is None else digit) * _POWERS[ch]
            digit = None
        elif total or not (section or digit):  # 万: once, after a number
            return None
        else:
            total, section, digit = (section + (digit or 0)) * 10000, 0, None
    value = total + section + (digit or 0)
    return value or None
