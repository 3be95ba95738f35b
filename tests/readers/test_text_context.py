"""Totals and funding stated only in the prose around a form are taken, with a note, never over printed ones."""

from __future__ import annotations

from decimal import Decimal

from perfscore.model import Form, Funding, FundingRow, SourceRef
from perfscore.readers.text_context import fill_from_text

PROSE = ("对照年初绩效目标，自评小组经过自评，综合评价得分为 99.8分。实际下达预算2596万元，全年度实际总支出2595.6208 万元，"
         "项目预算执行率99%。")


def test_figures_from_the_prose_fill_a_form_that_prints_none():
    form = Form(name="奖助学金")
    fill_from_text(form, PROSE, SourceRef(file="r.txt", line=3))
    assert form.reported_total == Decimal("99.8")
    total = form.funding.total
    assert (total.annual_budget, total.executed, total.execution_rate) == (
        Decimal(2596), Decimal("2595.6208"), Decimal(99))
    assert [n.code for n in form.read_notes] == ["read-from-text", "read-from-text"]
    assert "99.8分" in form.read_notes[0].message


def test_printed_figures_win_over_the_prose():
    form = Form(name="奖助学金", reported_total=Decimal(90),
                funding=Funding(total=FundingRow(label="资金总额", annual_budget=Decimal(10), executed=Decimal(9))))
    fill_from_text(form, PROSE, SourceRef(file="r.txt"))
    assert form.reported_total == Decimal(90) and form.funding.total.annual_budget == Decimal(10)
    assert form.read_notes == []
