"""Building pydantic models without validation, for the hot paths.

The scorer builds its results from validated forms, and the JSON Lines reader wraps a validated form
in a document: validating again would only cost time. ``model_construct`` is generic and several times
slower than these, which set the instance's dict and pydantic's three slots directly. What they build
is an ordinary model instance, equal to and dumped like one built by pydantic (same fields set).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# BaseModel's four slots, set through their descriptors: a third faster than object.__setattr__ by name
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_DEFAULTS: dict[type, list[tuple[str, Any, Any]]] = {}
_NAMES: dict[type, tuple[str, ...]] = {}
_ALL_SET: dict[type, set[str]] = {}


def build(cls: type[M], **values: Any) -> M:
    """``cls.model_construct(**values)``, faster: missing fields get their defaults (a fresh list
    per object from a default factory) and are left out of the fields set, as pydantic does."""
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = [
            (name, info.default_factory, info.default) for name, info in cls.model_fields.items()]
        _NAMES[cls] = tuple(name for name, _, _ in defaults)
        _ALL_SET[cls] = set(_NAMES[cls])
    if tuple(values) == _NAMES[cls]:  # every field given, in order: the common case on the hot path
        data = values
        fields_set = _ALL_SET[cls]  # shared: pydantic only ever adds names to it, and all are in it
    else:
        fields_set = set(values) & _ALL_SET[cls]
        data = {}
        for name, factory, default in defaults:
            if name in values:
                data[name] = values[name]
            else:
                data[name] = factory() if factory is not None else default
    return _new(cls, data, fields_set)


def constructor(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """A builder for one class from a dict holding every field, in field order: for the loops that
    build one object per indicator or finding, with nothing looked up per call."""
    fields_set = set(cls.model_fields)  # shared, as in `build`
    new = cls.__new__

    def make(data: dict[str, Any]) -> M:
        obj = new(cls)
        _set_dict(obj, data)
        _set_fields_set(obj, fields_set)
        _set_extra(obj, None)
        _set_private(obj, None)
        return obj

    return make


def _new(cls: type[M], data: dict[str, Any], fields_set: set[str]) -> M:
    obj = cls.__new__(cls)
    _set_dict(obj, data)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj
