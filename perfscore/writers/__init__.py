"""Writers: a Document (or one Form) to an .xlsx workbook, a .docx document or YAML.

``export(doc, path, to, source=...)`` writes atomically (a temporary file in the target directory, then
``os.replace``; a device or FIFO directly: :class:`perfscore.fileio.Output`) and refuses to overwrite
the file the forms were read from. xlsx and docx print every
form in the standard layout of :mod:`perfscore.writers.layout`; YAML is the model itself and reads back
equal through :mod:`perfscore.readers.structured`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from perfscore.errors import PerfscoreError
from perfscore.fileio import Output, OutputError
from perfscore.model import Document, Form

__all__ = ["FORMATS", "WriteError", "as_document", "export"]

FORMATS: dict[str, str] = {
    "xlsx": "perfscore.writers.xlsx",
    "docx": "perfscore.writers.docx",
    "yaml": "perfscore.writers.yaml",
}
_ALIASES = {"yml": "yaml", "xlsm": "xlsx", "excel": "xlsx", "word": "docx"}


class WriteError(PerfscoreError):
    """An export could not be written; the message is one line naming the output file."""

    def __init__(self, file: str, message: str, *, text: str | None = None):
        self.file, self.detail = file, message
        super().__init__(text or f"{file}: {message}")


def as_document(doc: Document | Form) -> Document:
    return doc if isinstance(doc, Document) else Document(forms=[doc])


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def export(doc: Document | Form, path: str | Path, to: str | None = None, *,
           source: str | Path | None = None, reviews: Mapping[int, Sequence[str]] | None = None) -> Path:
    """Write ``doc`` to ``path`` as ``to`` ("xlsx", "docx" or "yaml"; default: from the suffix).

    ``source`` is the file the forms were read from: writing over it is refused. ``reviews`` (xlsx and
    docx): 复核意见 lines printed under each form, by form index. Returns the path.
    """
    path = Path(path)
    fmt = (to or path.suffix.lstrip(".")).lower()
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise WriteError(str(path), f"unknown export format {to or path.suffix!r}: choose xlsx, docx or yaml")
    document = as_document(doc)
    inputs = [Path(source)] if source is not None else []
    if document.source is not None and document.source.file:
        inputs.append(Path(document.source.file))
    for src in inputs:
        if _same_file(src, path):
            raise WriteError(str(path), "refusing to overwrite the input file; choose another output path")
    module = importlib.import_module(FORMATS[fmt])
    try:  # a regular file atomically, a device or FIFO directly, never an input (perfscore.fileio)
        with Output(path, inputs).path() as tmp:
            if reviews:
                module.write(document, tmp, reviews)
            else:
                module.write(document, tmp)
    except OutputError as exc:
        raise WriteError(exc.file, exc.reason, text=str(exc)) from None
    return path
