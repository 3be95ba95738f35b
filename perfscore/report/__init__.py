"""Writers of scored results. Each writer receives documents one at a time, then the summary.

A writer is a class with `document(result)` and `end(summary)`; text writers write to a stream,
file writers (xlsx) to a temp path that the caller renames atomically. `perfscore.run` picks them.
"""

from __future__ import annotations

from typing import Protocol

from perfscore.results import DocumentResult, Summary


class Writer(Protocol):
    def document(self, result: DocumentResult) -> None: ...
    def end(self, summary: Summary) -> None: ...
