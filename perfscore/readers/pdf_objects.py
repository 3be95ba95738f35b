"""A page's characters and ruling lines for pdfplumber, read without pdfminer's slow tokenizer.

Why: reading a PDF form cost ~60 ms a page, three quarters of it in pdfminer's pure-Python content
stream tokenizer (one method call per byte run) and in turning every character into an ``LTChar`` and
then into pdfplumber's dict. Here the content stream is cut into tokens by one regular expression and
fed to pdfminer's own operator handlers (``PDFPageInterpreter.do_*``: text state, matrices, fonts,
form XObjects, paths), so what is drawn where is decided by the same code as before; a character goes
straight to the dict pdfplumber would have built (same keys, same arithmetic as ``LTChar``), and
lines, rectangles and curves go through pdfplumber's own ``process_object``. The result is put into
the pdfplumber page (``page._objects``), so table finding and text extraction run unchanged on it.

Anything this tokenizer does not read the way pdfminer does (inline images, nested parentheses in a
string, ``#`` in a name, vertical writing, a rotated or shifted page, Unicode normalisation) raises
:class:`Unsupported` and the caller lets pdfplumber parse that page as before. Streams are inflated
by pdfminer (``get_data``), so the inflate budget and decryption apply unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import LIT, literal_name
from pdfminer.utils import apply_matrix_rect

__all__ = ["Unsupported", "fill_page"]

_DELIM = rb"()<>\[\]{}/%"
# One token each: a string without unescaped inner parentheses, << >>, a hex string, [ ], a comment, a
# name or a bare word (number, operator), an empty name, or any other character (not read here).
_WORD = re.compile(rb"\((?:[^()\\]|\\.)*\)|<<|>>|<[0-9A-Fa-f\s]*>|[\[\]]|%[^\r\n]*|/?[^\s" + _DELIM + rb"]+|/|\S",
                   re.DOTALL)
_NUMBER = re.compile(rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")  # used with fullmatch
_SKIP, _OPEN_ARRAY, _CLOSE_ARRAY, _OPEN_DICT, _CLOSE_DICT = (object() for _ in range(5))
_MARKS = {b"[": _OPEN_ARRAY, b"]": _CLOSE_ARRAY, b"<<": _OPEN_DICT, b">>": _CLOSE_DICT}
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
        raw = word[1:-1]
        return _ESCAPE.sub(_unescape, raw) if b"\\" in raw else raw
    if first == 0x25:  # %
        return _SKIP
    if first == 0x3C:  # <
        return _hex(word[1:-1])
    if b"#" in word:
        raise Unsupported("# in a name or operator")
    if first == 0x2F:  # /
        try:
            return LIT(str(word[1:], "utf-8"))
        except UnicodeDecodeError:
            return LIT(word[1:])  # type: ignore[arg-type] - pdfminer keeps an undecodable name as bytes
    if 0x30 <= first <= 0x39 or first in b"+-.":
        if _NUMBER.fullmatch(word) is None:
            raise Unsupported(f"number {word[:20]!r}")
        return float(word) if b"." in word else int(word)
    if word in (b"true", b"false"):
        return word == b"true"
    if word in (b"BI", b"ID", b"EI") or first in b")>{}":
        raise Unsupported(f"token {word[:20]!r}")
    return (word,)


def tokens(data: bytes) -> list[Any]:
    """The content stream as pdfminer's ``PDFContentParser`` would give it: numbers, bytes, literals,
    lists, dicts, booleans, and operators as ``bytes`` in a one-element tuple. A page repeats its
    tokens (coordinates, operators, font names), so each distinct one is converted once."""
    out: list[Any] = []
    stack: list[tuple[object, list[Any]]] = []
    memo: dict[bytes, Any] = dict(_MARKS)
    for word in _WORD.findall(data):
        value = memo.get(word)
        if value is None:
            value = memo[word] = _value(word)
        if value.__class__ is not object:
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


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter with the content stream tokenized by :func:`tokens`."""

    def subinterp(self) -> _Interpreter:
        interp = _Interpreter(self.rsrcmgr, self.device)
        interp.parent_stream_ids = self.parent_stream_ids | self.stream_ids
        return interp

    def execute(self, streams) -> None:
        valid = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None:
                raise Unsupported("content stream without an object id")
            if stream.objid not in self.parent_stream_ids:  # a circular reference is skipped, as pdfminer does
                valid.append(stream)
                self.stream_ids.add(stream.objid)
        if not valid:
            return
        data = b"\n".join(s.get_data() for s in valid)
        methods: dict[bytes, tuple[Any, int] | None] = {}
        push = self.argstack.append
        for token in tokens(data):
            if type(token) is not tuple:
                push(token)
                continue
            word = token[0]
            found = methods.get(word, 0)
            if found == 0:
                name = "do_" + word.decode("latin-1").replace("*", "_a").replace('"', "_w").replace("'", "_q")
                func = getattr(self, name, None)
                found = methods[word] = None if func is None else (func, func.__code__.co_argcount - 1)
            if found is None:
                continue  # an unknown operator: pdfminer ignores it and leaves its operands
            func, nargs = found
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)
            else:
                func()
            push = self.argstack.append  # pop() rebinds the stack


def fill_page(page) -> None:
    """Give a pdfplumber page its objects (chars, lines, rects, curves, images) read the fast way.
    Raises :class:`Unsupported` (the page is left untouched) when only pdfminer can read it."""
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    if page.rotation or page.pdf.unicode_norm is not None or page.mediabox[:2] != (0, 0):
        raise Unsupported("rotated, shifted or normalised page")
    height, doctop, number = page.height, page.initial_doctop, page.page_number
    chars: list[dict[str, Any]] = []
    spaces: dict[object, object] = {}  # colour space -> its decoded name
    glyphs: dict[int, tuple[object, dict[int, tuple[str, float]]]] = {}  # font -> cid -> (text, width)

    class Device(PDFPageAggregatorWithMarkedContent):
        def render_string_horizontal(self, seq, matrix, pos, font, fontsize, scaling, charspace,
                                     wordspace, rise, dxscale, ncs, graphicstate):
            """pdfminer's loop over a string's characters with ``LTChar``'s arithmetic inlined: the
            same floats, computed in the same order, straight into pdfplumber's dict."""
            if font.is_vertical():
                raise Unsupported("vertical writing")
            x, y = pos
            a, b, c, d, e, f = matrix
            low = font.get_descent() * fontsize + rise
            high = low + fontsize
            fontname = font.fontname
            if isinstance(fontname, bytes):
                raise Unsupported("byte-encoded font name")
            known = glyphs.setdefault(id(font), (font, {}))[1]
            scolor, ncolor = graphicstate.scolor, graphicstate.ncolor
            common = {"fontname": fontname, "upright": a * d * scaling > 0 and b * c <= 0,
                      "mcid": self.cur_mcid, "tag": self.cur_tag, "object_type": "char", "page_number": number,
                      "ncs": spaces[ncs] if ncs in spaces else spaces.setdefault(ncs, _decoded(ncs.name)),
                      "stroking_color": scolor if isinstance(scolor, tuple) else (scolor,),
                      "non_stroking_color": ncolor if isinstance(ncolor, tuple) else (ncolor,)}
            straight = b == 0 and c == 0
            needcharspace = False
            for obj in seq:
                if isinstance(obj, (int, float)):
                    x -= obj * dxscale
                    needcharspace = True
                    continue
                if not isinstance(obj, bytes):
                    continue
                for cid in font.decode(obj):
                    if needcharspace:
                        x += charspace
                    glyph = known.get(cid)
                    if glyph is None:
                        try:
                            text = font.to_unichr(cid)
                        except PDFUnicodeNotDefined:
                            text = f"(cid:{cid})"
                        glyph = known[cid] = (text, font.char_width(cid))
                    adv = glyph[1] * fontsize * scaling
                    m = (a, b, c, d, x * a + y * c + e, x * b + y * d + f)
                    if straight:  # apply_matrix_rect's corners, where b*… and c*… add zeros
                        x0, x1, y0, y1 = m[4], a * adv + m[4], d * low + m[5], d * high + m[5]
                        if x1 < x0:
                            x0, x1 = x1, x0
                        if y1 < y0:
                            y0, y1 = y1, y0
                    else:
                        x0, y0, x1, y1 = apply_matrix_rect(m, (0, low, adv, high))
                    top = height - y1
                    chars.append({**common, "matrix": m, "adv": adv, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                                  "width": x1 - x0, "height": y1 - y0, "size": y1 - y0, "text": glyph[0],
                                  "top": top, "bottom": height - y0, "doctop": doctop + top})
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
            return (x, y)

    device = Device(page.pdf.rsrcmgr, pageno=number, laparams=None)
    _Interpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    objects: dict[str, list[dict[str, Any]]] = {"char": chars} if chars else {}
    for obj in page.iter_layout_objects(device.get_result()._objs):
        kind = obj["object_type"]
        if kind != "anno":
            objects.setdefault(kind, []).append(obj)
    page._objects = objects


def _decoded(name: object) -> object:
    from pdfplumber.utils.pdfinternals import resolve_and_decode

    return resolve_and_decode(name)
