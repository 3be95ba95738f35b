"""A PDF content stream cut into pdfminer's tokens without pdfminer's tokenizer, and ASCII85 decoded fast.

Why: pdfminer's tokenizer makes one method call per run of bytes (most of a form's reading time before
:mod:`perfscore.readers.pdf_objects`), and its ASCII85 decoder (``base64.a85decode``) loops over every
byte in Python. :func:`tokens` gives what ``PDFContentParser`` gives, and :func:`program` the same with
the common instructions kept whole for :mod:`perfscore.readers.pdf_direct`; anything read otherwise than
pdfminer reads it (inline images, a ``#`` in a name, a malformed number, unbalanced brackets) raises
:class:`Unsupported`. ``tests/readers/test_pdf_fast.py`` checks both against pdfminer.
"""

from __future__ import annotations

import re
from typing import Any

from pdfminer.psparser import KWD, LIT, literal_name

__all__ = ["Unsupported", "ascii85decode", "install", "operands", "program", "tokens"]

_DELIM = rb"()<>\[\]{}/%"
_CHAR = rb"[^\s" + _DELIM + rb"]"  # a character of a bare word or a name
# One token each: a string without unescaped inner parentheses, << >>, a hex string, [ ], a comment, a
# name or a bare word (number, operator), an empty name, or any other character (not read here).
_TOKEN = rb"\((?:[^()\\]++|\\.)*+\)|<<|>>|<[0-9A-Fa-f\s]*>|[\[\]]|%[^\r\n]*|/?" + _CHAR + rb"+|/|\S"
_WORD = re.compile(_TOKEN, re.DOTALL)
_STRINGS = re.compile(rb"(\((?:[^()\\]++|\\.)*+\))", re.DOTALL)  # a literal string, kept by split()
_STRAY = re.compile(rb"[()%]")  # between strings: a comment, or a parenthesis no string regex took
_MEMO_SIZE, _MEMO_BYTES = 50_000, 2_048  # entries, and the longest text kept
_PARTS: dict[bytes, Any] = {}
_NUMBER = re.compile(rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")  # used with fullmatch
_SKIP, _OPEN_ARRAY, _CLOSE_ARRAY, _OPEN_DICT, _CLOSE_DICT, _ODD = (object() for _ in range(6))
_MARKS = {b"[": _OPEN_ARRAY, b"]": _CLOSE_ARRAY, b"<<": _OPEN_DICT, b">>": _CLOSE_DICT}
_WORDS: dict[bytes, Any] = dict(_MARKS)
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|\r\n|(.))", re.DOTALL)
_ESCAPED = {b"b": b"\b", b"t": b"\t", b"n": b"\n", b"f": b"\f", b"r": b"\r", b"(": b"(", b")": b")",
            b"\\": b"\\"}
_SPACE = re.compile(rb"\s")


class Unsupported(Exception):
    """Something this reader does not read exactly as pdfminer does: parse the page the plain way."""


def _unescape(match: re.Match[bytes]) -> bytes:
    octal, other = match.group(1), match.group(2)
    if octal is not None:
        code = int(octal, 8)
        if code > 255:
            raise Unsupported("octal escape above 255")
        return bytes((code,))
    if other is None:  # backslash, CR, LF: a line continuation
        return b""
    return _ESCAPED.get(other, b"")  # pdfminer drops an unknown escape with its backslash


def _hex(text: bytes) -> bytes:
    digits = _SPACE.sub(b"", text)
    if len(digits) % 2:
        return bytes.fromhex(digits[:-1].decode()) + bytes((int(digits[-1:], 16),))
    return bytes.fromhex(digits.decode())


def _value(word: bytes) -> Any:
    """What pdfminer's tokenizer makes of one token (see ``psparser.PSBaseParser``)."""
    first = word[0]
    if first == 0x28:  # (
        if len(word) < 2 or word[-1] != 0x29:
            raise Unsupported("a string with nested parentheses")
        raw = word[1:-1]
        return _ESCAPE.sub(_unescape, raw) if b"\\" in raw else raw
    if first == 0x25:  # %
        return _SKIP
    if first == 0x3C:  # <
        if len(word) < 2 or word[-1] != 0x3E:
            raise Unsupported("not a hex string")
        return _hex(word[1:-1])
    if b"#" in word:
        raise Unsupported("# in a name or operator")
    if first == 0x2F:  # /
        try:
            return LIT(str(word[1:], "utf-8"))
        except UnicodeDecodeError:
            return LIT(word[1:])  # pdfminer keeps an undecodable name as bytes
    if 0x30 <= first <= 0x39 or first in b"+-.":
        if _NUMBER.fullmatch(word) is None:
            raise Unsupported(f"number {word[:20]!r}")
        return float(word) if b"." in word else int(word)
    if word in (b"true", b"false"):
        return word == b"true"
    if word in (b"BI", b"ID", b"EI") or first in b")>{}":
        raise Unsupported(f"token {word[:20]!r}")
    if not (0x41 <= first <= 0x5A or 0x61 <= first <= 0x7A) and not (len(word) == 1 and first in b"'\""):
        raise Unsupported(f"token {word[:20]!r}")  # pdfminer: a one-character keyword, then the rest (or NUL skipped)
    return (word,)


# The operators :mod:`perfscore.readers.pdf_direct` carries out itself, with the number of operands their
# pdfminer handler takes: their whole instructions are kept as one pair by :func:`program`.
operands = {b"Tf": 2, b"TL": 1, b"q": 0, b"Q": 0, b"Tj": 1, b"T*": 0, b"BT": 0, b"ET": 0, b"Tm": 6, b"cm": 6,
            b"TJ": 1, b"Td": 2, b"TD": 2, b"'": 1, b'"': 3, b"rg": 3, b"RG": 3, b"g": 1, b"G": 1, b"k": 4,
            b"K": 4, b"Tc": 1, b"Tw": 1, b"Tz": 1, b"Ts": 1, b"Tr": 1, b"w": 1, b"J": 1, b"j": 1, b"M": 1,
            b"d": 2, b"ri": 1, b"i": 1, b"gs": 1, b"m": 2, b"l": 2, b"c": 6, b"v": 4, b"y": 4, b"h": 0,
            b"re": 4, b"S": 0, b"s": 0, b"f": 0, b"F": 0, b"f*": 0, b"B": 0, b"B*": 0, b"b": 0, b"b*": 0,
            b"n": 0, b"W": 0, b"W*": 0}


def tokens(data: bytes) -> list[Any]:
    """The content stream as pdfminer's ``PDFContentParser`` would give it: numbers, bytes, literals,
    lists, dicts, booleans, and operators as ``bytes`` in a one-element tuple."""
    return _scan(data, whole=False)


def program(data: bytes) -> list[Any]:
    """:func:`tokens`, with each whole instruction of an operator in :data:`operands` (the operator
    preceded by its operands) given as one ``(operator, operands)`` pair instead."""
    return _scan(data, whole=True)


def _scan(data: bytes, whole: bool) -> list[Any]:
    """Why so: a regular expression run over the stream costs ~45 ns a byte in Python. The strings are
    cut out by one (literal strings are most of a form's bytes), the text between two strings is split
    into words once per distinct text (a page repeats it: ``Tj T* ET Q Q q 1 0 0 1 6 433.5 cm …``, and
    so do forms of the same layout), memoised for all pages and files (bounded). Text with a comment
    or a parenthesis left over (a string with nested parentheses) sends the stream to :func:`_words`."""
    parts = _STRINGS.split(data)
    out: list[Any] = []
    memo = _PARTS
    strings = _WORDS
    nested = False
    depth = 0  # brackets open: whole instructions only outside them
    for i, part in enumerate(parts):
        if i & 1:
            value = strings.get(part)
            if value is None:
                value = _word(part)
            out.append(value)
            continue
        entry = memo.get(part)
        if entry is None:
            entry = _part(part)
            if len(part) <= _MEMO_BYTES:  # a long text (a drawing) is not kept from file to file
                if len(memo) > _MEMO_SIZE:
                    memo.clear()
                memo[part] = entry
        if entry is _ODD:
            return _words(_WORD.findall(data))
        if entry[1] is None:
            nested = True
            depth += entry[2]
            out += entry[0]
        else:
            out += entry[1] if whole and not depth else entry[0]
    return _nest(out) if nested else out


def _known(word: bytes) -> Any:
    value = _WORDS.get(word)
    return _word(word) if value is None else value


def _word(word: bytes) -> Any:
    value = _value(word)
    if len(word) <= _MEMO_BYTES:
        if len(_WORDS) > _MEMO_SIZE:
            _WORDS.clear()
            _WORDS.update(_MARKS)
        _WORDS[word] = value
    return value


def _part(text: bytes) -> Any:
    """The tokens of the text between two strings, and the same as :func:`program` gives them (for
    text with brackets or a skipped token: None, and how many brackets it leaves open); ``_ODD`` for
    a comment or a stray parenthesis."""
    if _STRAY.search(text):
        return _ODD
    values = [_known(w) for w in _WORD.findall(text)]
    if any(v.__class__ is object for v in values):
        opened = sum(v is _OPEN_ARRAY or v is _OPEN_DICT for v in values)
        return tuple(values), None, opened - sum(v is _CLOSE_ARRAY or v is _CLOSE_DICT for v in values)
    items: list[Any] = []
    pending: list[Any] = []
    for v in values:
        if v.__class__ is not tuple:
            pending.append(v)
            continue
        n = operands.get(v[0])
        if n is not None and len(pending) >= n:
            cut = len(pending) - n
            items += pending[:cut]
            items.append((v[0], tuple(pending[cut:])))
        else:
            items += pending
            items.append(v)
        pending = []
    items += pending
    return tuple(values), tuple(items)


def _words(words: list[bytes]) -> list[Any]:
    """Every token of the stream converted, one at a time (comments skipped), then nested."""
    return _nest([_known(w) for w in words])


def _nest(values: list[Any]) -> list[Any]:
    """Arrays and dictionaries built from their brackets, comments dropped, as pdfminer nests them."""
    out: list[Any] = []
    stack: list[tuple[object, list[Any]]] = []
    for value in values:
        if value.__class__ is not object:
            if value.__class__ is tuple and stack:  # a bare word inside brackets: pdfminer keeps the keyword
                value = KWD(value[0])
            out.append(value)
        elif value is _OPEN_ARRAY or value is _OPEN_DICT:
            stack.append((value, out))
            out = []
        elif value is not _SKIP:
            if not stack or stack[-1][0] is not (_OPEN_ARRAY if value is _CLOSE_ARRAY else _OPEN_DICT):
                raise Unsupported("unbalanced brackets")
            inner, out = out, stack.pop()[1]
            if value is _CLOSE_ARRAY:
                out.append(inner)
            elif len(inner) % 2:
                raise Unsupported("odd dictionary")
            else:
                out.append({literal_name(k): v for k, v in zip(inner[::2], inner[1::2], strict=True) if v is not None})
    if stack:
        raise Unsupported("unclosed brackets")
    return out


_A85_DIGITS = bytes(range(33, 118))
_A85_VALUE = bytes((b - 33) % 256 for b in range(256))


def install() -> None:
    """From now on pdfminer decodes ASCII85 streams with :func:`ascii85decode` (the same bytes, errors)."""
    from pdfminer import pdftypes

    pdftypes.ascii85decode = ascii85decode


def _unframe(data: bytes) -> bytes:
    """What pdfminer's ``^\\s*<?\\s*~\\s*`` and ``\\s*~\\s*>?\\s*$`` remove (a leading ``<~`` or ``~``, a
    trailing ``~>`` or ``~``), without their quadratic scan of a run of white space."""
    start = data.lstrip()
    if start[:1] == b"<":
        start = start[1:].lstrip()
    if start[:1] == b"~":
        data = start[1:].lstrip()
    end = data.rstrip()
    if end[-1:] == b">":
        end = end[:-1].rstrip()
    if end[-1:] == b"~":
        data = end[:-1].rstrip()
    return data


def ascii85decode(data: bytes) -> bytes:
    """``pdfminer.ascii85.ascii85decode`` (``base64.a85decode``, a Python loop over every byte) with big
    integers: the 5-digit groups are read column by column, each digit spread into its group's 40-bit
    slot of one integer, the columns combined by Horner's rule. Input it does not take as is (``z``
    within a group, characters outside ``!``-``u``, a group over 2**32 - 1) goes to pdfminer's
    function, whose result or error stands."""
    from pdfminer import ascii85

    body = _unframe(data).translate(None, b" \t\n\r\v")
    if b"z" in body:  # four zero bytes, between groups only: the group "!!!!!"
        runs = body.split(b"z")
        if any(len(run) % 5 for run in runs[:-1]):
            return ascii85.ascii85decode(data)
        body = b"!!!!!".join(runs)
    if body.translate(None, _A85_DIGITS):
        return ascii85.ascii85decode(data)
    padded = body + b"u" * 4
    groups = len(padded) // 5
    if not groups:
        return b""
    total = 0
    for k in range(5):  # each group's value in a 40-bit slot: 85**5 < 2**40, no slot carries
        spread = bytearray(5 * groups)
        spread[4::5] = padded[k:groups * 5:5].translate(_A85_VALUE)
        total = total * 85 + int.from_bytes(spread, "big")
    slots = total.to_bytes(5 * groups, "big")
    if slots[0::5].count(0) != groups:  # a group over 2**32 - 1: pdfminer's error
        return ascii85.ascii85decode(data)
    out = bytearray(4 * groups)
    for k in range(4):
        out[k::4] = slots[k + 1::5]
    padding = 4 - (len(padded) - groups * 5)
    return bytes(out[:-padding] if padding else out)
