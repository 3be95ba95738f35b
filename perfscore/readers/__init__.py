"""Reader registry: picks the reader for a file by extension, or by sniffing when the extension lies.

Every reader module exposes ``read(path: Path) -> Iterator[Document]`` and raises ``ReadError`` (one
line, naming file, form and cell) for input it cannot use. Readers that need an optional library import
it inside ``read`` and raise ``MissingDependency`` when it is absent, so importing perfscore stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from perfscore.errors import ReadError
from perfscore.model import Document

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
        if b"word/" in head:
            return ".docx"
        if b"xl/" in head or b"[Content_Types].xml" in head:
            return suffix if suffix in (".xlsx", ".xlsm", ".docx") else ".xlsx"
        return suffix
    if suffix not in _NOT_HTML:
        from perfscore.readers.html import looks_like_html  # an .xls from a web page's download button

        if looks_like_html(head):
            return ".html"
    if suffix in READERS:
        return suffix
    stripped = head.lstrip()
    if stripped.startswith((b"{", b"[")):
        return ".json"
    return ".txt"


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_documents(path: str | Path) -> Iterator[Document]:
    """Yield every document in one file, using the reader its content calls for."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(str(path), "no such file")
    module = importlib.import_module(READERS[sniff(path)])
    yield from module.read(path)
