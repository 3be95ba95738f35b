"""Bytes to text for the text and HTML readers: the encodings Chinese forms really come in, and which one it was.

Order, cheapest and most certain first: a byte-order mark (UTF-8, UTF-16, UTF-32); strict UTF-8; UTF-16
without a mark when the NUL bytes fall on one side of each pair (ASCII digits and separators in UTF-16);
strict GB18030 (a superset of GBK and GB2312, what Chinese government pages use) unless the bytes are
also valid Big5 and read as Big5 give the more common characters; then charset-normalizer for anything
else. A UTF-8 file with a few damaged bytes or cut inside its last character is
still UTF-8 (the bad bytes replaced and counted in the name), not GB18030 mojibake. Content with many
control characters is binary, not text, and nothing that does not decode is guessed at: one
:class:`ReadError` line.
"""

from __future__ import annotations

import functools
import re

from perfscore.errors import ReadError

__all__ = ["decode"]

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SAMPLE = 1 << 16
# Controls other than tab, line feed, vertical tab, form feed and carriage return: text has next to none.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_SHARE = 0.01
# A UTF-8 file may carry a few broken bytes (a bad copy, a cut download): at most this share of its
# characters (or 4), and a fraction of the valid non-ASCII characters around them.
_UTF8_DAMAGE_SHARE = 0.001


def _binary(text: str) -> bool:
    sample = text[:_SAMPLE]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) > _BINARY_SHARE * len(sample)


def _nul_endianness(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NUL bytes sit on one side of the byte pairs, as ASCII in UTF-16 does."""
    sample = data[: _SAMPLE & ~1]
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    pairs = len(sample) // 2
    if not pairs or odd + even < pairs / 16:
        return None
    if odd >= 0.9 * (odd + even):
        return "utf-16-le"
    if even >= 0.9 * (odd + even):
        return "utf-16-be"
    return None


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 with a few bad bytes: the text with U+FFFD for them and their count; None when not UTF-8."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - bad
    if bad <= max(4, _UTF8_DAMAGE_SHARE * len(text)) and non_ascii >= 4 * bad:
        return text, bad
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, file: str) -> tuple[str, str]:
    """``(text, encoding)`` for a file's bytes; raises one :class:`ReadError` line when it is not text.

    The encoding is a Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``gb18030``, …), with a
    note when damaged UTF-8 bytes were replaced, so a reader can say how it read the file.
    """
    if not data:
        return "", "utf-8"
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], encoding.removesuffix("-sig"))
            if text is None:
                raise ReadError(file, f"starts with a {encoding.removesuffix('-sig').upper()} byte-order mark "
                                      "but does not decode as it")
            if _binary(text):
                break
            return text, encoding
    if b"\x00" not in data[:_SAMPLE]:
        text = _strict(data, "utf-8")
        if text is not None and not _binary(text):
            return text, "utf-8"
    else:
        endianness = _nul_endianness(data)
        if endianness:
            text = _strict(data[: len(data) & ~1], endianness)
            if text is not None and not _binary(text):
                return text, endianness
    damaged = _damaged_utf8(data)
    if damaged is not None and not _binary(damaged[0]):
        text, bad = damaged
        return text, f"utf-8 ({bad} invalid byte{'s' if bad != 1 else ''} replaced)"
    text = _strict(data, "gb18030")
    if text is not None and not _binary(text):
        big5 = _strict(data, "big5")
        if big5 is not None and not _binary(big5) and _common_share(big5) > _common_share(text):
            return big5, "big5"
        return text, "gb18030"
    return _guess(data, file)


@functools.lru_cache(maxsize=1)
def _common_characters() -> frozenset[str]:
    """The most used characters: GB2312 level 1 (simplified) and Big5 level 1 (traditional)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        chars.update(bytes([lead, t]).decode("gb2312", "ignore") for t in range(0xA1, 0xFF))
    for lead in range(0xA4, 0xC7):
        for t in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.add(bytes([lead, t]).decode("big5", "ignore"))
    chars.discard("")
    return frozenset(chars)


def _common_share(text: str) -> float:
    """Share of the CJK characters that are common ones. Text decoded with the right codec scores ~1.0;
    Big5 bytes read as GB18030 score about half: that is how the two, both valid, are told apart."""
    sample = text[:_SAMPLE]
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    common = _common_characters()
    return sum(ch in common for ch in cjk) / len(cjk)


def _guess(data: bytes, file: str) -> tuple[str, str]:
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        raise ReadError(file, "not text in UTF-8, UTF-16 or GB18030 (install charset-normalizer to try others)") \
            from None
    best = from_bytes(data).best()
    if best is None:
        raise ReadError(file, "not text: no encoding decodes it (binary content?)")
    text = str(best)
    if _binary(text):
        raise ReadError(file, "not text: binary content")
    return text, best.encoding
