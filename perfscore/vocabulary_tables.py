"""The vocabulary's compiled tables: the checks pydantic cannot express (a token meaning two things, a term in
two categories) and the tables and regexes the value parser (`perfscore.values`) reads with, built from a
validated `perfscore.vocabulary.VocabularyFile`."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from perfscore.vocabulary import QUAL_KEYS, Alias, KeyPath, VocabularyFile

if TYPE_CHECKING:
    from perfscore.values import Vocabulary

__all__ = ["BASE_TABLE", "alternation", "build_tables"]


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
