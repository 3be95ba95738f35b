"""Which findings are kept, and at which severity: the one rule for `--select`/`--ignore`, a rule set's
`findings:` block (select, ignore, severity overrides) and the audit's memoised drafts alike.

The rule set's selection is applied by the audit as it finds; the command line's after, on the results
(`perfscore.pipeline`), so a finding must pass both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from perfscore.results import Finding, Severity

__all__ = ["EVERYTHING", "Selection", "select_findings"]


@dataclass(frozen=True, slots=True)
class Selection:
    """``select``: only these codes (empty: all); ``ignore``: never these; ``severity``: code → severity."""

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    active: bool = field(init=False, repr=False, compare=False)  # whether it changes anything at all

    def __post_init__(self) -> None:
        object.__setattr__(self, "active", bool(self.select or self.ignore or self.severity))

    @classmethod
    def of(cls, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
           severity: Mapping[str, Severity] | None = None) -> Selection:
        return cls(frozenset(select or ()), frozenset(ignore or ()), dict(severity or {}))

    def __bool__(self) -> bool:
        """Whether this selection changes anything at all."""
        return self.active

    def verdict(self, code: str, severity: Severity) -> Severity | None:
        """The severity a finding of `code` (at `severity` so far) is kept at; None when it is dropped."""
        if (self.select and code not in self.select) or code in self.ignore:
            return None
        return self.severity.get(code) or severity


EVERYTHING = Selection()


def select_findings(findings: Iterable[Finding], selection: Selection) -> list[Finding]:
    """The findings `selection` keeps, each at the severity it gives (changed in place)."""
    if not selection.active:  # an attribute, not a call: this runs for every form
        return list(findings)
    out = []
    for finding in findings:
        severity = selection.verdict(finding.code, finding.severity)
        if severity is not None:
            if severity != finding.severity:
                finding.severity = severity
            out.append(finding)
    return out
