"""The shipped rule sets: one form, four rule sets, four totals — and `--explain` says why."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfscore.cli import app
from perfscore.readers import read_documents
from perfscore.rules import available, indicators_dir, load_rules
from perfscore.pipeline import score_form as score  # scored, then audited

DEMO = indicators_dir() / "tests" / "forms" / "training-demo.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def demo():
    return next(read_documents(DEMO)).forms[0]


@pytest.mark.parametrize(("rules", "total", "grade"), [
    ("national", "91.83", "优"),        # cost 12 vs ≤10: 10/12 × 10 = 8.33; partial 5.5 raised to 6
    ("finance-system", "91.50", "优"),  # cost: (1 − 2/10) × 10 = 8.00
    ("hubei", "98.83", "优"),           # funding 20 × 75 % = 15; partial 5.5 inside the 50–80 band
    ("platform-caps", "89.00", "良"),   # −2 on 150 % of target → 89.83, capped at 89 by 75 % execution
])
def test_each_rule_set_gives_its_own_total(demo, rules, total, grade):
    result = score(demo, load_rules(rules))
    assert (result.computed_total, result.computed_grade) == (D(total), grade)


@pytest.mark.parametrize(("rules", "why"), [
    ("national", ["scoring.methods.reverse.formula", "target / actual * weight"]),
    ("finance-system", ["scoring.methods.reverse.formula", "max(1 - (actual - target) / target, 0) * weight"]),
    ("hubei", ["qualitative.bands.partial", "funding.formula", "weight=20"]),
    ("platform-caps", ["adjustments.over-target", "adjustments.cap-rate-70-80", "min(total, 89)"]),
])
def test_explain_shows_the_rule_inputs_and_formula(rules, why):
    result = runner.invoke(app, ["score", str(DEMO), "--rules", rules, "--explain", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    for text in why:
        assert text in result.output
    assert "cites " in result.output


def test_json_carries_the_trace():
    result = runner.invoke(app, ["score", str(DEMO), "--rules", "platform-caps", "--explain", "-f", "json",
                                 "--fail-on", "never"])
    form = json.loads(result.output)["forms"][0]
    assert any(step["rule"] == "adjustments.cap-rate-70-80" for step in form["trace"])
    cost = form["indicators"][2]
    assert cost["trace"][0]["inputs"] == {"actual": "12", "target": "10", "weight": "10"}


def test_explain_trace_of_funding_and_total_names_what_each_step_read(demo):
    result = score(demo, load_rules("national"), explain=True)
    rate, formula = result.funding.trace
    assert (rate.rule, formula.rule) == ("funding.rate", "funding.formula")
    assert set(rate.inputs) == {"executed", "annual_budget", "initial_budget", "weight"}  # not its own result
    assert set(formula.inputs) == {"rate", "weight"}
    (total,) = result.trace
    assert total.inputs["indicators"] == str(sum(r.computed_score for r in result.indicators))
    assert total.result == str(result.computed_total)


def test_every_shipped_rule_set_has_rule_tests_and_the_schema_line():
    tests = {p.stem for p in (indicators_dir() / "tests").glob("*.yaml")}
    for name, path in available().items():
        assert name in tests, f"{name} ships without rule tests"
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=./rules.schema.json"), name


def test_published_rules_schema_is_current():
    published = json.loads((indicators_dir() / "rules.schema.json").read_text(encoding="utf-8"))
    assert published == json.loads(runner.invoke(app, ["schema", "rules"]).output)


def test_rules_test_command_passes_and_a_wrong_expectation_fails_naming_file_and_case(tmp_path):
    ok = runner.invoke(app, ["rules", "test", str(indicators_dir())])
    assert ok.exit_code == 0 and " 0 failed" in ok.output
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("rules: national\ncases:\n  - name: deliberately wrong\n"
                     "    indicator: {target: '≥11台', actual: '≥7台', weight: 5}\n"
                     "    expect: {score: 4}\n", encoding="utf-8")
    bad = runner.invoke(app, ["rules", "test", str(wrong)])
    assert bad.exit_code == 1
    assert f"FAIL {wrong} :: deliberately wrong" in bad.output
    assert "expected 4 ± 0.005, got 3.18" in bad.output


def test_rules_list_and_show():
    listing = runner.invoke(app, ["rules", "list"])
    for name in ("national", "finance-system", "hubei", "guizhou-department", "platform-caps"):
        assert name in listing.output
    shown = runner.invoke(app, ["rules", "show", "hubei"])
    assert shown.exit_code == 0
    assert "weight: '20'" in shown.output or "weight: 20" in shown.output
    assert "positive:" in shown.output          # inherited from national, resolved


def test_misspelt_key_formula_typo_and_overlapping_band_in_one_run(tmp_path):
    path = Path(tmp_path) / "auditor.yaml"
    path.write_text("""name: auditor
extends: [national]
scoring:
  methods:
    positive:
      operators: [">=", ">"]
      formula: weight if actual >= target else acutal / target * weight
      zero_target: weight
qualitative:
  bands:
    achieved: {low: 0.8, high: 1, point: 1}
    partial: {low: 0.6, high: 0.85, point: 0.7}
    not_achieved: {low: 0, high: 0.6, point: 0.3}
grades:
  bands: [{grade: 优, min: 90}, {grade: 差, min: 0}]
  cit: mof-grades
""", encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 2
    out = result.output
    assert f"{path}:16:3: grades.cit: unknown key 'cit' (did you mean 'cite'?)" in out
    assert f"{path}:7:16: scoring.methods.positive.formula" in out and "did you mean 'actual'" in out
    assert "qualitative.bands.achieved" in out and "overlap" in out
