"""Printed numbers, for every reader: one parser, and the repair of numbers that extraction garbled.

:func:`parse_decimal` reads what a cell prints (``1,035.8``, ``99.99%``, ``10分``, full-width digits) and says
whether it had to drop stray separators. A *garbled* number is a run of digits and separators that no
person typed, produced by PDF/Word extraction (``79.98852.24``): its digits are right, its decimal point is
lost. :func:`repair` puts the point back so that the value agrees with figures printed nearby or
elsewhere in the document (:func:`long_figures`); the layout interpreter records each such choice.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

_GARBLED = re.compile(r"^\d[\d.,]*\d$")
_CLEAN = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SUFFIX = re.compile(r"(?:%|％|分|万元|元)$")
_SPACES = " \t\u3000\u00a0\r\n"


_MISSING = {"", "-", "--", "—", "——", "–", "/", "／", "\\", "…", "……", "...", "无", "未填报", "不适用",
            "n/a", "N/A", "NA", "空"}
_FILLER = re.compile(r"[-—–/\\.…·_~～]+")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_REPAIRABLE = re.compile(r"[+-]?(?<![,.])[,.]*+\d[\d,.]*+")  # [\d,.]* with a digit, read in one pass
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_UNIT_TAIL = re.compile(r"(?:%|％|‰|分|万元|元|万|个百分点|百分点)$")


def parse_decimal(text: str | None) -> tuple[Decimal | None, str | None]:
    """Read a printed number: ``(value, status)``; status is None, ``"repaired"`` or ``"unreadable"``.

    Strips spaces, ``%``, ``分``, ``万元``/``元``, currency signs and thousands separators; full-width
    digits are accepted. Blank and the usual "missing" marks (``/``, ``-``, ``……``) give ``(None, None)``.
    Separators in impossible places (``3,21.0,13328``) are dropped and reported as repaired.
    """
    if text is None:
        return None, None
    t = unicodedata.normalize("NFKC", str(text)).strip()
    t = re.sub(r"\s+", "", t)
    if t in _MISSING or _FILLER.fullmatch(t):
        return None, None
    t = t.lstrip("¥￥$")
    for _ in range(2):
        t = _UNIT_TAIL.sub("", t)
    if t in _MISSING:
        return None, None
    try:
        if _NUMBER.fullmatch(t):
            return Decimal(t.replace(",", "")), None
        if _REPAIRABLE.fullmatch(t) and _PLAIN_NUMBER.fullmatch(t.replace(",", "")):
            return Decimal(t.replace(",", "")), "repaired"
    except InvalidOperation:  # pragma: no cover - the patterns only admit valid numbers
        pass
    return None, "unreadable"


def _core(text: str | None) -> str:
    s = unicodedata.normalize("NFKC", text or "").strip(_SPACES)
    return _SUFFIX.sub("", s).strip(_SPACES)


def is_garbled(text: str | None) -> bool:
    """Digits with separators that cannot be a typed number (``3,21.0,13328``, ``79.98852.24``)."""
    s = _core(text)
    return bool(s) and not _CLEAN.match(s) and bool(_GARBLED.match(s)) and any(c in s for c in ".,")


def _parse_clean(text: str) -> Decimal | None:
    s = _core(text)
    return Decimal(s.replace(",", "")) if _CLEAN.match(s) else None


def candidates(text: str) -> list[Decimal]:
    """Every value the digits of a garbled number can take, one per decimal-point position."""
    digits = re.sub(r"\D", "", _core(text))
    out: list[Decimal] = []
    for i in range(1, len(digits) + 1):
        whole, frac = digits[:i], digits[i:]
        if len(whole) > 1 and whole.startswith("0"):
            continue
        out.append(Decimal(f"{whole}.{frac}" if frac else whole))
    return out


def _log_distance(a: Decimal, b: Decimal) -> float:
    if a <= 0 or b <= 0:
        return math.inf
    return abs(math.log10(float(a)) - math.log10(float(b)))


def _digits(value: Decimal) -> str:
    """Significant digits of a figure: ``79.988524`` → ``79988524``."""
    return re.sub(r"\D", "", format(value.normalize(), "f")).strip("0")


def repair(text: str, refs: Iterable[Decimal], agree: Callable[[Decimal], bool] | None = None,
           loose_refs: Iterable[Decimal] = ()) -> tuple[Decimal | None, str]:
    """Value of a garbled number and how it was chosen.

    1. a candidate equal to a figure printed nearby (``refs``, e.g. the breakdown ``321.013328``), or
       printed elsewhere in the document (``loose_refs``);
    2. else, when ``agree`` is given, the one candidate for which ``agree(value)`` is true (e.g. the
       execution rate it implies matches the printed rate);
    3. else a long figure printed elsewhere whose digits are the garbled digits less one stray digit
       (``79.98852.24`` → ``79.988524``), of the same magnitude as the figures nearby;
    4. else the candidate closest in magnitude to the figures nearby.
    Returns (None, reason) when nothing can be said.
    """
    cands = candidates(text)
    if not cands:
        return None, "no digits"
    near = [r for r in refs if r is not None and r > 0]
    far = [r for r in loose_refs if r is not None and r > 0]
    for pool, where in ((near, "printed nearby"), (far, "printed elsewhere in the document")):
        for c in cands:
            for r in pool:
                if c == r:
                    return c, f"equals the figure {r} {where}"
    if agree is not None:
        agreeing = [c for c in cands if agree(c)]
        if len(agreeing) == 1:
            return agreeing[0], "agrees with the printed execution rate"
    digits = re.sub(r"\D", "", _core(text))
    shorter = {digits[:i] + digits[i + 1:] for i in range(len(digits))}
    for r in sorted(set(near + far)):
        rd = _digits(r)
        if len(rd) >= 6 and rd in shorter and (not near or min(_log_distance(r, n) for n in near) < 0.5):
            return r, f"its digits are those of {r} printed elsewhere, less one stray digit"
    if near:
        best = min(cands, key=lambda c: min(_log_distance(c, r) for r in near))
        return best, "decimal point placed to match the magnitude of the figures nearby"
    return None, "no figure nearby to place the decimal point"


def long_figures(text: str) -> list[Decimal]:
    """Clean figures with at least six significant digits printed anywhere in ``text`` (repair references)."""
    out: set[Decimal] = set()
    # possessive digit runs: a run given back one digit at a time would re-scan the rest of the text
    for m in re.finditer(r"(?<![\d.,])\d[\d,]*+\.\d++(?![.,]*+\d)|(?<![\d.,])\d{6,}+(?![\d.,])", text):
        value = _parse_clean(m.group(0))
        if value is not None and len(_digits(value)) >= 6:
            out.add(value)
    return sorted(out)
