"""The audit: findings about a form (and a document), like a linter's diagnostics.

``audit(form, scored, rules)`` reads the form and what the scorer worked out (`perfscore.scored.ScoredForm`)
and returns the findings; it never changes a number, and it does not import the scorer. Each check emits
a code constant of `perfscore.catalogue`, where the code is documented, with the numbers behind it.
Severity defaults come from the catalogue; the rule set's selection (`perfscore.selection`) is applied
here, the command line's after.

By area, each module with its checks, the code constants they emit imported from the catalogue:
`funding` (amounts, rates, funding scores), `totals` (总分, grades, weights), `indicators` (each row's
values, memoised per rule set under `IndicatorFacts`; duplicates), `document` (the narrative's counts);
`sink` collects a form's findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from perfscore.audit.document import check_document
from perfscore.audit.funding import check_funding
from perfscore.audit.indicators import FINDINGS, IndicatorFacts, check_indicators, indicator_findings
from perfscore.audit.sink import Sink
from perfscore.audit.totals import check_totals, check_weights
from perfscore.model import Form
from perfscore.results import Finding
from perfscore.scored import ScoredForm
from perfscore.selection import select_findings

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["FINDINGS", "IndicatorFacts", "apply_config", "audit", "check_document", "indicator_findings"]


def audit(form: Form, scored: ScoredForm, rules: Rules) -> list[Finding]:
    """All findings about one scored form, in order: read notes, funding, totals, weights, indicators,
    as the rule set selects them."""
    result, outcomes, sums = scored.result, scored.outcomes, scored.sums
    sink = Sink(form)
    for note in form.read_notes:
        sink.add(note.code, note.message, indicator=note.field, location=note.source)
    scored_form = form.kind != "target_report"
    check_funding(form, result, rules, sink)
    if scored_form:
        check_totals(form, result, sums, rules, sink)
        check_weights(result, sums, rules, sink)
    findings = apply_config(sink.items, rules) if sink.items else []
    check_indicators(form, result.indicators, outcomes, rules, findings)
    return findings


def apply_config(findings: Iterable[Finding], rules: Rules) -> list[Finding]:
    """The rule set's `findings:` block: select, ignore and severity overrides."""
    return select_findings(findings, rules.selection)
