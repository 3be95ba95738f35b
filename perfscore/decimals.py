"""Decimals as people write them in messages and tables, and the limits of a number perfscore works with.

A form's figures are amounts in 万元/元, points and percentages: nothing real comes near 10¹³ or, when
not zero, 10⁻³⁰. Beyond those, Decimal arithmetic stops being harmless: a 33-digit value cannot be
rounded to 0.01 in the default precision (`InvalidOperation`), ``1e999999999`` overflows any sum, and
printing it without an exponent takes a gigabyte. So every number read from a form (the value parser's,
the form model's) and every constant of a rule formula is checked against these limits, defined here once.
"""

from __future__ import annotations

from decimal import Decimal

from perfscore.caches import BoundedCache

MAX_EXPONENT = 12  # a number's leading digit is at most 10^12: below 10^13 in size (formula constants too)
MIN_EXPONENT = -30  # and at least 10^-30 unless zero: room for float noise (5.55e-17), no more
MAX_MAGNITUDE = Decimal(10) ** (MAX_EXPONENT + 1)  # what that is in size: |number| < 1e13
RANGE_TEXT = "0 or between 1e-30 and 1e13 in size"  # the limits as error messages state them

_CACHE_LIMIT = 50_000
PLAIN_DIGITS = 60  # a number further from 1 than 10^±60 is printed with its exponent


def in_range(value: Decimal) -> bool:
    """Whether a number is within the limits (see the module docstring): finite, below `MAX_MAGNITUDE` in
    size and, unless zero, at least 10^`MIN_EXPONENT`; a zero's exponent is held to the same bounds (0E-999999999
    would print as a gigabyte of zeros). One method call: it runs for every number of every form read."""
    return value.is_finite() and MIN_EXPONENT <= value.adjusted() <= MAX_EXPONENT


_plain_cache: BoundedCache[Decimal, str] = BoundedCache(_CACHE_LIMIT)


def plain(value: Decimal | None, empty: str = "") -> str:
    """``5.50`` → ``5.5``, ``1E+2`` → ``100``. A function of the value alone (5 and 5.0 read the same),
    so it is cached by value: a batch formats the same weights and scores over and over."""
    if value is None:
        return empty
    try:
        return _plain_cache[value]
    except KeyError:
        pass
    except TypeError:  # a signalling NaN cannot be hashed
        return _format(value)
    return _plain_cache.put(value, _format(value))


def printed(value: Decimal | None) -> str:
    """A Decimal as the scorer's explanations print it: ``str`` (trailing zeros kept: 5.50 stays 5.50),
    never in E notation unless beyond `PLAIN_DIGITS` (a rate of 1E+40 %), which would be a wall of
    zeros; "—" for None. (``str`` is three times faster than ``format``, and is what it gives without an E.)"""
    if value is None:
        return "—"
    text = str(value)
    if "E" not in text or not -PLAIN_DIGITS <= value.adjusted() <= PLAIN_DIGITS:
        return text
    return format(value, "f")


def _format(value: Decimal) -> str:
    if not (value.is_finite() and -PLAIN_DIGITS <= value.adjusted() <= PLAIN_DIGITS):
        # 1E+999999999 as such: without its exponent it would be a gigabyte of zeros (0E-999999999 is 0)
        return "0" if value.is_zero() else str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
