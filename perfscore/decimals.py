"""Decimals as people write them in messages and tables: no exponent, no trailing zeros."""

from __future__ import annotations

from decimal import Decimal

from perfscore.caches import forget_oldest

_CACHE_LIMIT = 50_000
_plain_cache: dict[Decimal, str] = {}


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
    if len(_plain_cache) >= _CACHE_LIMIT:
        forget_oldest(_plain_cache)
    text = _plain_cache[value] = _format(value)
    return text


def _format(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
