"""Decimals as people write them in messages and tables: no exponent, no trailing zeros."""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | None, empty: str = "") -> str:
    if value is None:
        return empty
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
