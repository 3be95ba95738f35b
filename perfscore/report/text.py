"""Display helpers shared by the text writers: numbers as printed, CJK-aware truncation."""

from __future__ import annotations

from decimal import Decimal

from wcwidth import wcswidth, wcwidth

from perfscore.decimals import plain


def num(value: Decimal | None) -> str:
    """A Decimal as a person writes it: no exponent, no trailing zeros beyond what matters."""
    return plain(value)


def clip(text: str | None, width: int) -> str:
    """Cut text to `width` terminal columns (a CJK character takes two), marking the cut with …."""
    text = " ".join((text or "").split())
    if wcswidth(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = max(wcwidth(ch), 0)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"
