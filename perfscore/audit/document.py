"""Document checks: the narrative's stated grade counts against the document's forms."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from perfscore.catalogue import NARRATIVE_AGREES, NARRATIVE_MISMATCH
from perfscore.model import Document
from perfscore.results import Finding, FormResult
from perfscore.selection import select_findings

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["check_document"]

GRADE_ORDER = ("优", "良", "中", "差")


def check_document(doc: Document, results: list[FormResult], rules: Rules) -> list[Finding]:
    """Narrative counts stated in the document against the forms it contains."""
    narrative = doc.narrative
    if narrative is None or not results:
        return []
    out: list[Finding] = []
    file = doc.source.file if doc.source else None
    where = narrative.source or doc.source
    scored = [r for r in results if r.kind != "target_report"] or results  # a target-report document counts those
    graded = Counter(r.reported_grade or rules.grade(r.reported_total) for r in scored)
    problems = []
    scored_count = len(scored)
    if narrative.forms is not None and narrative.forms != scored_count:
        problems.append(f"says {narrative.forms} forms, the document has {scored_count}")
    for grade, count in narrative.grades.items():
        if graded.get(grade, 0) != count:
            problems.append(f"says {count} {grade}, the forms have {graded.get(grade, 0)}")
    stated = ", ".join(f"{count} {grade}" for grade, count in narrative.grades.items())
    numbers = {"stated": stated, "forms": ", ".join(f"{graded.get(g, 0)} {g}" for g in GRADE_ORDER)}
    if problems:
        out.append(Finding(code=NARRATIVE_MISMATCH, severity="error",
                           message=f"{file or 'document'}: the narrative " + "; ".join(problems),
                           form=None, location=where, numbers=numbers))
    elif narrative.grades:
        out.append(Finding(code=NARRATIVE_AGREES, severity="info",
                           message=f"the narrative counts ({stated}) agree with the {scored_count} forms",
                           form=None, location=where, numbers=numbers))
    return select_findings(out, rules.selection)
