"""A bound on what pdfminer inflates while perfscore reads one PDF (decompression bombs).

pdfminer inflates each stream in one call (`zlib.decompress`, `lzwdecode`): a 1.5 MB PDF whose page
content inflates a thousandfold costs gigabytes before any check could see the result, and pdfminer has
no option to bound it. So, inside `pdfminer.pdftypes` only, those two names are replaced by versions that
inflate incrementally against a byte budget, which `inflate_budget(n)` sets for the reading thread and
context. Outside that block (another library reading PDFs in the same process) they behave exactly as
the originals. Installed once, on first use.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from io import BytesIO

STEP = 1 << 20

_left: ContextVar[list[int] | None] = ContextVar("perfscore_pdf_inflate_left", default=None)
_installed = False


class InflateLimit(Exception):
    """The PDF's streams inflate to more than the budget."""


def _spend(n: int) -> None:
    left = _left.get()
    if left is not None:
        left[0] -= n
        if left[0] < 0:
            raise InflateLimit


class _Decompressor:
    """`zlib.decompressobj()` whose output counts against the budget."""

    def __init__(self, wbits: int = zlib.MAX_WBITS):
        self._d = zlib.decompressobj(wbits)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self._d.decompress(data, max_length)
        _spend(len(out))
        return out

    def __getattr__(self, name: str):
        return getattr(self._d, name)


def _decompress(data: bytes, *args: int) -> bytes:
    """`zlib.decompress` a step at a time, stopping once the budget is spent (same result, same
    `zlib.error` for a damaged stream, which pdfminer then tries to salvage)."""
    if _left.get() is None:
        return zlib.decompress(data, *args)
    d = zlib.decompressobj(args[0] if args else zlib.MAX_WBITS)
    parts = []
    chunk = d.decompress(data, STEP)
    while True:
        _spend(len(chunk))
        parts.append(chunk)
        if d.eof or not d.unconsumed_tail:
            break
        chunk = d.decompress(d.unconsumed_tail, STEP)
    if not d.eof:
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    return b"".join(parts)


class _Zlib:
    """What `pdfminer.pdftypes` sees as the `zlib` module."""

    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS
    decompress = staticmethod(_decompress)
    decompressobj = _Decompressor

    def __getattr__(self, name: str):
        return getattr(zlib, name)


def _lzwdecode(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    parts = []
    for part in LZWDecoder(BytesIO(data)).run():
        _spend(len(part))
        parts.append(part)
    return b"".join(parts)


def _install() -> None:
    global _installed
    if _installed:
        return
    from pdfminer import pdftypes

    pdftypes.zlib = _Zlib()  # type: ignore[assignment]
    pdftypes.lzwdecode = _lzwdecode
    _installed = True


@contextlib.contextmanager
def inflate_budget(max_bytes: int) -> Iterator[None]:
    """Within the block, pdfminer inflates at most `max_bytes` in all; past that, `InflateLimit`."""
    _install()
    token = _left.set([max_bytes])
    try:
        yield
    finally:
        _left.reset(token)
