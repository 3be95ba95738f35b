"""perfscore.model: what validation does beyond types, a form's numbers kept within the limits."""

from __future__ import annotations

import json
from decimal import Decimal as D

from perfscore.model import Form

FORM = {
    "name": "项目",
    "funding": {"total": {"label": "资金总额", "annual_budget": 10, "executed": 9, "score": 9},
                "breakdown": [{"label": "财政拨款", "annual_budget": 10, "executed": 9}]},
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "level3": "台数", "initial_target": "≥10台", "actual": "10台",
         "weight": 50, "score": 50},
        {"level1": "效益指标", "level2": "社会效益指标", "level3": "人数", "initial_target": "≥100人",
         "actual": "100人", "weight": 40, "score": 40},
    ],
    "reported_total": 99,
}


def hostile() -> dict:
    data = json.loads(json.dumps(FORM))
    data["indicators"][1]["weight"] = 1e26
    data["indicators"][0]["score"] = "1e999999999999999999"
    data["funding"]["breakdown"][0]["executed"] = "1e-999999999"
    data["reported_total"] = "0E-999999999"
    return data


def test_numbers_out_of_range_are_read_as_blank_with_a_note_naming_the_field():
    """Issue #12: a weight of 1e26 or "1e999999999999999999" as a score made the scorer raise and lost the
    batch. Read as blank, each with an `unparsed-value` note naming its field; the rest of the form stays."""
    for form in (Form.model_validate(hostile()), Form.model_validate_json(json.dumps(hostile()))):
        assert form.indicators[1].weight is None and form.indicators[1].score == D(40)
        assert form.indicators[0].score is None and form.indicators[0].weight == D(50)
        assert form.funding.breakdown[0].executed is None and form.funding.breakdown[0].annual_budget == D(10)
        assert form.funding.total.executed == D(9)
        assert form.reported_total is None
        notes = {n.field: n for n in form.read_notes}
        assert set(notes) == {"indicators[1].weight", "indicators[0].score", "funding.breakdown[0].executed",
                              "reported_total"}
        assert {n.code for n in notes.values()} == {"unparsed-value"}
        assert "e+26" in notes["indicators[1].weight"].message.lower()
        assert all(len(n.message) < 160 for n in notes.values())


def test_numbers_within_range_are_kept_as_given():
    form = Form.model_validate(FORM)
    assert form.read_notes == [] and form.indicators[0].weight == D(50) and form.reported_total == D(99)
