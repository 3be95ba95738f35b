"""Escaping for the report writers: every string that came from a form is untrusted.

Markdown: pipes, newlines and the punctuation that would start markup are escaped, so a cell stays a cell
and a name stays text. HTML: `html.escape`. Spreadsheets: text that Excel (or a CSV import) would run as
a formula — starting with = + - @, tab or CR — is stored as a string with Excel's quote prefix, and the
control characters XML cannot hold are dropped.
"""

from __future__ import annotations

import html
import re

# ASCII punctuation that starts Markdown markup (CommonMark lets any of it be backslash-escaped)
_MD_SPECIAL = re.compile(r"([\\`*_\[<>|~&])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md_text(text: object) -> str:
    """Inline Markdown text: markup escaped, line breaks as spaces."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(_NEWLINES.split(str(text))).strip())


def md_cell(text: object) -> str:
    """A Markdown table cell: like `md_text`, but line breaks kept as <br> (a raw newline ends the row)."""
    if text is None:
        return ""
    lines = [_MD_SPECIAL.sub(r"\\\1", line.strip()) for line in _NEWLINES.split(str(text))]
    return "<br>".join(line for line in lines if line)


def md_code(text: object) -> str:
    """Inline code (finding codes, rule names): backticks in the text are dropped, pipes escaped."""
    return "`" + str(text).replace("`", "'").replace("|", "\\|") + "`"


def h(text: object) -> str:
    """HTML text or attribute value."""
    return "" if text is None else html.escape(str(text), quote=True)


def xml_text(text: str) -> str:
    """Drop the characters an XML file (so an .xlsx) cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read the text as a formula (CSV/formula injection)."""
    return text.startswith(FORMULA_START)
