"""Unchecked construction gives the very instances pydantic would: what the hot paths rely on.

`maker` is the one way the result models are built on the hot path: each is checked against pydantic's
validation of the same values, by property tests over every field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.construct import build, constructor, maker
from perfscore.model import SourceRef
from perfscore.results import Finding, FormResult, FundingResult, FundingRowResult, IndicatorResult, TraceStep
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


# --- maker: the one way each result model is built on the hot path -----------------------------------

RESULT_MODELS = [IndicatorResult, FundingRowResult, FundingResult, FormResult, Finding]

decimals = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
texts = st.text(max_size=8)
maybe_decimal = st.none() | decimals
maybe_text = st.none() | texts
sources = st.none() | st.builds(SourceRef, file=maybe_text, line=st.none() | st.integers(1, 10_000))
traces = st.lists(st.builds(TraceStep, rule=texts, inputs=st.dictionaries(texts, texts, max_size=2),
                            result=maybe_text), max_size=2)
findings = st.fixed_dictionaries({
    "code": texts, "severity": st.sampled_from(["error", "warning", "info"]), "message": texts,
    "form": maybe_text, "indicator": maybe_text, "location": sources,
    "numbers": st.dictionaries(texts, texts, max_size=3)})
indicator_results = st.fixed_dictionaries({
    "index": st.integers(1, 100), "level1": maybe_text, "level2": maybe_text, "level3": texts,
    "target": maybe_text, "actual": maybe_text, "weight": maybe_decimal, "reported_score": maybe_decimal,
    "computed_score": maybe_decimal, "method": texts, "band": st.none() | st.tuples(decimals, decimals),
    "explanation": texts, "trace": traces, "source": sources})
funding_rows = st.fixed_dictionaries({
    "label": texts, "annual_budget": maybe_decimal, "executed": maybe_decimal, "execution_rate": maybe_decimal,
    "reported_rate": maybe_decimal, "weight": maybe_decimal, "reported_score": maybe_decimal,
    "computed_score": maybe_decimal, "budget": st.none() | st.just("initial_budget")})
fundings = st.fixed_dictionaries({
    "annual_budget": maybe_decimal, "executed": maybe_decimal, "execution_rate": maybe_decimal,
    "reported_rate": maybe_decimal, "weight": maybe_decimal, "reported_score": maybe_decimal,
    "computed_score": maybe_decimal, "basis": maybe_text, "explanation": texts,
    "rows": st.lists(funding_rows.map(lambda d: FundingRowResult(**d)), max_size=2), "trace": traces})
forms = st.fixed_dictionaries({
    "name": texts, "kind": st.sampled_from(["project", "department", "target_report"]), "unit": maybe_text,
    "year": st.none() | st.integers(1990, 2100), "source": sources, "rules": texts,
    "funding": st.none() | fundings.map(lambda d: FundingResult(**d)),
    "indicators": st.lists(indicator_results.map(lambda d: IndicatorResult(**d)), max_size=2),
    "reported_total": maybe_decimal, "computed_total": maybe_decimal, "reported_grade": maybe_text,
    "computed_grade": maybe_text, "findings": st.lists(findings.map(lambda d: Finding(**d)), max_size=2),
    "trace": traces})
STRATEGIES = {IndicatorResult: indicator_results, FundingRowResult: funding_rows, FundingResult: fundings,
              FormResult: forms, Finding: findings}


def _validated_equal(cls, values: dict) -> None:
    made = maker(cls)(**values)
    validated = cls.model_validate(values)
    assert_same(made, validated)  # fields set, field order, types: what pydantic itself builds
    assert made.model_dump_json() == validated.model_dump_json()


@pytest.mark.parametrize("cls", RESULT_MODELS, ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_maker_builds_what_validation_builds(cls, data):
    _validated_equal(cls, data.draw(STRATEGIES[cls]))


@pytest.mark.parametrize("cls", RESULT_MODELS, ids=lambda c: c.__name__)
def test_maker_takes_every_field_by_name_and_no_other(cls):
    every = dict.fromkeys(cls.model_fields)
    with pytest.raises(TypeError):
        maker(cls)(not_a_field=1, **every)
    for name in every:  # a field left out is an error, never a model without it
        with pytest.raises(TypeError, match=name):
            maker(cls)(**{n: None for n in every if n != name})


@pytest.mark.parametrize("cls", RESULT_MODELS, ids=lambda c: c.__name__)
def test_build_leaves_out_what_it_is_not_given_as_model_construct_does(cls):
    required = {n: "x" for n, info in cls.model_fields.items() if info.is_required()}
    a, b = build(cls, **required), build(cls, **required)
    assert_same(a, cls.model_construct(**required))
    assert a.model_fields_set == set(required)
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            assert getattr(a, name) is not getattr(b, name)  # a fresh default per object


def test_a_field_added_to_a_model_is_a_parameter_of_its_maker():
    from pydantic import create_model

    Grown = create_model("Grown", __base__=Finding, extra_field=(str, ...))
    given = {"code": "c", "severity": "info", "message": "m", "form": None, "indicator": None, "location": None,
             "numbers": {}}
    with pytest.raises(TypeError, match="extra_field"):
        maker(Grown)(**given)
    made = maker(Grown)(**given, extra_field="e")
    assert_same(made, Grown.model_validate({**given, "extra_field": "e"}))
