"""Formulas: the simpleeval language, compiled once, with a whitelist that hostile rule files cannot pass."""

from __future__ import annotations

import time
from decimal import Decimal as D

import pytest

from perfscore.rules.formulas import EvalError, Formula, FormulaError

NAMES = frozenset({"actual", "target", "weight"})


def test_compiles_once_and_evaluates_on_decimals():
    f = Formula("weight if actual >= target else actual / target * weight", NAMES)
    assert f({"actual": D(7), "target": D(11), "weight": D(5)}) == D(7) / D(11) * D(5)
    assert f({"actual": D(12), "target": D(11), "weight": D(5)}) == D(5)
    assert f.names == NAMES


def test_functions_and_boolean_logic():
    f = Formula("clamp(max(actual, 0) / target, 0, 1) * weight if not (target == 0) and weight > 0 else 0", NAMES)
    assert f({"actual": D(-3), "target": D(10), "weight": D(5)}) == 0
    assert f({"actual": D(20), "target": D(10), "weight": D(5)}) == D(5)


@pytest.mark.parametrize(("source", "message"), [
    ("acutal / target", "did you mean 'actual'"),
    ("mni(actual, target)", "did you mean 'min'"),
    ("actual.__class__", "attribute access"),
    ("().__class__.__bases__[0].__subclasses__()", "can be called"),
    ("__import__('os').system('id')", "can be called"),
    ("__import__('os')", "unknown function"),
    ("9**9**9", "powers are limited"),
    ("actual ** target", "powers are limited"),
    ("'a' * 1000000000", "only numbers"),
    ("[x for x in range(10)]", "not allowed"),
    ("lambda: 1", "not allowed"),
    ("open('/etc/passwd')", "unknown function"),
    ("min(actual)", "arguments"),
    ("1e300", "too large"),
    ("actual +", "does not parse"),
    ("", "empty"),
])
def test_hostile_or_wrong_formulas_are_refused(source, message):
    start = time.perf_counter()
    with pytest.raises(FormulaError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        Formula(source, NAMES)
    assert time.perf_counter() - start < 1


def test_division_by_zero_is_an_eval_error_not_a_crash():
    f = Formula("actual / target", NAMES)
    with pytest.raises(EvalError):
        f({"actual": D(1), "target": D(0), "weight": D(1)})


def test_nesting_depth_is_bounded():
    with pytest.raises(FormulaError):
        Formula("1" + " + 1" * 200, NAMES)


# --- a formula gives what its place needs (issue #12) ---------------------------------------------


@pytest.mark.parametrize("source", ["actual >= target", "weight > 0 and actual > 0", "not actual",
                                    "actual == target or weight < 0", "weight if actual > 0 else actual > target"])
def test_a_formula_of_points_must_give_a_number(source):
    with pytest.raises(FormulaError, match="true/false"):
        Formula(source, NAMES)


@pytest.mark.parametrize("source", ["(actual > target) * weight", "min(actual > 0, weight)", "-(actual > 0)",
                                    "(actual > 0) < weight"])
def test_true_false_is_not_a_number_inside_a_formula(source):
    with pytest.raises(FormulaError, match="true/false used as a number"):
        Formula(source, NAMES)


def test_a_condition_must_give_true_or_false():
    from perfscore.rules.formulas import CONDITION

    assert Formula("actual > target and not (weight == 0)", NAMES, CONDITION)({"actual": 2, "target": 1, "weight": 3})
    with pytest.raises(FormulaError, match="not true/false"):
        Formula("weight", NAMES, CONDITION)


def test_rules_check_reports_a_true_false_formula_where_it_is_written(tmp_path):
    from perfscore.rules import check_rules

    path = tmp_path / "bool.yaml"
    path.write_text("name: b\nextends: national\nscoring:\n  methods:\n    positive:\n"
                    "      formula: actual >= target\n"
                    "adjustments:\n  - name: cap\n    kind: cap_total\n    when: rate\n    value: '89'\n",
                    encoding="utf-8")
    _, problems = check_rules(path)
    text = [str(p) for p in problems]
    assert any(t.startswith(f"{path}:6:") and "gives true/false" in t for t in text), text
    assert any(t.startswith(f"{path}:10:") and "not true/false" in t for t in text), text
