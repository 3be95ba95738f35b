"""The value parser: reads what is printed in a 年初指标值 / 调整后指标值 / 实际完成值 cell.

``Vocabulary.parse(text)`` turns a cell string into a :class:`ParsedValue` (`perfscore.parsed`) and never
raises. What the words, aliases, units and terms are lives in ``indicators/vocabulary.yaml``;
`perfscore.vocabulary` knows the structure of that file (a pydantic model, problems at ``file:line:col``)
and compiles it into the tables this module reads with; this module knows the order in which a cell is
read:

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
   A cell that is not such a number may still be one with a remark in brackets (``100%（已完成）``, read
   without the remark) or a count in Chinese numerals before a listed unit (``十二场``, ``两轮``:
   `perfscore.numerals`).
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
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfscore.caches import BoundedCache
from perfscore.data import shipped_file
from perfscore.decimals import RANGE_TEXT, in_range
from perfscore.numerals import chinese_number
from perfscore.parsed import ParsedValue, comparison_value, scale
from perfscore.vocabulary import (
    CANONICAL_OPERATORS,
    CATEGORIES,
    Alias,
    VocabularyError,
    check,
    describe,
    load_data,
    merge,
)
from perfscore.vocabulary_tables import build_tables

__all__ = [
    "CANONICAL_OPERATORS",
    "CATEGORIES",
    "Alias",
    "ParsedValue",
    "Vocabulary",
    "VocabularyError",
    "chinese_number",
    "default_vocabulary",
    "parse_value",
]

CACHE_LIMIT = 150_000  # a batch of 100,000 forms holds ~89,000 distinct value strings
# A cell longer than this (after normalisation) is never read as a number or range: real value cells
# are short, and this bounds the work done on pasted paragraphs.
MAX_NUMERIC_LENGTH = 80
# A number beyond `decimals.in_range` (a 33-digit count, 0.000…01) is no figure a form states, and no
# arithmetic on it is safe: it is read as unparsed, like a garbled one.
OUT_OF_RANGE = f"number out of range ({RANGE_TEXT})"

# A number: plain digits or thousands groups, optional decimals (group "ok"); any other run of digits,
# dots and commas ("3,20.6,71591", "79.98852.24") matches without "ok": a garbled number.
_NUMBER = re.compile(r"-?(?:(?P<ok>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\d.,])|\d[\d.,]*)")
_VALID_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_LETTERS = re.compile(r"[^\W\d_]+")
_CHINESE = re.compile(r"(?P<number>[零〇一二两三四五六七八九十百千万]+)(?P<unit>\D+)")


class Vocabulary:
    """Compiled vocabulary: normaliser, token tables and regexes built once, plus a parse cache."""

    # the tables and regexes `vocabulary_tables.build_tables` compiles from the validated file
    _table: dict[int, Any]
    _translated: re.Pattern[str]
    alias_notes: dict[str, str]
    _prefix_ops: dict[str, tuple[str, Alias | None]]
    _suffix_ops: dict[str, tuple[str, Alias | None]]
    _word_tokens: set[str]
    _prefix_re: re.Pattern[str]
    _simple_re: re.Pattern[str] | None
    _qualifiers: set[str]
    _tail_re: re.Pattern[str]
    _op_words_re: re.Pattern[str]
    _units: dict[str, tuple[str, Decimal]]
    _plain_units: dict[str, tuple[str | None, str | None, Decimal | None]]
    _unknown_max: int
    _range_re: re.Pattern[str]
    _terms: dict[str, str]
    _stems: dict[str, str]
    _term_prefix_re: re.Pattern[str]
    _stem_re: re.Pattern[str]
    _trailing: str
    _time_re: re.Pattern[str] | None
    _missing: set[str]
    _missing_chars: str

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, path: str | Path | None = None) -> Vocabulary:
        """Load a vocabulary YAML file; default: the shipped ``indicators/vocabulary.yaml``. Read as safely
        as a rule file (`rules.loader`), every problem reported at its ``file:line:col``."""
        p = Path(path) if path is not None else shipped_file("vocabulary.yaml")
        data, positions = load_data(p)
        return cls(data, source=str(p), positions=positions)

    @classmethod
    def from_data(cls, data: dict) -> Vocabulary:
        """Build from a dict with the structure of vocabulary.yaml."""
        return cls(data)

    def extended(self, extra: dict) -> Vocabulary:
        """A new vocabulary with ``extra`` (same structure) merged in: dicts by key, lists appended."""
        if not isinstance(extra, dict):
            raise VocabularyError(["extension must be a mapping"], self.source)
        return type(self)(merge(self.data, extra), source=self.source)

    def __init__(self, data: dict, source: str | None = None,
                 positions: dict[tuple[Any, ...], tuple[str, int, int]] | None = None):
        """Validate `data` (`vocabulary.VocabularyFile`) and compile it (`vocabulary_tables.build_tables`). With
        `positions` (where `source`'s keys were written), problems name their ``file:line:col``."""
        self.source = source
        if not isinstance(data, dict):
            raise VocabularyError(["vocabulary must be a mapping"], source)
        self.data: dict = copy.deepcopy(data)
        at_file = source if positions is not None else None  # problems placed in the file, else by key path
        spec, problems = check(self.data, positions, at_file)
        semantic: list[tuple[tuple[Any, ...], str]] = []
        if spec is not None:
            build_tables(self, spec, self.data, semantic)
            problems = [describe(path, message, positions, at_file) for path, message in semantic]
        if problems:
            raise VocabularyError(problems, None if at_file else source)
        self._cache: BoundedCache[str, ParsedValue] = BoundedCache(CACHE_LIMIT)
        self._none = ParsedValue(text="", kind="missing")

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
        except Exception as exc:  # noqa: BLE001  # pragma: no cover - safety net: parse must never raise
            pv = ParsedValue(text=text, kind="unparsed", reason=f"parser error: {type(exc).__name__}")
        return self._cache.put(text, pv)

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
            if pv is not None and pv.kind != "unparsed":
                return pv
            # 6b. a number with a remark in brackets ("100%(已完成)"), or in Chinese numerals ("十二场")
            other = self._remarked(s) or self._chinese(s)
            if other is not None:
                return other._replace(text=text)
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

    def _remarked(self, s: str) -> ParsedValue | None:
        """A number followed by a remark in brackets, read without the remark: ``100%(已完成)``."""
        if not s.endswith(")") or "(" not in s:
            return None
        head = s[:s.rindex("(")]
        pv = self.parse(head) if head else None
        return pv if pv is not None and pv.kind in ("comparison", "range") else None

    def _chinese(self, s: str) -> ParsedValue | None:
        """A count in Chinese numerals before a listed unit, read as digits: ``十二场``, ``≥两轮``, ``5千人``
        needs no help (千人 is a unit)."""
        m = _CHINESE.fullmatch(s, self._operator_end(s))
        if m is None or m.group("unit").lower() not in self._units:
            return None
        number = chinese_number(m.group("number"))
        if number is None:
            return None
        pv = self.parse(s[:m.start()] + str(number) + m.group("unit"))
        return pv if pv.is_number else None

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
        assert self._simple_re is not None  # `_parse` asks only when there is one
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
    return comparison_value(text, "comparison", op, n, u, aliases, base, factor, s, scale(n, factor))


@functools.cache
def default_vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once."""
    return Vocabulary.load()


def parse_value(text: str | None) -> ParsedValue:
    """``default_vocabulary().parse(text)``."""
    return default_vocabulary().parse(text)
