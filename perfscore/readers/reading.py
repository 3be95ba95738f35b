"""What the layout interpreter says about one form while it reads it: where each row came from, and the
notes on what it repaired or could not read. Shared by the parts of a form (head, funding, indicators)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfscore.model import ReadNote, SourceRef
from perfscore.readers.grid_cells import Grid
from perfscore.readers.numbers import parse_decimal


@dataclass
class Reading:
    grid: Grid
    index: int  # the form's number in its document (its source's ``table``)
    notes: list[ReadNote] = field(default_factory=list)

    def ref(self, r: int) -> SourceRef:
        return self.grid.ref(r, self.index)

    def note(self, code: str, field: str | None, r: int, message: str) -> None:
        self.notes.append(ReadNote(code=code, field=field, source=self.ref(r), message=message))

    def number(self, text: str, fieldname: str, r: int, raw: dict[str, str] | None = None,
               key: str | None = None) -> Decimal | None:
        """A printed number; a repaired or unreadable one is said (and its printed text kept in ``raw``)."""
        value, status = parse_decimal(text)
        if status == "repaired":
            self.note("repair-number", fieldname, r, f"number {text!r} read as {format(value, 'f')}")
        elif status == "unreadable":
            self.note("read-incomplete", fieldname, r, f"cannot read {text!r} as a number")
        if status and raw is not None and key:
            raw[key] = text
        return value
