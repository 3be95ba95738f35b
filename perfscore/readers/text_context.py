"""Figures a document states in its prose about a form it prints without them.

Self-evaluation reports often put the 总分 and the funding figures in the text around the table
("综合评价得分为 99.8分", "实际下达预算2596万元，全年度实际总支出2595.6208万元，项目预算执行率99%") and print a
table of targets only. The audit needs them to check the form, so they are taken from the text, each with
a ``read-from-text`` note naming the sentence, and only where the form itself prints nothing.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from perfscore.model import Form, Funding, FundingRow, ReadNote, SourceRef

_NUM = r"(\d{1,12}(?:\.\d{1,6})?)"
_TOTAL = re.compile(r"(?:自评|评价|综合评价|绩效)(?:总)?得分(?:为|是|[:：])?" + _NUM + "分|自评总分[:：]?" + _NUM)
_BUDGET = re.compile(r"(?:全年预算数?|下达预算|预算资金|预算数|年度预算)(?:为|共计|合计|总额)?" + _NUM + "万元")
_EXECUTED = re.compile(r"(?:执行数为?|实际(?:总)?支出(?:数为?)?|总支出|实际执行)" + _NUM + "万元")
_RATE = re.compile(r"执行率(?:为|达到|达)?" + _NUM + "%")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fill_from_text(form: Form, text: str, source: SourceRef) -> None:
    """Give ``form`` the total and funding that ``text`` states, where the form prints none."""
    flat = _compact(text)
    if form.reported_total is None:
        m = _TOTAL.search(flat)
        if m:
            form.reported_total = Decimal(m.group(1) or m.group(2))
            form.read_notes.append(_note("reported_total", m.group(0), source))
    if form.funding is None or form.funding.total is None:
        budget, executed, rate = _BUDGET.search(flat), _EXECUTED.search(flat), _RATE.search(flat)
        if budget and executed:
            row = FundingRow(label="资金总额", annual_budget=Decimal(budget.group(1)),
                             executed=Decimal(executed.group(1)), source=source)
            said = [budget.group(0), executed.group(0)]
            if rate:
                row.execution_rate = Decimal(rate.group(1))
                said.append(rate.group(0))
            form.funding = form.funding or Funding()
            form.funding.total = row
            form.read_notes.append(_note("funding.total", "，".join(said), source))


def _note(field: str, said: str, source: SourceRef) -> ReadNote:
    return ReadNote(code="read-from-text", field=field, source=source,
                    message=f"not printed on the form; taken from the text: {said!r}")
