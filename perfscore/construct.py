"""Building pydantic models without validation, for the hot paths.

The scorer builds its results from validated forms, and the JSON Lines reader wraps a validated form
in a document: validating again would only cost time. ``model_construct`` is generic and several times
slower than what is here, which sets the instance's dict and pydantic's three slots directly. What it
builds is an ordinary model instance, equal to and dumped like one built by pydantic (same fields set).

One way per model on the hot path: `maker(cls)` gives a function taking every field of the model as a
required keyword argument (generated from ``cls.model_fields``, so a field added to the model is a
parameter at once, and a caller that does not give it fails with a TypeError).
``tests/test_construct.py`` checks every maker against pydantic's validation, property tests included.
`constructor` (a dict of every field, in order) is kept for the readers that use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["build", "constructor", "maker"]

M = TypeVar("M", bound=BaseModel)

# BaseModel's four slots, set through their descriptors: a third faster than object.__setattr__ by name
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_MAKERS: dict[type, Callable[..., Any]] = {}


def maker(cls: type[M]) -> Callable[..., M]:
    """``cls(**fields)`` without validation: a generated function with one required keyword-only parameter
    per field (the hot paths give every field, by name; a field added to the model is a parameter at once,
    and a caller that does not give it fails with a TypeError instead of building a model without it). The
    instance's fields set is every field, as pydantic's own would be. For some fields only, `build`."""
    made = _MAKERS.get(cls)
    if made is None:
        made = _MAKERS[cls] = _generate(cls)
    return made


def _generate(cls: type[M]) -> Callable[..., M]:
    names = list(cls.model_fields)
    for name in names:
        if not name.isidentifier() or name.startswith("_"):  # pragma: no cover - no such field in perfscore
            raise TypeError(f"{cls.__name__}.{name}: not a plain field name")
    env: dict[str, Any] = {"new": cls.__new__, "cls": cls, "set_dict": _set_dict, "set_fields": _set_fields_set,
                           "set_extra": _set_extra, "set_private": _set_private,
                           # one fields set shared by every instance: pydantic only ever adds names to it,
                           # and all are in it
                           "ALL": set(names)}
    source = (f"def make_{cls.__name__}(*, {', '.join(names)}):\n"
              "    obj = new(cls)\n"
              "    set_dict(obj, {" + ", ".join(f"{n!r}: {n}" for n in names) + "})\n"
              "    set_fields(obj, ALL)\n    set_extra(obj, None)\n    set_private(obj, None)\n    return obj\n")
    exec(source, env)  # the source is made of the model's own field names only
    made: Callable[..., M] = env[f"make_{cls.__name__}"]
    return made


def build(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)``, faster, for some of the fields: those left out get their defaults
    (a fresh object from a default factory) and are left out of the fields set, as pydantic does."""
    fields = cls.model_fields
    data = {}
    for name, info in fields.items():
        if name in values:
            data[name] = values[name]
        else:
            data[name] = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    obj = cls.__new__(cls)
    _set_dict(obj, data)
    _set_fields_set(obj, set(values) & set(fields))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def constructor(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """A builder for one class from a dict holding every field, in field order (the readers' JSON Lines
    path, which has such a dict from validation). Result models use `maker`."""
    fields_set = set(cls.model_fields)  # shared, as in `maker`
    new = cls.__new__

    def make(data: dict[str, Any]) -> M:
        obj = new(cls)
        _set_dict(obj, data)
        _set_fields_set(obj, fields_set)
        _set_extra(obj, None)
        _set_private(obj, None)
        return obj

    return make
