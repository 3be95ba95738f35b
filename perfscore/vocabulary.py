"""The value vocabulary (``indicators/vocabulary.yaml``): its schema, its problems, and its compiled tables.

What the words, aliases, units and terms are lives in the YAML; this module knows its structure:

- `VocabularyFile` — the file as pydantic models, like a rule file's `perfscore.rules.schema`: a
  vocabulary is checked by pydantic, and every problem is reported at once with its ``file:line:col``
  and key path (``rules.loader`` reads the file, ``rules.checking.validate`` validates it), as
  ``perfscore rules check`` reports a rule file's;
- `build_tables` — the checks pydantic cannot express (a token meaning two things, a term in two
  categories) and the tables and regexes the value parser (`perfscore.values`) reads with.
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
    from perfscore.values import Vocabulary

KeyPath = tuple[Any, ...]

__all__ = ["CANONICAL_OPERATORS", "CATEGORIES", "SEVERITIES", "Alias", "VocabularyError", "VocabularyFile",
           "alternation", "build_tables", "check", "describe", "load_data", "merge"]

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


def alternation(tokens: list[str] | set[str]) -> str:
    """Regex alternation, longest first; never matches when there are no tokens."""
    toks = sorted({t for t in tokens if t}, key=lambda t: (-len(t), t))
    return "|".join(map(re.escape, toks)) if toks else "(?!)"


def _base_table() -> dict[int, Any]:
    table: dict[int, Any] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    for c in range(0x3001):
        if chr(c).isspace():
            table[c] = None
    table[0x3000] = None  # full-width space
    return table


BASE_TABLE = _base_table()


# --- compiling -----------------------------------------------------------------------------------------


def _ordered(section: BaseModel, raw: Any) -> list[str]:
    """A section's categories in the file's order (the last stem of two categories wins, as written)."""
    given = [k for k in raw if k in type(section).model_fields] if isinstance(raw, dict) else []
    return given + [k for k in type(section).model_fields if k not in given and k in section.model_fields_set]


def build_tables(vocab: Vocabulary, spec: VocabularyFile, raw: dict[str, Any],
                 problems: list[tuple[KeyPath, str]]) -> None:
    """Compile `spec` onto `vocab`: the normaliser, operator tokens, units, terms and the parser's regexes.
    Adds what pydantic cannot check (a token with two meanings, a term in two categories, an entry empty once
    normalised) to `problems` as (key path, message). `raw` is the data `spec` was validated from (for the
    order of its categories)."""
    table = dict(BASE_TABLE)
    for ch in spec.normalise.drop:
        table[ord(ch)] = None
    for k, v in spec.normalise.characters.items():
        table[ord(k)] = v.translate(BASE_TABLE)
    vocab._table = table
    # str.translate looks every character up in the table; most cells hold none of its keys, and
    # finding that out with one character class is several times cheaper.
    vocab._translated = re.compile("[" + "".join(f"\\U{c:08x}" for c in sorted(table)) + "]")
    n = vocab.normalise
    _operators(vocab, spec, n, problems)
    _units(vocab, spec, n, problems)
    _terms(vocab, spec, raw, n, problems)


def _operators(vocab: Vocabulary, spec: VocabularyFile, n: Any, problems: list[tuple[KeyPath, str]]) -> None:
    # token -> (means, Alias | None); prefix tokens and suffix tokens are kept apart.
    prefix: dict[str, tuple[str, Alias | None]] = {}
    suffix: dict[str, tuple[str, Alias | None]] = {}
    vocab.alias_notes = {}

    def add(where: dict[str, tuple[str, Alias | None]], token: str, means: str, alias: Alias | None,
            path: KeyPath) -> None:
        t = n(token)
        if not t:
            problems.append((path, "empty token"))
        elif t in where and where[t][0] != means:
            problems.append((path, f"{token!r} already means {where[t][0]!r}"))
        elif t in where and (where[t][1] is None) != (alias is None):
            problems.append((path, f"{token!r} is both an ordinary operator and an alias"))
        else:
            where[t] = (means, alias)

    for canon, toks in spec.operators.items():
        for tok in toks:
            add(prefix, tok, canon, None, ("operators", canon))
    for section, entries, default_severity in (("operator_aliases", spec.operator_aliases, "warning"),
                                               ("operator_words", spec.operator_words, "info")):
        for tok, entry in entries.items():
            alias = Alias(found=n(tok), means=entry.means, severity=entry.severity or default_severity)
            add(prefix if entry.position == "prefix" else suffix, tok, entry.means, alias, (section, tok))
            if entry.note:
                vocab.alias_notes[alias.found] = str(entry.note)
    vocab._prefix_ops = prefix
    vocab._word_tokens = {n(t) for t in spec.operator_words}
    vocab._suffix_ops = suffix
    vocab._prefix_re = re.compile(alternation(set(prefix)))
    # Rule 6's common shape, "[one operator] NUMBER [text after it]", read in one match: the
    # operator as _prefix_re would read it (atomic: no shorter token is tried), then a valid
    # number, then the rest, kept when it is exactly a listed unit. A second operator token would
    # have to start where the number does, so the shortcut is off when a token starts like one.
    vocab._simple_re = None if any(re.match(r"-|\d", t) for t in prefix) else re.compile(
        rf"(?>(?P<op>{alternation(set(prefix))})?)"
        rf"(?P<number>-?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?![\d.,])(?P<rest>.*)", re.DOTALL)
    vocab._qualifiers = {n(q) for q in spec.qualifiers} - {""}
    vocab._tail_re = re.compile(f"(?:{alternation(set(suffix) | vocab._qualifiers)})$")
    vocab._op_words_re = re.compile(alternation(
        {t for t, (_, a) in prefix.items() if a is not None and len(t) > 1} | set(suffix)))


def _units(vocab: Vocabulary, spec: VocabularyFile, n: Any, problems: list[tuple[KeyPath, str]]) -> None:
    units: dict[str, tuple[str, Decimal]] = {}
    for u, unit in spec.units.items():
        key = n(u).lower()
        if not key:
            problems.append((("units", u), "empty unit"))
            continue
        units[key] = (n(unit.base), Decimal(unit.factor))
    vocab._units = units
    # exact text after a number -> (unit, base, factor): skips suffix parsing for plain units
    vocab._plain_units = {"": (None, None, None)}
    for key, (base, factor) in units.items():
        vocab._plain_units[key] = (key, base, factor)
    vocab._unknown_max = spec.unknown_unit_max_length
    vocab._range_re = re.compile(
        rf"(?<![\d.,])(?P<a>\d[\d.,]*+)(?P<ua>\D*?)(?:{alternation({n(s) for s in spec.range_separators})})"
        rf"(?P<b>\d[\d.,]*+)(?P<ub>\D*)")  # possessive numbers: linear in the cell's length


def _terms(vocab: Vocabulary, spec: VocabularyFile, raw: dict[str, Any], n: Any,
           problems: list[tuple[KeyPath, str]]) -> None:
    terms: dict[str, str] = {}  # normalised term -> category

    def add_term(term: str, category: str, path: KeyPath) -> None:
        t = n(term)
        if not t:
            problems.append((path, "empty term"))
        elif terms.get(t, category) != category:
            problems.append((path, f"{term!r} is already a {terms[t]!r} term"))
        else:
            terms[t] = category

    for key in _ordered(spec.qualitative, raw.get("qualitative")):
        for t in getattr(spec.qualitative, key):
            add_term(t, QUAL_KEYS[key], ("qualitative", key))
    for t in spec.time.terms:
        add_term(t, "target_word", ("time", "terms"))
    vocab._terms = terms
    stems: dict[str, str] = {}
    for key in _ordered(spec.stems, raw.get("stems")):
        for t in getattr(spec.stems, key):
            if n(t):
                stems[n(t)] = QUAL_KEYS[key]
    vocab._stems = stems
    tseps = n(spec.term_separators)
    vocab._term_prefix_re = re.compile(
        f"(?:{alternation(set(terms))})(?=[{re.escape(tseps)}]|$)" if tseps
        else f"(?:{alternation(set(terms))})$")
    vocab._stem_re = re.compile(alternation(set(stems)))
    vocab._trailing = n(spec.trailing_punctuation)
    patterns = [f"(?:{p})" for p in spec.time.patterns]
    vocab._time_re = re.compile("|".join(patterns)) if patterns else None
    vocab._missing = {n(m) for m in spec.missing}
    vocab._missing_chars = n(spec.missing_characters)
    for t in vocab._missing & set(terms):
        problems.append((("missing",), f"{t!r} is also a qualitative term"))
