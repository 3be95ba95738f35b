"""A parsed value cell: `ParsedValue`, what the value parser (`perfscore.values`) gives for a cell, and
what the scorer and the audit read (`perfscore.scored.Outcome` holds two)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Context, Decimal, InvalidOperation
from typing import Any, NamedTuple

from perfscore.vocabulary import Alias

__all__ = ["ParsedValue", "comparison_value", "scale"]

_EXACT = Context(prec=80)
_ONE = Decimal(1)


class ParsedValue(NamedTuple):
    """A typed reading of one value cell. ``text`` is the cell as printed ('' for None).

    A named tuple, not a frozen dataclass: it is immutable (parsed values are cached and shared) and
    builds in a fifth of the time, which counts for the thousands of new strings of a large batch.
    """

    text: str
    kind: str  # "comparison" | "range" | "qualitative" | "missing" | "unparsed"
    operator: str | None = None  # canonical operator, None when none was printed
    number: Decimal | None = None  # as printed ("1,035.8" → 1035.8); for "±N" the N
    unit: str | None = None  # as printed after normalisation ("万元", "百分比", "台")
    low: Decimal | None = None  # range bounds
    high: Decimal | None = None
    category: str | None = None  # "achieved" | "partial" | "not_achieved" | "target_word"
    term: str | None = None  # vocabulary term matched (missing: the entry matched)
    reason: str | None = None  # unparsed: why
    aliases: tuple[Alias, ...] = ()
    # Beyond the core API: the unit's base dimension and the factor into it, and the normalised text.
    base_unit: str | None = None
    factor: Decimal | None = None
    normalised: str = ""
    # A comparison's number converted into the base unit, worked out once when parsing: the scorer
    # and the audit ask for it for every indicator they read (see ``in_base``).
    base_number: Decimal | None = None

    @property
    def is_number(self) -> bool:
        """A comparison with a number (with or without an operator)."""
        return self.kind == "comparison" and self.number is not None

    def in_base(self) -> tuple[str | None, Decimal | None]:
        """(base unit, number converted into it); (None, number) without a unit.

        ``≤1810000元`` → ("万元", 181); ``≥100百分比`` → ("%", 100). Ranges and non-numbers give
        (base unit, None).
        """
        n = self.base_number
        if n is not None or self.number is None or self.kind != "comparison":
            return self.base_unit, n
        return self.base_unit, scale(self.number, self.factor)  # built without base_number

    def bounds_in_base(self) -> tuple[str | None, Decimal | None, Decimal | None]:
        """For a range: (base unit, low, high) converted into the base unit."""
        return (self.base_unit,
                None if self.low is None else scale(self.low, self.factor),
                None if self.high is None else scale(self.high, self.factor))


def scale(n: Decimal, factor: Decimal | None) -> Decimal:
    """n × factor, exact, without trailing zeros introduced by the factor (181.0000 → 181)."""
    if factor is None or factor == _ONE:
        return n
    try:
        r = _EXACT.multiply(n, factor)
        if r == r.to_integral_value():
            return r.quantize(Decimal(1), context=_EXACT)
        return r.normalize(_EXACT)
    except (InvalidOperation, ArithmeticError):  # pragma: no cover - absurd magnitudes only
        return n * factor


def positional(cls: type[ParsedValue], *names: str) -> Callable[..., ParsedValue]:
    """A builder of `cls` from the fields `names`, given positionally in that order, the others at their
    defaults: as fast as ``cls._make`` of a whole tuple (a third of building by keywords; most new cells
    are built here), but by name: a field added to `cls` takes its default, and a name that is not a field,
    or a field without a default left out, fails when the module loads."""
    fields = cls._fields
    unknown = [n for n in names if n not in fields]
    required = [f for f in fields if f not in names and f not in cls._field_defaults]
    if unknown or required:  # pragma: no cover - a mistake in this module, found at import
        raise TypeError(f"{cls.__name__}: not fields {unknown}, required fields not given {required}")
    env: dict[str, Any] = {"_new": tuple.__new__, "_cls": cls}
    env.update({f"_default_{f}": cls._field_defaults.get(f) for f in fields if f not in names})
    items = ", ".join(f if f in names else f"_default_{f}" for f in fields)
    exec(f"def build_{cls.__name__}({', '.join(names)}):\n    return _new(_cls, ({items},))\n", env)
    built: Callable[..., ParsedValue] = env[f"build_{cls.__name__}"]
    return built


# a comparison as the parser reads it (`values._numeric`): the fields it has, in this order
comparison_value = positional(ParsedValue, "text", "kind", "operator", "number", "unit", "aliases", "base_unit",
                              "factor", "normalised", "base_number")
