"""A page's content stream run without pdfminer's per-operator method calls, with pdfminer's arithmetic.

Why: with the stream tokenized fast (:mod:`perfscore.readers.pdf_objects`), most of a PDF form's
reading time was pdfminer's operator handlers: a method call, ``safe_float`` on every operand, and two
state objects copied on every ``q``. Here the operators these forms are made of (``q Q cm``, the text
state and positioning operators, ``Tj TJ ' "``, colours, path construction and painting) are carried
out in one loop over local variables: each line is pdfminer's own handler written out, so the same
floats, in the same order, reach the same places (the character builder, ``device.paint_path``).
Anything else (marked content, colour spaces, XObjects, an operand a handler would refuse or only
warn about, a font missing from the resources) is handed to pdfminer's handler with the state copied
into its objects and back, so what it does is what pdfminer does. ``tests/readers/test_pdf_fast.py``
checks the objects against pdfplumber's on every test PDF.
"""

from __future__ import annotations

import re
from typing import Any

from pdfminer.pdfinterp import PDFGraphicState, PDFTextState
from pdfminer.psparser import PSLiteral
from pdfminer.utils import MATRIX_IDENTITY

from perfscore.readers.pdf_objects import _Interpreter, stream_data
from perfscore.readers.pdf_objects import fill_page as _fill_with
from perfscore.readers.pdf_tokens import Unsupported, program
from perfscore.readers.pdf_tokens import operands as _OPS

__all__ = ["Direct", "fill_page"]

_PAINT = {b"S": (True, False, False), b"f": (False, True, False), b"f*": (False, True, True),
          b"B": (True, True, False), b"B*": (True, True, True)}
_MARKING = {b"BDC", b"BMC", b"DP", b"MP"}
_CLOSE_PAINT = {b"s": b"S", b"b": b"B", b"b*": b"B*"}
_BAD = (TypeError, ValueError, OverflowError)  # what safe_float/safe_int catch: the handler's own way
_TEXT = ("font", "fontsize", "charspace", "wordspace", "scaling", "leading", "render", "rise", "matrix",
         "linematrix")
_GRAPHIC = ("linewidth", "linecap", "linejoin", "miterlimit", "dash", "intent", "flatness", "scolor", "scs",
            "ncolor", "ncs")


class OnlyPdfplumber(Unsupported):
    """What pdfplumber alone reads exactly: leave the page to it."""


def fill_page(page) -> None:
    """:func:`perfscore.readers.pdf_objects.fill_page` with this interpreter, or with pdfminer's
    handlers when this one meets what it does not carry out exactly (vertical writing)."""
    try:
        _fill_with(page, Direct)
    except OnlyPdfplumber:
        raise
    except Unsupported:
        _fill_with(page, _Interpreter)


class Direct(_Interpreter):
    """pdfminer's interpreter with the common operators carried out in :meth:`run`."""

    line: Any  # the builder of single straight lines (see pdf_objects.fill_page)

    def execute(self, streams) -> None:
        data = stream_data(self, streams)
        if data is not None:
            self.run(data)

    def _load(self) -> tuple:
        ts, gs = self.textstate, self.graphicstate
        return (self.ctm, self.device.ctm, *(getattr(ts, k) for k in _TEXT), *(getattr(gs, k) for k in _GRAPHIC),
                self.curpath, self.argstack)

    def _store(self, state: tuple) -> None:
        self.ctm, self.device.ctm = state[0], state[1]
        ts, gs = PDFTextState(), PDFGraphicState()
        for k, v in zip(_TEXT, state[2:12], strict=True):
            setattr(ts, k, v)
        for k, v in zip(_GRAPHIC, state[12:23], strict=True):
            setattr(gs, k, v)
        self.textstate, self.graphicstate, self.curpath, self.argstack = ts, gs, state[23], state[24]

    def _handler(self, word: bytes, cache: dict) -> tuple[Any, int] | None:
        found = cache.get(word, 0)
        if found == 0:
            name = "do_" + word.decode("latin-1").replace("*", "_a").replace('"', "_w").replace("'", "_q")
            func = getattr(self, name, None)
            found = cache[word] = None if func is None else (func, func.__code__.co_argcount - 1)
        return found

    def paint(self, path: list, ctm: tuple, how: tuple[bool, bool, bool], state: tuple) -> None:
        """pdfminer's ``paint_path`` (with pdfplumber's marking of the object made): a path of one
        straight segment is built by the ``line`` function, other paths by the device itself."""
        shape = "".join(p[0] for p in path)
        if shape == "ml" or shape == "mlh":
            linewidth, dash, scolor, ncolor = state[0], state[4], state[7], state[9]
            self.line(path, ctm, linewidth, *how, scolor, ncolor, dash)
            return
        if shape[:1] == "m" and shape.count("m") > 1:  # each subpath on its own, as pdfminer recurses
            for part in re.finditer(r"m[^m]+", shape):
                self.paint(path[part.start():part.end()], ctm, how, state)
            return
        device: Any = self.device  # pdfplumber's aggregator
        made = len(device.cur_item._objs)
        gs = PDFGraphicState()
        (gs.linewidth, gs.linecap, gs.linejoin, gs.miterlimit, gs.dash, gs.intent, gs.flatness, gs.scolor, gs.scs,
         gs.ncolor, gs.ncs) = state
        device.paint_path(gs, *how, path)
        if len(device.cur_item._objs) == made and (getattr(device, "marked", False) or device.cur_tag is not None):
            # pdfplumber marks "the last object made" with the marked content: an older one here
            raise OnlyPdfplumber("a path that paints nothing, on a page with marked content")

    def run(self, data: bytes) -> None:
        """Execute a content stream. The state lives in locals (saved by ``q`` as one tuple); an operator
        left to pdfminer gets the state in its objects (:meth:`_store`) and gives it back (:meth:`_load`)."""
        show, csmap, fontmap = self.show, self.csmap, self.fontmap
        handlers: dict[bytes, tuple[Any, int] | None] = {}
        gstack: list[tuple] = []
        (ctm, dctm, font, fontsize, charspace, wordspace, scaling, leading, render, rise, tm, lm,
         linewidth, linecap, linejoin, miterlimit, dash, intent, flatness, scolor, scs, ncolor, ncs,
         curpath, stack) = self._load()
        stack = list(stack)
        seq = None
        n: int | None
        for item in program(data):
            if item.__class__ is not tuple:
                stack.append(item)
                continue
            if len(item) == 2:  # a whole instruction: its operands are the last pushed, as pdfminer's pop takes them
                op, args = item
                n = len(args)
            else:
                op = item[0]
                n = _OPS.get(op)
                if n is None:
                    args = ()
                elif n:
                    if len(stack) < n:  # pdfminer's pop: the handler is not called, the operands are gone
                        stack = []
                        continue
                    args = stack[-n:]
                    del stack[-n:]
                else:
                    args = ()
            if n is not None:
                try:
                    if op == b"Tf":
                        fid, size = args
                        if fid.__class__ is not PSLiteral or fid.name.__class__ is not str or fid.name not in fontmap:
                            raise TypeError
                        fontsize, font = float(size), fontmap[fid.name]
                    elif op == b"TL":
                        leading = -float(args[0])
                    elif op == b"q":
                        gstack.append((ctm, font, fontsize, charspace, wordspace, scaling, leading, render, rise, tm,
                                       lm, linewidth, linecap, linejoin, miterlimit, dash, intent, flatness, scolor,
                                       scs, ncolor, ncs))
                    elif op == b"Q":
                        if gstack:
                            (ctm, font, fontsize, charspace, wordspace, scaling, leading, render, rise, tm, lm,
                             linewidth, linecap, linejoin, miterlimit, dash, intent, flatness, scolor, scs, ncolor,
                             ncs) = gstack.pop()
                            dctm = self.device.ctm = ctm
                    elif op == b"Tj":
                        seq = [args[0]]
                    elif op == b"TJ":
                        seq = args[0]
                    elif op == b"T*":
                        a, b, c, d, e, f = tm
                        tm, lm = (a, b, c, d, leading * c + e, leading * d + f), (0, 0)
                    elif op == b"BT":
                        tm, lm = MATRIX_IDENTITY, (0, 0)
                    elif op == b"ET" or op == b"W" or op == b"W*" or op == b"gs":
                        pass
                    elif op == b"Tm":
                        a, b, c, d, e, f = args
                        tm, lm = (float(a), float(b), float(c), float(d), float(e), float(f)), (0, 0)
                    elif op == b"cm":
                        a1, b1, c1, d1, e1, f1 = (float(v) for v in args)
                        a0, b0, c0, d0, e0, f0 = ctm
                        ctm = (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
                               a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)
                        dctm = self.device.ctm = ctm
                    elif op == b"Td" or op == b"TD":
                        tx, ty = float(args[0]), float(args[1])
                        a, b, c, d, e, f = tm
                        tm, lm = (a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f), (0, 0)
                        if op == b"TD":
                            leading = ty
                    elif op == b"rg" or op == b"RG" or op == b"k" or op == b"K":
                        color = tuple(float(v) for v in args)
                        space = csmap["DeviceRGB" if n == 3 else "DeviceCMYK"]
                        if op == b"rg" or op == b"k":
                            ncolor, ncs = color, space
                        else:
                            scolor, scs = color, space
                    elif op == b"g":
                        ncolor, ncs = float(args[0]), csmap["DeviceGray"]
                    elif op == b"G":
                        scolor, scs = float(args[0]), csmap["DeviceGray"]
                    elif op == b"m" or op == b"l":
                        curpath.append((op.decode(), float(args[0]), float(args[1])))
                    elif op == b"re":
                        x, y, w, h = (float(v) for v in args)
                        curpath += [("m", x, y), ("l", x + w, y), ("l", x + w, y + h), ("l", x, y + h), ("h",)]
                    elif op == b"c" or op == b"v" or op == b"y":
                        curpath.append((op.decode(), *(float(v) for v in args)))
                    elif op == b"h":
                        curpath.append(("h",))
                    elif op in _PAINT or op in _CLOSE_PAINT:
                        if op in _CLOSE_PAINT:
                            curpath.append(("h",))
                            op = _CLOSE_PAINT[op]
                        self.paint(curpath, dctm, _PAINT[op], (linewidth, linecap, linejoin, miterlimit, dash,
                                                               intent, flatness, scolor, scs, ncolor, ncs))
                        curpath = []
                    elif op == b"n":
                        curpath = []
                    elif op == b"F":
                        pass  # pdfminer: obsolete, does nothing (the path stays)
                    elif op == b"Tc":
                        charspace = float(args[0])
                    elif op == b"Tw":
                        wordspace = float(args[0])
                    elif op == b"Tz":
                        scaling = float(args[0])
                    elif op == b"Ts":
                        rise = float(args[0])
                    elif op == b"Tr":
                        render = int(args[0])
                    elif op == b"w":
                        width = float(args[0])
                        linewidth = width * (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5
                    elif op == b"J":
                        linecap = args[0]
                    elif op == b"j":
                        linejoin = args[0]
                    elif op == b"M":
                        miterlimit = args[0]
                    elif op == b"d":
                        dash = (args[0], args[1])
                    elif op == b"ri":
                        intent = args[0]
                    elif op == b"i":
                        flatness = args[0]
                    elif op == b'"' or op == b"'":  # then shown below, as Tj
                        if op == b'"':
                            wordspace, charspace = float(args[0]), float(args[1])
                        else:
                            a, b, c, d, e, f = tm
                            tm, lm = (a, b, c, d, leading * c + e, leading * d + f), (0, 0)
                        seq = [args[-1]]
                    else:
                        raise Unsupported(f"operator {op!r} listed but not carried out")
                except _BAD:
                    stack += args  # pdfminer's handler reads them (and warns, or refuses) itself
                else:
                    if seq is not None and font is not None:  # pdfminer's render_string
                        a1, b1, c1, d1, e1, f1 = tm
                        a0, b0, c0, d0, e0, f0 = dctm
                        scale = scaling * 0.01
                        lm = show(seq, (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
                                        a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0),
                                  lm, font, fontsize, scale, charspace * scale,
                                  0 if font.is_multibyte() else wordspace * scale, rise, 0.001 * fontsize * scale,
                                  ncs, scolor, ncolor)
                        seq = None
                    continue
            if op in _MARKING:
                self.device.marked = True  # type: ignore[attr-defined]
            found = self._handler(op, handlers)
            if found is None:
                continue  # an unknown operator: pdfminer ignores it and leaves its operands
            self._store((ctm, dctm, font, fontsize, charspace, wordspace, scaling, leading, render, rise, tm, lm,
                         linewidth, linecap, linejoin, miterlimit, dash, intent, flatness, scolor, scs, ncolor, ncs,
                         curpath, stack))
            func, nargs = found
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)
            else:
                func()
            (ctm, dctm, font, fontsize, charspace, wordspace, scaling, leading, render, rise, tm, lm,
             linewidth, linecap, linejoin, miterlimit, dash, intent, flatness, scolor, scs, ncolor, ncs,
             curpath, stack) = self._load()
        self._store((ctm, dctm, font, fontsize, charspace, wordspace, scaling, leading, render, rise, tm, lm,
                     linewidth, linecap, linejoin, miterlimit, dash, intent, flatness, scolor, scs, ncolor, ncs,
                     curpath, stack))
