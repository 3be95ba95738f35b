"""Writers of scored results. Each writer receives documents one at a time, then the summary.

A writer is a class with `document(result)` and `end(summary)`; text writers write to a stream,
file writers (xlsx, html) to a path, atomically. `WRITERS` maps a `--format` name to its module.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from perfscore.batch import DocumentResult
from perfscore.results import Summary


class Writer(Protocol):
    def document(self, result: DocumentResult) -> None: ...
    def end(self, summary: Summary) -> None: ...


WRITERS: dict[str, str] = {
    "table": "perfscore.report.table",
    "json": "perfscore.report.jsonout",
    "jsonl": "perfscore.report.jsonout",
}

BINARY_FORMATS: set[str] = set()


def writer_module(fmt: str):
    return importlib.import_module(WRITERS[fmt])
