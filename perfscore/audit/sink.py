"""Where the audit's checks put their findings: one form's `Sink`, and the numbers behind a finding as text."""

from __future__ import annotations

from decimal import Decimal

from perfscore import catalogue
from perfscore.construct import maker
from perfscore.decimals import plain
from perfscore.model import Form, SourceRef
from perfscore.results import Finding, Severity

__all__ = ["Sink", "d", "make_finding", "pairs"]


def d(value: Decimal | None) -> str:
    """A number in a finding's message: `plain` (5.50 → 5.5), "—" for None."""
    return plain(value, "—")


def pairs(numbers: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """A finding's numbers as text, as pairs: memoised drafts hold no dict (nothing for the GC to track)."""
    out = []
    for key, value in numbers.items():
        if value is not None:
            out.append((key, plain(value) if isinstance(value, Decimal) else str(value)))
    return tuple(out)


make_finding = maker(Finding)


class Sink:
    """Collects findings for one form, filling in form name and default severity (the catalogue's)."""

    def __init__(self, form: Form):
        self.form = form
        self.items: list[Finding] = []

    def add(self, code: str, message: str, *, indicator: str | None = None, location: SourceRef | None = None,
            severity: Severity | None = None, **numbers: object) -> None:
        if severity is None:
            spec = catalogue.get(code)
            severity = spec.severity if spec else "info"
        self.items.append(make_finding(
            code=code, severity=severity, message=message, form=self.form.name,
            indicator=indicator, location=location or self.form.source, numbers=dict(pairs(numbers))))
