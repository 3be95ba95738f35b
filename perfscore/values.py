"""The value parser: reads what is printed in a 年初指标值 / 调整后指标值 / 实际完成值 cell.

``Vocabulary.parse(text)`` turns a cell string into a :class:`ParsedValue` and never raises. What the
words, aliases, units and terms are lives in ``indicators/vocabulary.yaml``; this module only knows the
structure of that file and the order in which a cell is read:

1. **Normalise** (``Vocabulary.normalise``): fold full-width ASCII (U+FF01–FF5E) to ASCII, remove every
   whitespace character (ASCII, NBSP, full-width space, line breaks), drop the ``normalise.drop``
   characters and map ``normalise.characters`` (traditional → simplified). NFKC is not used: it would
   hide ``﹦`` (an alias to report) and turn ``㎡``/``²`` into digits. ``ParsedValue.text`` stays as printed.
2. **Missing**: the cell is empty, or the whole cell is a ``missing`` entry or made only of
   ``missing_characters``.
3. **Qualitative, exact**: the whole cell is a ``qualitative`` term or a ``time.terms`` entry.
4. **Time pattern**: the whole cell matches a ``time.patterns`` regex → qualitative ``target_word`` whose
   ``term`` is the normalised cell (``2023年度``, ``每月一次``, ``12月底之前完成``).
5. **Range**: ``NUMBER [unit] separator NUMBER [unit]`` (``1月-12月``, ``1-12月``) → ``range``.
6. **Comparison**: ``[operator tokens] NUMBER [unit] [suffix words/qualifiers]``. Operator tokens are
   read longest first; ordinary operators are silent, ``operator_aliases`` and ``operator_words`` are
   reported in ``aliases``. All tokens must agree (``≥98%以上`` is fine, ``≤5%以上`` is not). An
   operator meaning ``±`` gives a range ``-N..N``. A number is plain digits with an optional decimal
   part, or digits grouped by thousands (``1,035.8``); anything else made of digits, dots and commas
   (``3,20.6,71591``, ``79.98852.24``) is "garbled number": the parser never guesses.
   The unit is a ``units`` entry (optionally ``/per``), else kept as printed when it is only letters
   and at most ``unknown_unit_max_length`` long; otherwise "text after the number". Trailing
   ``trailing_punctuation`` is ignored here ("100%。"). Cells longer than ``MAX_NUMERIC_LENGTH`` that
   start like a number are "too long for a value"; a number beyond the limits of ``decimals.in_range``
   (a 33-digit count) is "number out of range".
7. **Qualitative, prefix**: the cell starts with a term followed by a ``term_separators`` character
   (``达成预期指标，…``), or starts with a ``stems`` entry (``部分达成预期目标并有一定效果``).
8. Anything else is ``unparsed`` with a short reason.

Most numbers are "[one operator token] NUMBER [exactly a ``units`` entry]": rule 6 reads those with one
regex match (``_simple_comparison``), giving what the general reading gives (``_parse_general``, which
``tests/test_values_fast.py`` compares it with), and anything else the general way. A comparison's
number converted into its base unit is worked out once, when parsing (``ParsedValue.in_base``).

Results are cached per vocabulary (text → ParsedValue); the cache forgets its older half when it grows
past ``CACHE_LIMIT`` entries so that adversarial input cannot exhaust memory.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from perfscore.caches import forget_oldest
from perfscore.decimals import RANGE_TEXT, in_range
from perfscore.errors import PerfscoreError

__all__ = [
    "CANONICAL_OPERATORS",
    "CATEGORIES",
    "Alias",
    "ParsedValue",
    "Vocabulary",
    "VocabularyError",
    "default_vocabulary",
    "parse_value",
]

CANONICAL_OPERATORS: tuple[str, ...] = (">=", ">", "<=", "<", "=", "±")
CATEGORIES: tuple[str, ...] = ("achieved", "partial", "not_achieved", "target_word")
SEVERITIES: tuple[str, ...] = ("warning", "info")
CACHE_LIMIT = 150_000  # a batch of 100,000 forms holds ~89,000 distinct value strings
# A cell longer than this (after normalisation) is never read as a number or range: real value cells
# are short, and this bounds the work done on pasted paragraphs.
MAX_NUMERIC_LENGTH = 80
# A number beyond `decimals.in_range` (a 33-digit count, 0.000…01) is no figure a form states, and no
# arithmetic on it is safe: it is read as unparsed, like a garbled one.
OUT_OF_RANGE = f"number out of range ({RANGE_TEXT})"

_QUAL_KEYS = {"achieved": "achieved", "partial": "partial", "not_achieved": "not_achieved",
              "target_words": "target_word"}
_TOP_KEYS = {"normalise", "operators", "operator_aliases", "operator_words", "qualifiers",
             "range_separators", "units", "unknown_unit_max_length", "qualitative", "stems",
             "term_separators", "trailing_punctuation", "missing", "missing_characters", "time"}

# A number: plain digits or thousands groups, optional decimals (group "ok"); any other run of digits,
# dots and commas ("3,20.6,71591", "79.98852.24") matches without "ok": a garbled number.
_NUMBER = re.compile(r"-?(?:(?P<ok>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\d.,])|\d[\d.,]*)")
_VALID_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_LETTERS = re.compile(r"[^\W\d_]+")
_EXACT = Context(prec=80)
_ONE = Decimal(1)


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
        return self.base_unit, _scale(self.number, self.factor)  # built without base_number

    def bounds_in_base(self) -> tuple[str | None, Decimal | None, Decimal | None]:
        """For a range: (base unit, low, high) converted into the base unit."""
        return (self.base_unit,
                None if self.low is None else _scale(self.low, self.factor),
                None if self.high is None else _scale(self.high, self.factor))


def _scale(n: Decimal, factor: Decimal | None) -> Decimal:
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


def _alternation(tokens: list[str] | set[str]) -> str:
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


_BASE_TABLE = _base_table()


def _merge(base: Any, extra: Any) -> Any:
    """Vocabulary.extended: dicts merge key by key, lists append new items, scalars are replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = _merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return list(base) + [v for v in extra if v not in base]
    return copy.deepcopy(extra)


def _shipped_path() -> Path:
    import perfscore

    pkg = Path(perfscore.__file__).resolve().parent
    wheel = pkg / "_indicators" / "vocabulary.yaml"
    return wheel if wheel.is_file() else pkg.parent / "indicators" / "vocabulary.yaml"


class Vocabulary:
    """Compiled vocabulary: normaliser, token tables and regexes built once, plus a parse cache."""

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, path: str | Path | None = None) -> Vocabulary:
        """Load a vocabulary YAML file; default: the shipped ``indicators/vocabulary.yaml``."""
        p = Path(path) if path is not None else _shipped_path()
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise VocabularyError([f"cannot read vocabulary: {exc.strerror or exc}"], str(p)) from exc
        except yaml.YAMLError as exc:
            raise VocabularyError([f"not valid YAML: {exc}".replace("\n", " ")], str(p)) from exc
        try:
            return cls(data, source=str(p))
        except VocabularyError as exc:
            raise VocabularyError(exc.problems, str(p)) from None

    @classmethod
    def from_data(cls, data: dict) -> Vocabulary:
        """Build from a dict with the structure of vocabulary.yaml."""
        return cls(data)

    def extended(self, extra: dict) -> Vocabulary:
        """A new vocabulary with ``extra`` (same structure) merged in: dicts by key, lists appended."""
        if not isinstance(extra, dict):
            raise VocabularyError(["extension must be a mapping"], self.source)
        return type(self)(_merge(self.data, extra), source=self.source)

    def __init__(self, data: dict, source: str | None = None):
        self.source = source
        if not isinstance(data, dict):
            raise VocabularyError(["vocabulary must be a mapping"], source)
        self.data: dict = copy.deepcopy(data)
        problems: list[str] = []
        self._build(self.data, problems)
        if problems:
            raise VocabularyError(problems, source)
        self._cache: dict[str, ParsedValue] = {}
        self._none = ParsedValue(text="", kind="missing")

    def _build(self, d: dict, problems: list[str]) -> None:  # noqa: C901 - one pass over the file
        for k in d:
            if k not in _TOP_KEYS:
                problems.append(f"unknown section {k!r}")

        def section(name: str, kind: type, default: Any) -> Any:
            v = d.get(name, default)
            if v is None:
                return default
            if not isinstance(v, kind):
                problems.append(f"{name}: expected a {kind.__name__}")
                return default
            return v

        def strings(name: str, v: Any) -> list[str]:
            if v is None:
                return []
            if isinstance(v, str):
                return [v]
            if not isinstance(v, list) or not all(isinstance(x, (str, int)) for x in v):
                problems.append(f"{name}: expected a list of strings")
                return []
            return [str(x) for x in v]

        # normaliser ------------------------------------------------------------------------
        norm = section("normalise", dict, {})
        table = dict(_BASE_TABLE)
        for ch in strings("normalise.drop", norm.get("drop")):
            if len(ch) != 1:
                problems.append(f"normalise.drop: {ch!r} is not one character")
            else:
                table[ord(ch)] = None
        chars = norm.get("characters") or {}
        if not isinstance(chars, dict):
            problems.append("normalise.characters: expected a mapping")
            chars = {}
        for k, v in chars.items():
            k, v = str(k), str(v)
            if len(k) != 1:
                problems.append(f"normalise.characters: key {k!r} is not one character")
                continue
            table[ord(k)] = v.translate(_BASE_TABLE)
        self._table = table
        # str.translate looks every character up in the table; most cells hold none of its keys, and
        # finding that out with one character class is several times cheaper.
        self._translated = re.compile("[" + "".join(f"\\U{c:08x}" for c in sorted(table)) + "]")
        n = self.normalise

        # operators -------------------------------------------------------------------------
        # token -> (means, Alias | None); prefix tokens and suffix tokens are kept apart.
        prefix: dict[str, tuple[str, Alias | None]] = {}
        suffix: dict[str, tuple[str, Alias | None]] = {}
        self.alias_notes: dict[str, str] = {}

        def add(where: dict, token: str, means: str, alias: Alias | None, label: str) -> None:
            t = n(token)
            if not t:
                problems.append(f"{label}: empty token")
                return
            if t in where and where[t][0] != means:
                problems.append(f"{label}: {token!r} already means {where[t][0]!r}")
                return
            if t in where and (where[t][1] is None) != (alias is None):
                problems.append(f"{label}: {token!r} is both an ordinary operator and an alias")
                return
            where[t] = (means, alias)

        ops = section("operators", dict, {})
        for canon, toks in ops.items():
            if canon not in CANONICAL_OPERATORS:
                problems.append(f"operators: {canon!r} is not a canonical operator {CANONICAL_OPERATORS}")
                continue
            for tok in strings(f"operators.{canon}", toks):
                add(prefix, tok, canon, None, f"operators.{canon}")
        for sect, default_sev, positional in (("operator_aliases", "warning", False),
                                              ("operator_words", "info", True)):
            for tok, spec in section(sect, dict, {}).items():
                tok = str(tok)
                label = f"{sect}.{tok}"
                if isinstance(spec, str):
                    spec = {"means": spec}
                if not isinstance(spec, dict):
                    problems.append(f"{label}: expected a mapping with 'means'")
                    continue
                means = spec.get("means")
                if means not in CANONICAL_OPERATORS:
                    problems.append(f"{label}: means {means!r} is not a canonical operator {CANONICAL_OPERATORS}")
                    continue
                sev = spec.get("severity", default_sev)
                if sev not in SEVERITIES:
                    problems.append(f"{label}: severity {sev!r} is not one of {SEVERITIES}")
                    continue
                pos = spec.get("position", "prefix")
                if pos not in ("prefix", "suffix") or (pos == "suffix" and not positional):
                    problems.append(f"{label}: position {pos!r} is not allowed")
                    continue
                alias = Alias(found=n(tok), means=means, severity=sev)
                add(prefix if pos == "prefix" else suffix, tok, means, alias, label)
                if spec.get("note"):
                    self.alias_notes[alias.found] = str(spec["note"])
        self._prefix_ops = prefix
        self._word_tokens = {n(str(t)) for t in (d.get("operator_words") or {})} if isinstance(
            d.get("operator_words"), dict) else set()
        self._suffix_ops = suffix
        self._prefix_re = re.compile(_alternation(set(prefix)))
        # Rule 6's common shape, "[one operator] NUMBER [text after it]", read in one match: the
        # operator as _prefix_re would read it (atomic: no shorter token is tried), then a valid
        # number, then the rest, kept when it is exactly a listed unit. A second operator token would
        # have to start where the number does, so the shortcut is off when a token starts like one.
        self._simple_re = None if any(re.match(r"-|\d", t) for t in prefix) else re.compile(
            rf"(?>(?P<op>{_alternation(set(prefix))})?)"
            rf"(?P<number>-?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?![\d.,])(?P<rest>.*)", re.DOTALL)
        self._qualifiers = {n(q) for q in strings("qualifiers", d.get("qualifiers"))} - {""}
        self._tail_re = re.compile(f"(?:{_alternation(set(suffix) | self._qualifiers)})$")
        self._op_words_re = re.compile(_alternation(
            {t for t, (_, a) in prefix.items() if a is not None and len(t) > 1} | set(suffix)))

        # units ----------------------------------------------------------------------------
        units: dict[str, tuple[str, Decimal]] = {}
        for u, spec in section("units", dict, {}).items():
            u = str(u)
            label = f"units.{u}"
            if not isinstance(spec, dict) or "base" not in spec:
                problems.append(f"{label}: expected a mapping with 'base' and 'factor'")
                continue
            try:
                factor = Decimal(str(spec.get("factor", "1")).strip())
                if not factor.is_finite() or factor <= 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(f"{label}: factor {spec.get('factor')!r} is not a positive number")
                continue
            key = n(u).lower()
            if not key:
                problems.append(f"{label}: empty unit")
                continue
            units[key] = (n(str(spec["base"])), factor)
        self._units = units
        # exact text after a number -> (unit, base, factor): skips suffix parsing for plain units
        self._plain_units = {"": (None, None, None)}
        for key, (base, factor) in units.items():
            self._plain_units[key] = (key, base, factor)
        mx = d.get("unknown_unit_max_length", 4)
        if not isinstance(mx, int) or isinstance(mx, bool) or mx < 0:
            problems.append("unknown_unit_max_length: expected a non-negative integer")
            mx = 4
        self._unknown_max = mx
        seps = strings("range_separators", d.get("range_separators"))
        self._range_re = re.compile(
            rf"(?<![\d.,])(?P<a>\d[\d.,]*+)(?P<ua>\D*?)(?:{_alternation({n(s) for s in seps})})"
            rf"(?P<b>\d[\d.,]*+)(?P<ub>\D*)")  # possessive numbers: linear in the cell's length

        # qualitative terms ----------------------------------------------------------------
        terms: dict[str, str] = {}  # normalised term -> category

        def add_term(term: str, cat: str, label: str) -> None:
            t = n(term)
            if not t:
                problems.append(f"{label}: empty term")
            elif terms.get(t, cat) != cat:
                problems.append(f"{label}: {term!r} is already a {terms[t]!r} term")
            else:
                terms[t] = cat

        qual = section("qualitative", dict, {})
        for key, items in qual.items():
            if key not in _QUAL_KEYS:
                problems.append(f"qualitative: unknown category {key!r} (use {sorted(_QUAL_KEYS)})")
                continue
            for t in strings(f"qualitative.{key}", items):
                add_term(t, _QUAL_KEYS[key], f"qualitative.{key}")
        time = section("time", dict, {})
        for t in strings("time.terms", time.get("terms")):
            add_term(t, "target_word", "time.terms")
        self._terms = terms
        stems: dict[str, str] = {}
        for key, items in section("stems", dict, {}).items():
            if key not in _QUAL_KEYS:
                problems.append(f"stems: unknown category {key!r}")
                continue
            for t in strings(f"stems.{key}", items):
                if n(t):
                    stems[n(t)] = _QUAL_KEYS[key]
        self._stems = stems
        tseps = n(str(d.get("term_separators", "") or ""))
        self._term_prefix_re = re.compile(
            f"(?:{_alternation(set(terms))})(?=[{re.escape(tseps)}]|$)" if tseps
            else f"(?:{_alternation(set(terms))})$")
        self._stem_re = re.compile(_alternation(set(stems)))
        self._trailing = n(str(d.get("trailing_punctuation", "") or ""))
        patterns = []
        for p in strings("time.patterns", time.get("patterns")):
            try:
                re.compile(p)
                patterns.append(f"(?:{p})")
            except re.error as exc:
                problems.append(f"time.patterns: {p!r} is not a valid regular expression: {exc}")
        self._time_re = re.compile("|".join(patterns)) if patterns else None

        # missing ---------------------------------------------------------------------------
        self._missing = {n(m) for m in strings("missing", d.get("missing"))}
        self._missing_chars = n(str(d.get("missing_characters", "") or ""))
        for t in self._missing & set(terms):
            problems.append(f"missing: {t!r} is also a qualitative term")

    # ------------------------------------------------------------------ parsing
    def normalise(self, text: str) -> str:
        """The normalised form used for matching (see module docstring, rule 1)."""
        return text.translate(self._table) if self._translated.search(text) else text

    def parse(self, text: str | None) -> ParsedValue:
        """Read one cell. Never raises; cached per vocabulary."""
        if text is None:
            return self._none
        if not isinstance(text, str):
            text = str(text)
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        try:
            pv = self._parse(text)
        except Exception as exc:  # pragma: no cover - safety net: parse must never raise
            pv = ParsedValue(text=text, kind="unparsed", reason=f"parser error: {type(exc).__name__}")
        if len(self._cache) >= CACHE_LIMIT:
            forget_oldest(self._cache)
        self._cache[text] = pv
        return pv

    def cache_clear(self) -> None:
        self._cache.clear()

    def comparable(self, a: ParsedValue, b: ParsedValue) -> bool:
        """Both numeric and of the same base dimension (or one side has no unit)."""
        if not (a.is_number and b.is_number):
            return False
        return a.base_unit is None or b.base_unit is None or a.base_unit == b.base_unit

    def units(self) -> list[str]:
        """Every unit the vocabulary knows, as printed (``万元``, ``%``, ``人次`` …)."""
        return list(self._units)

    def unit_info(self, unit: str | None) -> tuple[str | None, Decimal | None] | None:
        """(base, factor) for a printed unit, None when it is not a unit (e.g. a 度量单位 column)."""
        if unit is None:
            return None, None
        r = self._unit(self.normalise(unit))
        return None if r is None else (r[1], r[2])

    def _unit(self, u: str) -> tuple[str | None, str | None, Decimal | None] | None:
        """(unit, base, factor) for the text after a number; None when it is not a unit."""
        if not u:
            return None, None, None
        head, slash, per = u.partition("/")
        known = self._units.get(head.lower())
        if slash and (not per or not _LETTERS.fullmatch(per) or len(per) > self._unknown_max):
            return None
        if known is not None:
            base, factor = known
            return u, (f"{base}/{per}" if slash else base), factor
        if (_LETTERS.fullmatch(head) and len(u) <= self._unknown_max
                and not self._op_words_re.search(u)):
            return u, u, Decimal(1)
        return None

    def _parse_general(self, text: str) -> ParsedValue:
        """``_parse`` without the shortcut for simple comparisons: what the shortcut must agree with."""
        return self._parse(text, simple=False)

    def _parse(self, text: str, simple: bool = True) -> ParsedValue:
        s = self.normalise(text)
        # 2. missing
        if not s:  # empty or only whitespace: always missing
            return ParsedValue(text, "missing", normalised=s)
        if s in self._missing:
            return ParsedValue(text, "missing", term=s, normalised=s)
        if self._missing_chars and not s.strip(self._missing_chars):
            return ParsedValue(text, "missing", term=s, normalised=s)
        # 3. qualitative, exact
        cat = self._terms.get(s)
        if cat is not None:
            return ParsedValue(text, "qualitative", category=cat, term=s, normalised=s)
        # 4. time pattern
        if self._time_re is not None and self._time_re.fullmatch(s):
            return ParsedValue(text, "qualitative", category="target_word", term=s, normalised=s)
        if len(s) <= MAX_NUMERIC_LENGTH:
            num = s.rstrip(self._trailing) if self._trailing else s
            # 5. range
            m = self._range_re.fullmatch(num)
            if m:
                return self._range(text, s, m)
            # 6. comparison
            if simple and self._simple_re is not None:
                pv = self._simple_comparison(text, s, num)
                if pv is not None:
                    return pv
            pv = self._comparison(text, s, num)
            if pv is not None:
                return pv
        elif _NUMBER.match(s, self._operator_end(s)):
            return ParsedValue(text, "unparsed", reason="too long for a value", normalised=s)
        # 7. qualitative, prefix
        m = self._term_prefix_re.match(s)
        if m:
            t = m.group()
            return ParsedValue(text, "qualitative", category=self._terms[t], term=t, normalised=s)
        m = self._stem_re.match(s)
        if m:
            t = m.group()
            return ParsedValue(text, "qualitative", category=self._stems[t], term=t, normalised=s)
        # 8. unparsed
        m = self._prefix_re.match(s)
        if m and (m.group() not in self._word_tokens or m.end() == len(s)):
            return ParsedValue(text, "unparsed", reason="operator without a number", normalised=s)
        return ParsedValue(text, "unparsed", reason="free text", normalised=s)

    def _operator_end(self, s: str) -> int:
        m = self._prefix_re.match(s)
        return m.end() if m else 0

    def _range(self, text: str, s: str, m: re.Match) -> ParsedValue:
        a, b = m.group("a"), m.group("b")
        if not (_VALID_NUMBER.fullmatch(a) and _VALID_NUMBER.fullmatch(b)):
            return ParsedValue(text, "unparsed", reason="garbled number", normalised=s)
        ua, ub = self._unit(m.group("ua")), self._unit(m.group("ub"))
        if ua is None or ub is None:
            return ParsedValue(text, "unparsed", reason="text after the number", normalised=s)
        if ua[0] is not None and ub[0] is not None and ua[0] != ub[0]:
            return ParsedValue(text, "unparsed", reason="range with different units", normalised=s)
        unit, base, factor = ub if ub[0] is not None else ua
        low, high = Decimal(a.replace(",", "")), Decimal(b.replace(",", ""))
        if not (in_range(low) and in_range(high)):
            return ParsedValue(text, "unparsed", reason=OUT_OF_RANGE, normalised=s)
        return ParsedValue(text, "range", unit=unit, low=low, high=high, base_unit=base, factor=factor,
                           normalised=s)

    def _simple_comparison(self, text: str, s: str, num: str) -> ParsedValue | None:
        """Rule 6 for "[one operator] NUMBER [listed unit]", most cells, without the general reading's
        token loop and suffix search; None for anything else (then ``_comparison`` reads it)."""
        m = self._simple_re.fullmatch(num)
        if m is None:
            return None
        token, number, rest = m.groups()
        unit = self._plain_units.get(rest)
        if unit is None:
            return None
        if token is None:
            return _numeric(text, s, None, number, unit, ())
        op, alias = self._prefix_ops[token]
        return _numeric(text, s, op, number, unit, () if alias is None else (alias,))

    def _comparison(self, text: str, s: str, num: str) -> ParsedValue | None:
        """Rule 6; None when the cell does not have the shape [operators] NUMBER …"""
        pos = 0
        found: list[tuple[str, Alias | None]] = []
        match = self._prefix_re.match
        m = match(num)
        while m and len(found) < 3:  # at most 3 tokens: "≥" or "不低于" or "≥=" (then conflicting)
            found.append(self._prefix_ops[m.group()])
            pos = m.end()
            m = match(num, pos)
        m = _NUMBER.match(num, pos)
        if not m:
            if len(found) == 3 and match(num, pos):
                return ParsedValue(text, "unparsed", reason="too many operators", normalised=s)
            return None
        if m.group("ok") is None:
            return ParsedValue(text, "unparsed", reason="garbled number", normalised=s)
        rest = num[m.end():]
        tail: list[tuple[str, Alias | None]] = []
        unit = self._plain_units.get(rest)
        while unit is None and rest:
            t = self._tail_re.search(rest)
            if not t:
                break
            tok = t.group()
            if tok in self._suffix_ops:
                tail.append(self._suffix_ops[tok])
            rest = rest[: t.start()]
        if unit is None:
            unit = self._unit(rest)
            if unit is None:
                return ParsedValue(text, "unparsed", reason="text after the number", normalised=s)
        if found or tail:
            ops = found + tail[::-1]
            op = ops[0][0]
            if any(means != op for means, _ in ops):
                return ParsedValue(text, "unparsed", reason="conflicting operators", normalised=s)
            aliases = tuple(a for _, a in ops if a is not None)
        else:
            op, aliases = None, ()
        return _numeric(text, s, op, m.group(), unit, aliases)


def _numeric(text: str, s: str, op: str | None, number: str,
             unit: tuple[str | None, str | None, Decimal | None], aliases: tuple[Alias, ...]) -> ParsedValue:
    """Rule 6's result for a valid number as printed: a comparison, or for "±" a range."""
    n = Decimal(number.replace(",", ""))
    if not in_range(n):
        return ParsedValue(text, "unparsed", reason=OUT_OF_RANGE, normalised=s)
    u, base, factor = unit
    if op == "±":
        span = abs(n)
        return ParsedValue(text, "range", operator="±", number=n, unit=u, low=-span, high=span,
                           aliases=aliases, base_unit=base, factor=factor, normalised=s)
    # all fields in order: _make costs a third of building by keywords, and most new cells come here
    return ParsedValue._make((text, "comparison", op, n, u, None, None, None, None, None, aliases, base,
                              factor, s, _scale(n, factor)))


@functools.cache
def default_vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once."""
    return Vocabulary.load()


def parse_value(text: str | None) -> ParsedValue:
    """``default_vocabulary().parse(text)``."""
    return default_vocabulary().parse(text)
