"""A re-scored form as a document: the form in its standard layout with the recomputed 执行率, 得分, 总分 and
等级 in place of the printed ones, and the findings as 复核意见 under the table, so that a reviewer can hand
the re-scored form back to the unit that filled it (``perfscore export --rescored``).

The printed figures are replaced only where the rule set computed one; the weights, targets and actuals
stay as printed, and the form read is never changed (a copy is written).
"""

from __future__ import annotations

from decimal import Decimal

from perfscore.i18n import severity_label
from perfscore.i18n.messages import translate
from perfscore.model import Form
from perfscore.results import FormResult

_RATE = Decimal("0.01")


def rescored(form: Form, result: FormResult) -> tuple[Form, list[str]]:
    """A copy of ``form`` carrying ``result``'s recomputed figures, and its 复核意见 (one line per finding)."""
    copy = form.model_copy(deep=True)
    for scored in result.indicators:
        if scored.computed_score is not None and 0 < scored.index <= len(copy.indicators):
            copy.indicators[scored.index - 1].score = scored.computed_score
    total = copy.funding.total if copy.funding else None
    if total is not None and result.funding is not None:
        if result.funding.execution_rate is not None:
            total.execution_rate = result.funding.execution_rate.quantize(_RATE)
        if result.funding.computed_score is not None:
            total.score = result.funding.computed_score
    if result.computed_total is not None:
        copy.reported_total = result.computed_total
    if result.computed_grade is not None:
        copy.reported_grade = result.computed_grade
    review = [f"{severity_label(f.severity)} {f.code}"
              f"{'（' + f.indicator + '）' if f.indicator else ''}：{translate(f.code, f.message)}"
              for f in result.findings]
    return copy, review
