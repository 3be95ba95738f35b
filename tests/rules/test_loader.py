"""Loading rule files: extends and merge, every problem at once with line and column, hostile YAML."""

from __future__ import annotations

import time
from decimal import Decimal as D

import pytest

from perfscore.errors import RulesError
from perfscore.rules import available, check_rules, load_rules
from perfscore.rules.loader import deep_merge


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rule_sets_load_and_cite_their_documents():
    assert {"national", "finance-system"} <= set(available())
    for name in available():
        rules = load_rules(name)
        ids = {d.id for d in rules.spec.documents}
        for method in rules.spec.scoring.methods.values():
            assert method.cite in ids
        assert rules.spec.funding.cite in ids and rules.spec.grades.cite in ids


def test_deep_merge_semantics():
    parent = {"a": {"x": 1, "y": 2}, "l": [1, 2], "documents": [{"id": "p", "title": "P"}], "gone": 1}
    child = {"a": {"y": 3}, "l": [9], "documents": [{"id": "c", "title": "C"}], "gone": None}
    merged = deep_merge(parent, child)
    assert merged == {"a": {"x": 1, "y": 3}, "l": [9],
                      "documents": [{"id": "p", "title": "P"}, {"id": "c", "title": "C"}]}


def test_extends_a_file_beside_it_and_multiple_parents(tmp_path):
    write(tmp_path, "base.yaml", "name: base\nextends: [national]\nfunding:\n  rows: [{match: [total], weight: 20}]\n")
    write(tmp_path, "bands.yaml", "name: bands\nextends: national\nqualitative:\n  bands:\n"
          "    partial: {low: 0.5, high: 0.8, point: 0.7}\n    not_achieved: {low: 0, high: 0.5, point: 0.3}\n")
    child = write(tmp_path, "child.yaml", "name: child\nextends: [base, bands]\nlevel1:\n  weights: {产出指标: 40}\n")
    rules = load_rules(child)
    assert rules.spec.funding.rows[0].weight == D(20)
    assert rules.spec.qualitative.bands["partial"].low == D("0.5")
    assert rules.spec.level1.weights["产出指标"] == D(40)
    assert rules.spec.level1.weights["效益指标"] == D(30)   # inherited


def test_circular_extends_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "name: a\nextends: [b]\n")
    b = write(tmp_path, "b.yaml", "name: b\nextends: [a]\n")
    _, problems = check_rules(b)
    assert any("circular extends" in str(p) for p in problems)


def test_every_problem_at_once_with_line_column_and_suggestion(tmp_path):
    path = write(tmp_path, "mine.yaml", """name: mine
extends: [national]
scoring:
  methods:
    reverse:
      operators: ["<=", "<"]
      formula: weight if actual <= target else targte / actual * weight
      zero_target: weight if actual <= 0 else 0
qualitative:
  bands:
    achieved: {low: 0.8, high: 1, point: 1}
    partial: {low: 0.5, high: 0.85, point: 0.7}
    not_achieved: {low: 0, high: 0.5, point: 0.3}
grades:
  bandz: []
""")
    _, problems = check_rules(path)
    text = "\n".join(map(str, problems))
    assert "unknown key 'bandz' (did you mean 'bands'?)" in text
    assert f"{path}:15:3" in text
    assert "did you mean 'target'" in text
    # the pydantic error stops before the semantic checks; fix the key and the overlap is reported
    path.write_text(path.read_text(encoding="utf-8").replace("bandz", "bands: [{grade: 优, min: 90}, {grade: 差, min: 0}]\n  cite: mof-grades\n  #"), encoding="utf-8")
    _, problems = check_rules(path)
    text = "\n".join(map(str, problems))
    assert "overlap" in text and "did you mean 'target'" in text


def test_duplicate_keys_are_errors(tmp_path):
    path = write(tmp_path, "dup.yaml", "name: dup\nextends: national\nname: again\n")
    _, problems = check_rules(path)
    assert any("duplicate key 'name'" in str(p) and ":3:1" in str(p) for p in problems)


def test_unknown_rule_set_name_suggests():
    with pytest.raises(RulesError, match="did you mean 'national'"):
        load_rules("nationl")


def test_missing_rule_file():
    with pytest.raises(RulesError, match="no such rule file"):
        load_rules("does/not/exist.yaml")


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("name: bomb")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    start = time.perf_counter()
    _, problems = check_rules(path)
    assert time.perf_counter() - start < 1
    assert any("alias bomb" in str(p) for p in problems)


def test_deep_nesting_and_huge_numbers_are_refused(tmp_path):
    deep = write(tmp_path, "deep.yaml", "name: deep\nx: " + "[" * 100 + "]" * 100 + "\n")
    _, problems = check_rules(deep)
    assert any("nested deeper" in str(p) for p in problems)
    huge = write(tmp_path, "huge.yaml", "name: huge\nextends: national\nfunding:\n  formula: " + "9" * 400 + " * weight\n")
    _, problems = check_rules(huge)
    assert any("too large" in str(p) for p in problems)


def test_vocabulary_additions_and_finding_overrides_in_a_rule_set(tmp_path):
    from perfscore.model import Indicator
    from perfscore.scoring import score_indicator

    path = write(tmp_path, "vocab.yaml", """name: vocab
extends: [national]
vocabulary:
  operator_aliases:
    "≒": {means: "=", severity: warning, note: seen in 2019 Word exports}
  qualitative:
    achieved: [圆满完成]
findings:
  severity: {operator-alias: error}
  ignore: [unscorable]
""")
    rules = load_rules(path)
    ind = Indicator(level3="覆盖率", initial_target="≒100%", actual="≒80%", weight=D(10), score=D(8))
    scored = score_indicator(ind, 1, rules)
    assert (scored.result.method, scored.result.computed_score) == ("equal", D("8.00"))
    assert [a.found for a in scored.outcome.target.aliases] == ["≒"]
    done = score_indicator(Indicator(level3="x", initial_target="完善", actual="圆满完成", weight=D(10)), 1, rules)
    assert done.outcome.category == "achieved"
    from perfscore.model import Form
    from perfscore.pipeline import score_form as score

    result = score(Form(name="f", indicators=[ind]), rules)
    aliases = [f for f in result.findings if f.code == "operator-alias"]
    assert aliases and all(f.severity == "error" for f in aliases)


@pytest.mark.parametrize("value", ["9" * 5000, "1e999999", ".nan", "-1e13"])
def test_huge_or_non_finite_numbers_are_refused_without_a_traceback(tmp_path, value):
    path = write(tmp_path, "n.yaml", f"name: n\nextends: national\nlevel1:\n  total: {value}\n")
    _, problems = check_rules(path)
    assert problems and all(str(path) in str(p) for p in problems)


def test_hostile_rule_files_through_the_cli(tmp_path):
    from typer.testing import CliRunner

    from perfscore.cli import app

    walk = write(tmp_path, "walk.yaml", "name: walk\nextends: national\nfunding:\n"
                 "  formula: ().__class__.__bases__[0].__subclasses__()\n")
    power = write(tmp_path, "power.yaml", "name: power\nextends: national\nfunding:\n  formula: 9**9**9\n")
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\nname: bomb\n")
    for path in (walk, power, bomb):
        start = time.perf_counter()
        for args in (["rules", "check", str(path)], ["score", "samples/", "--rules", str(path)]):
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 2, result.output
            assert "Traceback" not in result.output and str(path) in result.output
        assert time.perf_counter() - start < 2


# --- hostile rule files (issue #12) ---------------------------------------------------------------


def test_nesting_too_deep_for_pythons_stack_is_one_problem_with_its_position(tmp_path):
    deep = write(tmp_path, "deep.yaml", "name: deep\nextends: national\nx: " + "[" * 1000 + "]" * 1000 + "\n")
    _, problems = check_rules(deep)  # composing it used to end in a RecursionError
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{deep}:3:") and "nested deeper than 40 levels" in str(problems[0])


def test_rules_check_of_a_deep_file_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from perfscore.cli import app

    deep = write(tmp_path, "deep.yaml", "name: deep\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    result = CliRunner().invoke(app, ["rules", "check", str(deep)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "nested deeper" in result.output


SECRET = "scoring:\n  plain: hunter2secret\n"


@pytest.mark.parametrize("parent", ["../secret.yaml", "{tmp}/secret.yaml", "/etc/passwd", "sub/../../secret.yaml"])
def test_extends_reaches_no_file_outside_the_rule_files_folder(tmp_path, parent):
    write(tmp_path, "secret.yaml", SECRET)
    (tmp_path / "rules").mkdir()
    mine = write(tmp_path / "rules", "mine.yaml",
                 f"name: mine\nextends: [national, {parent.format(tmp=tmp_path)!r}]\n")
    _, problems = check_rules(mine)
    text = "\n".join(map(str, problems))
    assert "hunter2" not in text and "root:" not in text
    assert len(problems) == 1 and "can be extended" in text and text.startswith(f"{mine}:2:")


def test_a_symlink_out_of_the_folder_is_outside_it(tmp_path):
    write(tmp_path, "secret.yaml", SECRET)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    mine = write(tmp_path / "rules", "mine.yaml", "name: mine\nextends: [national, link.yaml]\n")
    _, problems = check_rules(mine)
    assert problems and "hunter2" not in "\n".join(map(str, problems))


def test_extends_may_name_files_in_its_folder_and_below_and_shipped_sets(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "base.yaml", "name: base\nextends: ../common.yaml\ntitle: base\n")
    write(tmp_path, "common.yaml", "name: common\nextends: national\n")
    mine = write(tmp_path, "mine.yaml", "name: mine\nextends: [finance-system, common, sub/base.yaml]\n")
    rules, problems = check_rules(mine)
    assert problems == [] and rules.spec.title == "base"


def test_a_library_outside_the_folder_is_not_read(tmp_path):
    write(tmp_path, "lib.yaml", "indicators: []\n")
    (tmp_path / "rules").mkdir()
    mine = write(tmp_path / "rules", "mine.yaml", "name: mine\nextends: national\nlibrary: ../lib\n")
    with pytest.raises(RulesError, match="no indicator library"):
        load_rules(mine)


def test_rules_check_catches_what_an_auditor_gets_wrong(tmp_path):
    """Grade bands out of order, weights that do not add up to the total, a formula cut by a YAML comma."""
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nextends: [national]\nscoring:\n  methods:\n"
                    "    reverse: {operators: ['<=', '<'],\n"
                    "              formula: weight if actual <= target else max(1 - actual / target, 0)}\n"
                    "grades:\n  bands:\n    - {grade: 优, min: 80}\n    - {grade: 良, min: 90}\n"
                    "    - {grade: 中, min: 60}\n    - {grade: 差, min: 0}\nlevel1:\n  weights: {产出指标: 60, 效益指标: 30, 满意度指标: 10}\n",
                    encoding="utf-8")
    rules, problems = check_rules(path)
    assert rules is None
    text = {p.path[0] if p.path else None: str(p) for p in problems}
    assert "best first" in text["grades"] and "mine.yaml:8:" in text["grades"]
    assert "add up to 110, not level1.total 100" in text["level1"]
    assert "put the formula in quotes" in text["scoring"]
    for name in ("national", "hubei", "department", "guizhou-department"):
        assert check_rules(name)[1] == [], name
