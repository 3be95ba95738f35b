"""The value vocabulary (``indicators/vocabulary.yaml``): its schema, its problems, and its compiled tables.

What the words, aliases, units and terms are lives in the YAML; this module knows its structure:

- `VocabularyFile` — the file as pydantic models, like a rule file's `perfscore.rules.schema`: a
  vocabulary is checked by pydantic, and every problem is reported at once with its ``file:line:col``
  and key path (``rules.loader`` reads the file, ``rules.checking.validate`` validates it), as
  ``perfscore rules check`` reports a rule file's;
- `perfscore.vocabulary_tables.build_tables` — the checks pydantic cannot express and the tables and
  regexes the value parser (`perfscore.values`) reads with.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from perfscore.errors import PerfscoreError

if TYPE_CHECKING:
    pass

KeyPath = tuple[Any, ...]

__all__ = ["CANONICAL_OPERATORS", "CATEGORIES", "SEVERITIES", "Alias", "KeyPath", "VocabularyError", "VocabularyFile",
           "check", "describe", "load_data", "merge"]

CANONICAL_OPERATORS: tuple[str, ...] = (">=", ">", "<=", "<", "=", "±")
CATEGORIES: tuple[str, ...] = ("achieved", "partial", "not_achieved", "target_word")
SEVERITIES: tuple[str, ...] = ("warning", "info")
QUAL_KEYS = {"achieved": "achieved", "partial": "partial", "not_achieved": "not_achieved",
             "target_words": "target_word"}  # a section's key → the category its terms give


class VocabularyError(PerfscoreError, ValueError):
    """The vocabulary file or data is malformed; ``problems`` lists every problem, one line each."""

    def __init__(self, problems: list[str], source: str | None = None):
        self.problems = problems
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + p for p in problems))


@dataclass(frozen=True, slots=True)
class Alias:
    """An alias that fired while parsing: ``found`` was read as the canonical operator ``means``."""

    found: str
    means: str
    severity: str  # "warning" for mangled characters (→ — ≠), "info" for words/variants


# --- the schema ------------------------------------------------------------------------------------


def _strings(value: Any) -> Any:
    """A list of strings as the file may write it: one string alone, numbers as text, null as none."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(x, str | int) for x in value):
        return [str(x) for x in value]
    raise ValueError("expected a list of strings")


def _text(value: Any) -> str:
    return str(value or "")


def _keys_as_text(value: Any) -> Any:
    """A mapping's keys as text (YAML reads ``1:`` as a number)."""
    if value is None:
        return {}
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


def _canonical(op: str) -> str:
    if op not in CANONICAL_OPERATORS:
        raise ValueError(f"{op!r} is not a canonical operator {CANONICAL_OPERATORS}")
    return op


Strings = Annotated[list[str], BeforeValidator(_strings)]
Text = Annotated[str, BeforeValidator(_text)]
Canonical = Annotated[str, BeforeValidator(_canonical)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Normalise(_Section):
    drop: Strings = Field(default_factory=list, description="characters removed before matching")
    characters: Annotated[dict[str, Annotated[str, BeforeValidator(str)]], BeforeValidator(_keys_as_text)] = Field(
        default_factory=dict, description="one character → its replacement (traditional → simplified)")

    @field_validator("drop")
    @classmethod
    def _one_character_each(cls, value: list[str]) -> list[str]:
        for ch in value:
            if len(ch) != 1:
                raise ValueError(f"{ch!r} is not one character")
        return value

    @field_validator("characters")
    @classmethod
    def _one_character_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if len(key) != 1:
                raise ValueError(f"key {key!r} is not one character")
        return value


class OperatorAlias(BaseModel):
    model_config = ConfigDict(extra="allow")  # a note or other documentation may stand beside `means`

    means: Canonical
    severity: Literal["warning", "info"] | None = Field(None, description="default: warning for operator_aliases, "
                                                                          "info for operator_words")
    position: Literal["prefix", "suffix"] = Field("prefix", description="suffix: only in operator_words")
    note: str | None = None


def _alias(value: Any) -> Any:
    return {"means": value} if isinstance(value, str) else value


AliasEntry = Annotated[OperatorAlias, BeforeValidator(_alias)]


class Unit(BaseModel):
    model_config = ConfigDict(extra="allow")

    base: Text
    factor: Annotated[str, BeforeValidator(lambda v: str(v).strip())] = "1"

    @field_validator("factor")
    @classmethod
    def _positive(cls, value: str) -> str:
        try:
            factor = Decimal(value)
            if not factor.is_finite() or factor <= 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValueError(f"factor {value!r} is not a positive number") from None
        return value


class Terms(_Section):
    """Qualitative terms by category (`unknown category` for any other key)."""

    achieved: Strings = Field(default_factory=list)
    partial: Strings = Field(default_factory=list)
    not_achieved: Strings = Field(default_factory=list)
    target_words: Strings = Field(default_factory=list)


class Time(_Section):
    terms: Strings = Field(default_factory=list)
    patterns: Strings = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _regular_expressions(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
        return value


def _none_as_empty(value: Any) -> Any:
    return {} if value is None else value


class VocabularyFile(_Section):
    """``indicators/vocabulary.yaml`` (and a rule set's ``vocabulary:`` additions, merged into it)."""

    normalise: Annotated[Normalise, BeforeValidator(_none_as_empty)] = Field(default_factory=Normalise)
    operators: Annotated[dict[Canonical, Strings], BeforeValidator(_none_as_empty)] = Field(default_factory=dict)
    operator_aliases: Annotated[dict[str, AliasEntry], BeforeValidator(_keys_as_text)] = Field(default_factory=dict)
    operator_words: Annotated[dict[str, AliasEntry], BeforeValidator(_keys_as_text)] = Field(default_factory=dict)
    qualifiers: Strings = Field(default_factory=list)
    range_separators: Strings = Field(default_factory=list)
    units: Annotated[dict[str, Unit], BeforeValidator(_keys_as_text)] = Field(default_factory=dict)
    unknown_unit_max_length: Annotated[int, Field(ge=0, strict=True)] = 4
    qualitative: Annotated[Terms, BeforeValidator(_none_as_empty)] = Field(default_factory=Terms)
    stems: Annotated[Terms, BeforeValidator(_none_as_empty)] = Field(default_factory=Terms)
    term_separators: Text = ""
    trailing_punctuation: Text = ""
    missing: Strings = Field(default_factory=list)
    missing_characters: Text = ""
    time: Annotated[Time, BeforeValidator(_none_as_empty)] = Field(default_factory=Time)

    @field_validator("operator_aliases")
    @classmethod
    def _aliases_are_prefixes(cls, value: dict[str, OperatorAlias]) -> dict[str, OperatorAlias]:
        for token, alias in value.items():
            if alias.position != "prefix":
                raise ValueError(f"{token}: position {alias.position!r} is not allowed (only operator_words "
                                 "may follow the number)")
        return value


# --- loading and checking ----------------------------------------------------------------------------


def load_data(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], tuple[str, int, int]]]:
    """A vocabulary file's data and the position of every key, read as safely as a rule file; raises
    `VocabularyError` with every problem of reading it."""
    from perfscore.rules.loader import Problem, load_file

    problems: list[Problem] = []
    loaded = load_file(path, problems)
    if loaded is None:
        raise VocabularyError([str(p).replace("rule file", "vocabulary") for p in problems])
    return loaded.data, loaded.positions


def check(data: Any, positions: dict[tuple[Any, ...], tuple[str, int, int]] | None = None,
          file: str | None = None) -> tuple[VocabularyFile | None, list[str]]:
    """Vocabulary data as `VocabularyFile`, or None with every problem pydantic finds, one line each:
    ``file:line:col: key.path: message`` for a file, ``key.path: message`` for data without one."""
    from perfscore.rules.checking import validate
    from perfscore.rules.loader import Problem

    if not isinstance(data, dict):
        return None, ["vocabulary must be a mapping"]
    problems: list[Problem] = []
    spec = validate(VocabularyFile, data, positions or {}, file or "", problems)
    out = []
    for problem in problems:
        message = problem.message.removeprefix("Value error, ")
        if message.startswith("unknown key "):  # a vocabulary's keys are sections and categories
            word = "section" if len(problem.path) == 1 else "category"
            message = f"unknown {word} " + message.removeprefix("unknown key ")
        out.append(describe(problem.path, message, positions, file))
    return (spec if not out else None), out


def describe(path: KeyPath, message: str, positions: dict[KeyPath, tuple[str, int, int]] | None,
             file: str | None) -> str:
    """A problem as one line: ``file:line:col: key.path: message`` when read from a file (the position of
    `path`, or of the nearest key above it), else ``key.path: message``."""
    from perfscore.rules.loader import Problem, format_path

    if not file:
        return f"{format_path(path)}: {message}" if path else message
    probe = path
    while probe and probe not in (positions or {}):
        probe = probe[:-1]
    where = (positions or {}).get(probe) if probe else None
    line, column = (where[1], where[2]) if where else (None, None)
    return str(Problem(message, file, line, column, path))


def merge(base: Any, extra: Any) -> Any:
    """Vocabulary.extended: dicts merge key by key, lists append new items, scalars are replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return list(base) + [v for v in extra if v not in base]
    return copy.deepcopy(extra)
