"""Unchecked construction gives the very instances pydantic would: what the hot paths rely on."""

from __future__ import annotations

from decimal import Decimal

from perfscore.construct import build, constructor
from perfscore.model import SourceRef
from perfscore.results import Finding, FundingResult, IndicatorResult
from tests.conftest import assert_same


def test_build_is_model_construct():
    for values in ({"file": "f", "page": None, "sheet": None, "table": 1, "row": None, "line": 3},
                   {"line": 3, "file": "f"},  # not every field, not in order
                   {"file": "f", "page": None, "sheet": None, "row": None, "table": 1, "line": 3}):  # out of order
        assert_same(build(SourceRef, **values), SourceRef.model_construct(**values))


def test_build_gives_fresh_defaults_per_object():
    a, b = build(FundingResult, weight=Decimal(10)), build(FundingResult, weight=Decimal(10))
    assert_same(a, FundingResult.model_construct(weight=Decimal(10)))
    assert a.rows is not b.rows and a.trace is not b.trace
    assert a.model_fields_set == {"weight"}


def test_constructor_builds_a_validated_equal():
    data = {"index": 1, "level1": "产出指标", "level2": "数量指标", "level3": "台数", "target": "≥11台",
            "actual": "≥7台", "weight": Decimal(10), "reported_score": Decimal(8), "computed_score": Decimal("6.36"),
            "method": "positive", "band": None, "explanation": "x", "trace": [], "source": None}
    made = constructor(IndicatorResult)(dict(data))
    assert_same(made, IndicatorResult.model_construct(**data))
    assert made == IndicatorResult.model_validate(data)
    assert made.model_dump_json() == IndicatorResult.model_validate(data).model_dump_json()
    finding = constructor(Finding)({"code": "c", "severity": "info", "message": "m", "form": None,
                                    "indicator": None, "location": None, "numbers": {}})
    finding.severity = "error"  # an ordinary model: assignment works as on any other
    assert finding.severity == "error" and "severity" in finding.model_fields_set
