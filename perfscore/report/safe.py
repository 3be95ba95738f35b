"""Escaping for the report writers: every string that came from a form is untrusted.

Markdown: pipes, newlines and the punctuation that would start markup are escaped, so a cell stays a cell
and a name stays text. HTML: `html.escape`. Spreadsheets: text that Excel (or a CSV import) would run as
a formula — starting with = + - @, tab or CR — is stored as a string with Excel's quote prefix, and the
control characters XML cannot hold are dropped.

Terminals (the table, and Markdown or HTML shown with `cat`): a control character in a form would drive
the auditor's terminal (`ESC[2J` clears it, CR overwrites a line, bidi overrides reorder what is shown).
Whitespace controls become a space, so a cell stays on its line; every other one is shown as its escape
(`\x1b`, `\u202e`), so it can be seen without acting. Printable text, CJK included, is left as it is.
"""

from __future__ import annotations

import html
import re

# ASCII punctuation that starts Markdown markup (CommonMark lets any of it be backslash-escaped)
_MD_SPECIAL = re.compile(r"([\\`*_\[<>|~&])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0, DEL and C1 controls (\x9b is a one-byte CSI to some terminals) and the bidi marks and overrides
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# what str.split() breaks on among the controls, and the Unicode line and paragraph separators
_SPACE_CONTROL = re.compile("\r\n|[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def term_text(text: object) -> str:
    """One line for a terminal: whitespace controls as a space, every other control as its escape."""
    if text is None:
        return ""
    return _CONTROL.sub(_escape, _SPACE_CONTROL.sub(" ", str(text)))


def term_block(text: str) -> str:
    """Lines for a terminal: like `term_text` but newlines and tabs kept (the writer's own layout)."""
    return _CONTROL_BUT_LINES.sub(_escape, text)


def md_text(text: object) -> str:
    """Inline Markdown text: markup escaped, line breaks as spaces."""
    if text is None:
        return ""
    return term_text(_MD_SPECIAL.sub(r"\\\1", " ".join(_NEWLINES.split(str(text))).strip()))


def md_cell(text: object) -> str:
    """A Markdown table cell: like `md_text`, but line breaks kept as <br> (a raw newline ends the row)."""
    if text is None:
        return ""
    lines = [term_text(_MD_SPECIAL.sub(r"\\\1", line.strip())) for line in _NEWLINES.split(str(text))]
    return "<br>".join(line for line in lines if line)


def md_code(text: object) -> str:
    """Inline code (finding codes, rule names): backticks in the text are dropped, pipes escaped."""
    return "`" + term_text(str(text).replace("`", "'").replace("|", "\\|")) + "`"


def h(text: object) -> str:
    """HTML text or attribute value; controls other than tab and newline shown as their escapes."""
    return "" if text is None else term_block(html.escape(_NEWLINES.sub("\n", str(text)), quote=True))


def xml_text(text: str) -> str:
    """Drop the characters an XML file (so an .xlsx) cannot hold."""
    return _XML_ILLEGAL.sub("", text)


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read the text as a formula (CSV/formula injection)."""
    return text.startswith(FORMULA_START)
