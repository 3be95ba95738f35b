"""Reader registry: picks the reader for a file by extension, or by sniffing when the extension lies.

Every reader module exposes ``read(path: Path) -> Iterator[Document]`` and raises ``ReadError`` (one
line, naming file, form and cell) for input it cannot use; the readers of containers that can cost far
more than their size (`LIMITED`) take the run's `Limits` as a second argument. Readers that need an optional
library import it inside ``read`` and raise ``MissingDependency`` when it is absent, so importing perfscore stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from perfscore.errors import ReadError
from perfscore.model import Document
from perfscore.readers.limits import DEFAULT_LIMITS, Limits

READERS: dict[str, str] = {
    ".yaml": "perfscore.readers.structured",
    ".yml": "perfscore.readers.structured",
    ".json": "perfscore.readers.structured",
    ".jsonl": "perfscore.readers.structured",
    ".txt": "perfscore.readers.text",
    ".md": "perfscore.readers.text",
    ".xlsx": "perfscore.readers.excel",
    ".xlsm": "perfscore.readers.excel",
    ".xls": "perfscore.readers.excel",
    ".docx": "perfscore.readers.word",
    ".pdf": "perfscore.readers.pdf",
    ".html": "perfscore.readers.html",
    ".htm": "perfscore.readers.html",
}

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", ".pdf"),
    (b"\xd0\xcf\x11\xe0", ".xls"),  # OLE2: legacy .xls (or .doc, which the Excel reader rejects clearly)
]

LIMITED = {"perfscore.readers.structured", "perfscore.readers.excel", "perfscore.readers.word",
           "perfscore.readers.pdf"}

# Formats whose content starts with a signature: a file with such a name but without it is read as
# what its content is (text, most often), not refused as a damaged file of its name's format.
_BINARY = {".pdf", ".xlsx", ".xlsm", ".xls", ".docx"}

# Content that may start with a tag and still be what its name says (Markdown allows HTML).
_NOT_HTML = {".md", ".yaml", ".yml", ".json", ".jsonl"}


def sniff(path: Path) -> str:
    """The extension the content says the file has; falls back to the name's own suffix."""
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ReadError(str(path), f"cannot open: {exc.strerror or exc}") from None
    for magic, ext in _MAGIC:
        if head.startswith(magic):
            return ext
    if head.startswith(b"PK\x03\x04"):
        kind = _package_kind(path)
        if kind == ".xlsx":
            return suffix if suffix in (".xlsx", ".xlsm") else ".xlsx"
        if kind:
            return kind
        if b"word/" in head:
            return ".docx"
        if b"xl/" in head or b"[Content_Types].xml" in head:
            return suffix if suffix in (".xlsx", ".xlsm", ".docx") else ".xlsx"
        return suffix
    if suffix == ".pdf" and b"%PDF" in head[:1024]:  # a PDF may start with up to 1 KB of anything
        return suffix
    if suffix not in _NOT_HTML:
        from perfscore.readers.html import (
            looks_like_html,  # an .xls from a web page's download button
        )

        if looks_like_html(head):
            return ".html"
    if suffix in READERS and not (suffix in _BINARY and _looks_like_text(head)):
        return suffix
    stripped = head.lstrip()
    if stripped.startswith((b"{", b"[")):
        return ".json"
    return ".txt"


def _package_kind(path: Path) -> str | None:
    """What an Office zip package holds, from its directory (a name can lie; the parts cannot)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    if "word/document.xml" in names:
        return ".docx"
    if "xl/workbook.xml" in names:
        return ".xlsx"
    return None


def _looks_like_text(head: bytes) -> bool:
    """No NUL byte (or a UTF-16 byte-order mark): text, not the binary its name promises."""
    return bool(head) and (head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head)


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_documents(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    """Yield every document in one file, using the reader its content calls for."""
    if isinstance(path, str) and not path:
        raise ReadError('""', "empty file name: name a file or a directory")
    path = Path(path)
    if not path.is_file():
        raise ReadError(str(path), "no such file")
    kind = sniff(path)
    name = READERS.get(kind)
    if name is None:
        raise ReadError(str(path), f"not a form file (a {kind or 'zip'} archive perfscore has no reader for)")
    module = importlib.import_module(name)
    try:
        yield from module.read(path, limits) if name in LIMITED else module.read(path)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file the reader's library chokes on: one line, never a traceback
        text = " ".join(str(exc).split())[:200]
        raise ReadError(str(path), f"damaged or unreadable file: {type(exc).__name__}"
                                   + (f": {text}" if text else "")) from None
