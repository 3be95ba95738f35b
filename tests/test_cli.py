"""The command line end to end: tables, JSON against the published schema, exit codes, one-line errors."""

from __future__ import annotations

import json

import jsonschema
import pytest
from typer.testing import CliRunner

from perfscore.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE_FILES = sorted(SAMPLES.glob("*.yaml"))


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_every_sample_prints_a_table(path):
    result = invoke("score", path, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "三级指标" in result.output and "summary:" in result.output


@pytest.fixture(scope="module")
def result_schema():
    result = invoke("schema", "result")
    assert result.exit_code == 0
    return json.loads(result.output)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_json_output_validates_against_the_result_schema(path, result_schema):
    result = invoke("score", path, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, result_schema)
    form = data["forms"][0]
    for key in ("name", "kind", "source", "funding", "indicators", "reported_total", "computed_total",
                "reported_grade", "computed_grade", "findings"):
        assert key in form
    for key in ("level1", "level2", "level3", "target", "actual", "weight", "reported_score",
                "computed_score", "method"):
        assert key in form["indicators"][0]
    if form["funding"]:
        for key in ("annual_budget", "executed", "execution_rate", "reported_score", "computed_score"):
            assert key in form["funding"]


def test_json_decimals_are_strings():
    data = json.loads(invoke("score", SAMPLES / "shangdang-2023-xunchaban.yaml", "-f", "json",
                             "--fail-on", "never").output)
    form = data["forms"][0]
    assert form["funding"]["computed_score"] == "4.57"
    assert form["funding"]["executed"] == "22.873"
    assert form["computed_total"] == "91.75"
    assert data["summary"]["forms"] == 1


def test_exit_code_follows_fail_on():
    path = SAMPLES / "shangdang-2023-zuzhibu.yaml"   # has errors (total-mismatch)
    assert invoke("score", path).exit_code == 1
    assert invoke("score", path, "--fail-on", "never").exit_code == 0
    clean = SAMPLES / "shangdang-2023-xunchaban.yaml"  # warnings only
    assert invoke("score", clean).exit_code == 0
    assert invoke("score", clean, "--fail-on", "warning").exit_code == 1


def test_select_and_ignore_codes():
    path = SAMPLES / "shangdang-2023-zuzhibu.yaml"
    data = json.loads(invoke("score", path, "-f", "json", "--select", "total-mismatch").output)
    codes = {f["code"] for form in data["forms"] for f in form["findings"]}
    assert codes == {"total-mismatch"}
    data = json.loads(invoke("score", path, "-f", "json", "--ignore", "total-mismatch,level1-weight",
                             "--fail-on", "never").output)
    codes = {f["code"] for form in data["forms"] for f in form["findings"]}
    assert "total-mismatch" not in codes and "level1-weight" not in codes
    bad = invoke("score", path, "--select", "no-such-code")
    assert bad.exit_code == 2 and "unknown finding code" in bad.output


def one_line_error(result):
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return lines


def test_wrong_rules_path_is_one_line_exit_2():
    lines = one_line_error(invoke("score", SAMPLE_FILES[0], "--rules", "nowhere/rules.yaml"))
    assert lines == ["perfscore: nowhere/rules.yaml: no such rule file"]


def test_yaml_that_is_not_a_form(tmp_path):
    path = tmp_path / "notes.yaml"
    path.write_text("shopping: [milk, eggs]\n", encoding="utf-8")
    lines = one_line_error(invoke("score", path))
    assert any(str(path) in line and "not a form" in line for line in lines)


def test_form_with_a_missing_field_names_file_form_and_field(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text("name: 巡察经费\nindicators:\n  - level1: 产出指标\n    weight: 5\n", encoding="utf-8")
    lines = one_line_error(invoke("score", path))
    assert any(str(path) in line and "巡察经费" in line and "indicators[0].level3" in line for line in lines)


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = invoke("score", bad, SAMPLES / "shangdang-2023-xunchaban.yaml", "--fail-on", "never")
    assert result.exit_code == 0
    assert "巡察经费" in result.output and "bad.yaml" in result.output


def test_explain_documents_every_code_and_refuses_unknown():
    from perfscore.catalogue import CATALOGUE

    listing = invoke("explain")
    assert listing.exit_code == 0
    for code in CATALOGUE:
        assert code in listing.output
    one = invoke("explain", "total-mismatch")
    assert "What it means" in one.output and "How to fix it" in one.output
    assert invoke("explain", "total-mismatc").exit_code == 2


@pytest.mark.parametrize("name", ["form", "result", "rules"])
def test_schemas_are_json_schema(name):
    result = invoke("schema", name)
    assert result.exit_code == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(result.output))


def test_sample_forms_validate_against_the_form_schema():
    import yaml

    schema = json.loads(invoke("schema", "form").output)
    for path in SAMPLE_FILES:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_output_file_is_written_atomically_and_never_the_input(tmp_path):
    out = tmp_path / "report.json"
    result = invoke("score", SAMPLES / "shangdang-2023-xunchaban.yaml", "-f", "json", "-o", out, "--fail-on", "never")
    assert result.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["summary"]["forms"] == 1
    assert not list(tmp_path.glob(".*.tmp"))
    target = tmp_path / "copy.yaml"
    target.write_bytes((SAMPLES / "shangdang-2023-xunchaban.yaml").read_bytes())
    before = target.read_bytes()
    lines = one_line_error(invoke("score", target, "-f", "json", "-o", target))
    assert "refusing to overwrite an input file" in lines[-1]
    assert target.read_bytes() == before


def test_output_inside_an_input_directory_never_replaces_a_form(tmp_path):
    import os
    import shutil

    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(SAMPLES / "shangdang-2023-xunchaban.yaml", folder / "a.yaml")
    lines = one_line_error(invoke("score", folder, "-f", "json", "-o", folder / "a.yaml"))
    assert "refusing to overwrite an input file" in lines[-1]
    result = invoke("score", folder, "-f", "json", "-o", folder / "report.json", "--fail-on", "never")
    assert result.exit_code == 0
    mode = (folder / "report.json").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
