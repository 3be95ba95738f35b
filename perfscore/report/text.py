"""Display helpers shared by the text writers: numbers as printed, CJK-aware truncation, controls shown
escaped (`safe.term_text`) so a form cannot drive the terminal."""

from __future__ import annotations

from decimal import Decimal

from wcwidth import wcswidth, wcwidth

from perfscore.decimals import plain
from perfscore.report.safe import term_text


def num(value: Decimal | None) -> str:
    """A Decimal as a person writes it: no exponent, no trailing zeros beyond what matters."""
    return plain(value)


def clip(text: str | None, width: int) -> str:
    """Cut text to `width` terminal columns (a CJK character takes two), marking the cut with …; controls
    are escaped first, so the width measured is the width shown."""
    text = " ".join(term_text(text).split())
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
