"""The indicator library (indicators/library.yaml): kinds of indicators and their expected direction.

Auditors edit the YAML; the code only knows its structure. Used by the `wrong-direction` check.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from perfscore import safeyaml
from perfscore.caches import BoundedCache
from perfscore.errors import RulesError
from perfscore.labels import compact


class KindMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level1: list[str] = Field(default_factory=list)
    level2: list[str] = Field(default_factory=list)
    level3: list[str] = Field(default_factory=list)


class IndicatorKind(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    match: KindMatch
    expected: list[str]
    equal_as: Literal[">=", "<="] | None = Field(
        None, description="what `=` means on this kind: a cost written `=150000元` is a ceiling (<=)")
    why: str | None = None


class Library(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: list[IndicatorKind] = Field(default_factory=list)

    @field_validator("kinds")
    @classmethod
    def _names_are_unique(cls, kinds: list[IndicatorKind]) -> list[IndicatorKind]:
        """A kind is known by its name (in the audit's memo key, in the `wrong-direction` finding)."""
        names = [kind.name for kind in kinds]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"kind names must be unique: {', '.join(twice)}")
        return kinds

    def checked_operators(self) -> frozenset[str]:
        """The comparison operators some kind does not expect: only targets using one of these can be
        written in the wrong direction (every kind accepts ``=``, so most targets need no lookup)."""
        return frozenset(op for op in (">=", ">", "<=", "<", "=") if any(op not in k.expected for k in self.kinds))

    def kind_of(self, level1: str | None, level2: str | None, level3: str | None) -> IndicatorKind | None:
        key = (id(self), level1, level2, level3)
        try:
            return _KIND_CACHE[key]
        except KeyError:
            pass
        _ALIVE.setdefault(id(self), self)  # keep the id from being reused by another library
        return _KIND_CACHE.put(key, self._kind_of(level1, level2, level3))

    def kind_named(self, name: str) -> IndicatorKind | None:
        """The kind called `name` (what the audit's memo key holds: a kind is a model, not hashable)."""
        return next((kind for kind in self.kinds if kind.name == name), None)

    def _kind_of(self, level1: str | None, level2: str | None, level3: str | None) -> IndicatorKind | None:
        labels = [compact(x) for x in (level1, level2, level3)]
        for kind in self.kinds:
            for words, label in zip((kind.match.level1, kind.match.level2, kind.match.level3), labels, strict=True):
                if label and any(w in label for w in words):
                    return kind
        return None


# Labels repeat across forms; a plain dict (not a pydantic private attribute, whose every access
# goes through BaseModel.__getattr__) keeps the lookup at a dict's cost. Libraries are cached for
# the process's life (load_library), so their ids are stable keys.
_KIND_CACHE: BoundedCache[tuple[int, str | None, str | None, str | None], IndicatorKind | None] = \
    BoundedCache(100_000)
_ALIVE: dict[int, Library] = {}


@cache
def load_library(path: str) -> Library:
    try:
        data = safeyaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return Library.model_validate(data or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise RulesError([f"{path}: cannot load the indicator library: {str(exc).splitlines()[0]}"]) from None
