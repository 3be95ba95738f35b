"""A page's characters and ruling lines for pdfplumber, read without pdfminer's slow tokenizer.

Why: reading a PDF form cost ~60 ms a page, three quarters of it in pdfminer's pure-Python content
stream tokenizer (one method call per byte run) and in turning every character into an ``LTChar`` and
then into pdfplumber's dict. Here the content stream is tokenized by :mod:`perfscore.readers.pdf_tokens`
and run by an interpreter (:mod:`perfscore.readers.pdf_direct`, or :class:`_Interpreter`: pdfminer's
own operator handlers), so what is drawn where is decided by pdfminer's arithmetic; a character goes
straight to the dict pdfplumber would have built (same keys, same arithmetic as ``LTChar``), and
lines, rectangles and curves go through pdfplumber's own ``process_object`` (single straight lines may
be built directly, the same way, by the interpreter). The result is put into the pdfplumber page
(``page._objects``), so table finding and text extraction run unchanged on it.

Anything not read the way pdfminer does (inline images, nested parentheses in a string, ``#`` in a
name, vertical writing, a rotated or shifted page, Unicode normalisation) raises :class:`Unsupported`
and the caller lets pdfplumber parse that page as before. Streams are inflated by pdfminer
(``get_data``), so the inflate budget and decryption apply unchanged.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfminer.utils import apply_matrix_rect

from perfscore.readers.pdf_tokens import _MEMO_SIZE, Unsupported, tokens

__all__ = ["Unsupported", "fill_page", "stream_data", "tokens"]

def stream_data(interp: PDFPageInterpreter, streams) -> bytes | None:
    """The content streams' bytes as ``PDFPageInterpreter.execute`` reads them (a stream already being
    executed higher up is skipped, a circular reference), inflated by pdfminer; None when none is left."""
    valid = []
    interp.stream_ids.clear()
    for obj in streams:
        stream = stream_value(obj)
        if stream.objid is None:
            raise Unsupported("content stream without an object id")
        if stream.objid not in interp.parent_stream_ids:  # a circular reference is skipped, as pdfminer does
            valid.append(stream)
            interp.stream_ids.add(stream.objid)
    if not valid:
        return None
    return b"\n".join(s.get_data() for s in valid)


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter with the content stream tokenized by :func:`tokens`."""

    show: Any  # the character builder (see fill_page)

    def subinterp(self) -> _Interpreter:
        interp = self.__class__(self.rsrcmgr, self.device)
        interp.parent_stream_ids = self.parent_stream_ids | self.stream_ids
        interp.show = self.show
        return interp

    def execute(self, streams) -> None:
        data = stream_data(self, streams)
        if data is None:
            return
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
            func, nargs = found  # type: ignore[misc]  # a (handler, count) pair here, never 0
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)
            else:
                func()
            push = self.argstack.append  # pop() rebinds the stack


def fill_page(page, interpreter: type[PDFPageInterpreter] = _Interpreter) -> None:
    """Give a pdfplumber page its objects (chars, lines, rects, curves, images) read the fast way, the
    content stream run by ``interpreter`` (given ``show``, the character builder, and ``line``, the
    builder of single straight lines, as attributes). Raises :class:`Unsupported` (the page is left
    untouched) when only pdfminer can read it."""
    from pdfminer import settings

    if page.rotation or page.pdf.unicode_norm is not None or page.mediabox[:2] != (0, 0) or settings.STRICT:
        raise Unsupported("rotated, shifted or normalised page, or pdfminer in strict mode")
    chars: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    device = _device_class()(page.pdf.rsrcmgr, pageno=page.page_number, laparams=None)
    interp = interpreter(page.pdf.rsrcmgr, device)
    interp.show = device.show = _shower(page, device, chars)  # type: ignore[attr-defined]
    interp.line = _liner(page, device, lines)  # type: ignore[attr-defined]
    try:
        interp.process_page(page.page_obj)
    finally:  # the builders refer to the device: no cycle left for the collector (it holds the page's chars)
        device.show = interp.show = interp.line = None  # type: ignore[attr-defined]
    objects: dict[str, list[dict[str, Any]]] = {"char": chars} if chars else {}
    if lines:
        objects["line"] = lines
    for obj in page.iter_layout_objects(device.get_result()._objs):
        kind = obj["object_type"]
        if kind == "line" and lines:
            raise Unsupported("lines built directly and by pdfminer: their order is not known")
        if kind != "anno":
            objects.setdefault(kind, []).append(obj)
    page._objects = objects


@cache
def _device_class() -> type:
    """pdfplumber's device, strings shown by the page's ``show`` (one class, made once)."""
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class Device(PDFPageAggregatorWithMarkedContent):
        show: Any = None

        def render_string_horizontal(self, seq, matrix, pos, font, fontsize, scaling, charspace,
                                     wordspace, rise, dxscale, ncs, graphicstate):
            return self.show(seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs,
                             graphicstate.scolor, graphicstate.ncolor)

    return Device


def _liner(page, device, lines: list[dict[str, Any]]):
    """The function that paints a path of one straight segment (``m l`` or ``m l h``): pdfminer's
    ``paint_path`` making the ``LTLine`` and pdfplumber's ``process_object`` turning it into a dict,
    written out as one (the same values, by the same arithmetic), appended to ``lines``."""
    from pdfminer.utils import get_bound
    from pdfplumber.utils.pdfinternals import resolve_all

    height, doctop, number = page.height, page.initial_doctop, page.page_number
    mb_x0, mb_top = page.mediabox[:2]

    def coord(pt: tuple[float, float]) -> tuple[float, float]:  # pdfplumber's point2coord
        return (mb_x0 + pt[0], mb_top + height - pt[1])

    def colour(value: Any) -> Any:  # resolve_all, which copies a tuple of numbers as it is
        if value.__class__ is float or value.__class__ is int or (
                value.__class__ is tuple and all(v.__class__ is float or v.__class__ is int for v in value)):
            return value
        return resolve_all(value)

    def line(path, ctm, linewidth, stroke, fill, evenodd, scolor, ncolor, dash) -> None:
        a, b, c, d, e, f = ctm
        (_, x, y), (_, u, v) = path[0], path[1]  # "m", "l" (then "h", whose point is the first)
        p0, p1 = (a * x + c * y + e, b * x + d * y + f), (a * u + c * v + e, b * u + d * v + f)
        x0, y0, x1, y1 = get_bound((p0, p1))
        top = (height - y1) + mb_top
        c0, c1 = coord(p0), coord(p1)
        lines.append({"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
                      "pts": [c0, c1], "linewidth": linewidth, "stroke": stroke, "fill": fill, "evenodd": evenodd,
                      "stroking_color": colour(scolor), "non_stroking_color": colour(ncolor),
                      "mcid": device.cur_mcid, "tag": device.cur_tag, "object_type": "line", "page_number": number,
                      "path": [("m", c0), ("l", c1), ("h",)] if len(path) == 3 else [("m", c0), ("l", c1)],
                      "dash": dash, "top": top, "bottom": (height - y0) + mb_top, "doctop": doctop + top})

    return line


def _shower(page, device, chars: list[dict[str, Any]]):
    """The function that shows a string: pdfminer's ``render_string_horizontal`` with ``LTChar``'s
    arithmetic inlined (the same floats, computed in the same order), each character straight into the
    dict pdfplumber would have built, appended to ``chars``."""
    height, doctop, number = page.height, page.initial_doctop, page.page_number
    spaces: dict[object, object] = {}  # colour space -> its decoded name
    append = chars.append

    def show(seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise, dxscale, ncs, scolor, ncolor):
        if font.is_vertical():
            raise Unsupported("vertical writing")
        x, y = pos
        a, b, c, d, e, f = matrix
        low = font.get_descent() * fontsize + rise
        high = low + fontsize
        fontname = font.fontname
        if isinstance(fontname, bytes):
            raise Unsupported("byte-encoded font name")
        runs = _GLYPHS.get(font)
        if runs is None:
            runs = _GLYPHS[font] = {}
        common = {"fontname": fontname, "upright": a * d * scaling > 0 and b * c <= 0,
                  "mcid": device.cur_mcid, "tag": device.cur_tag, "object_type": "char", "page_number": number,
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
            run = runs.get(obj)
            if run is None:
                run = runs[obj] = _glyphs(font, obj, runs)
            for cid, text, width in run:
                if needcharspace:
                    x += charspace
                adv = width * fontsize * scaling
                m = (a, b, c, d, x * a + y * c + e, x * b + y * d + f)
                if straight:  # apply_matrix_rect's corners, where b*… and c*… add zeros
                    x0, x1, y0, y1 = m[4], a * adv + m[4], d * low + m[5], d * high + m[5]
                    if x1 < x0:
                        x0, x1 = x1, x0
                    if y1 < y0:
                        y0, y1 = y1, y0
                else:
                    x0, y0, x1, y1 = apply_matrix_rect(m, (0, low, adv, high))
                top = height - y1  # dict(common, …) builds in a third of {**common, …}'s time
                append(dict(common, matrix=m, adv=adv, x0=x0, y0=y0, x1=x1, y1=y1, width=x1 - x0,
                            height=y1 - y0, size=y1 - y0, text=text, top=top, bottom=height - y0, doctop=doctop + top))
                x += adv
                if cid == 32 and wordspace:
                    x += wordspace
                needcharspace = True
        return (x, y)

    return show


# font -> {string: its glyphs as (cid, text, width)}, for every page the font is used on (a form's labels
# recur); the font's own cache of a cid is under the cid (an int), strings under their bytes.
_GLYPHS: WeakKeyDictionary[Any, dict[Any, Any]] = WeakKeyDictionary()


def _glyphs(font, string: bytes, known: dict[Any, Any]) -> tuple[tuple[int, str, float], ...]:
    """What pdfminer's loop reads from a string: each character's cid, text (``(cid:N)`` without a
    Unicode map) and width, each cid's looked up once per font."""
    if len(known) > _MEMO_SIZE:
        known.clear()
    out = []
    for cid in font.decode(string):
        glyph = known.get(cid)
        if glyph is None:
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = f"(cid:{cid})"
            glyph = known[cid] = (cid, text, font.char_width(cid))
        out.append(glyph)
    return tuple(out)


def _decoded(name: object) -> object:
    from pdfplumber.utils.pdfinternals import resolve_and_decode

    return resolve_and_decode(name)

