"""The command line end to end: tables, JSON against the published schema, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

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


# --- -o: where a report may go, and what a failed run leaves (issue #12) ---------------------------------


def _tree(folder):
    """Every file under `folder` with what would show a write: content hash, size, mtime, mode, inode."""
    import hashlib

    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size,
                                         p.stat().st_mtime_ns, p.stat().st_mode, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["json", "table", "xlsx"])
def test_output_errors_are_one_line_exit_2_and_write_nothing(tmp_path, fmt):
    (tmp_path / "folder").mkdir()
    (tmp_path / "form.yaml").write_bytes((SAMPLES / "shangdang-2023-xunchaban.yaml").read_bytes())
    before = _tree(tmp_path)
    for out, reason in [(tmp_path / "folder", "is a directory"),
                        (tmp_path / "nowhere" / "r.out", "does not exist"),
                        (tmp_path / "form.yaml" / "r.out", "Not a directory")]:
        lines = one_line_error(invoke("score", tmp_path / "form.yaml", "-f", fmt, "-o", out, "--fail-on", "never"))
        assert lines == [lines[0]] and lines[0].startswith(f"perfscore: cannot write {out}: ") and reason in lines[0]
    for out in ["/proc/perfscore-report.out", "/proc/version"]:
        if Path("/proc/version").is_file():
            assert one_line_error(invoke("score", tmp_path / "form.yaml", "-f", fmt, "-o", out, "--fail-on",
                                         "never"))[0].startswith(f"perfscore: cannot write {out}: ")
    assert _tree(tmp_path) == before


def test_export_output_errors_are_one_line_exit_2(tmp_path):
    (tmp_path / "folder").mkdir()
    for out in [tmp_path / "folder", tmp_path / "nowhere" / "forms.xlsx"]:
        lines = one_line_error(invoke("export", SAMPLES / "shangdang-2023-xunchaban.yaml", "--to", "xlsx", "-o", out))
        assert len(lines) == 1 and lines[0].startswith(f"perfscore: cannot write {out}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_a_write_refused_at_write_time_is_one_line_and_leaves_the_old_report(tmp_path, monkeypatch):
    """A read-only directory or file system, whoever runs the test: the temp file cannot be made."""
    import tempfile

    out = tmp_path / "report.json"
    out.write_bytes(b"old report")

    def refuse(*_, **__):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    lines = one_line_error(invoke("score", SAMPLES / "shangdang-2023-xunchaban.yaml", "-f", "json", "-o", out,
                                  "--jobs", "1", "--fail-on", "never"))
    assert lines == [f"perfscore: cannot write {out}: Permission denied"]
    assert out.read_bytes() == b"old report"


def test_the_rule_file_is_never_the_output(tmp_path):
    rules = tmp_path / "my.yaml"
    rules.write_text("name: mine\nextends: national\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(rules)
    before = _tree(tmp_path)
    for out in (rules, tmp_path / "link.yaml"):
        lines = one_line_error(invoke("score", SAMPLES / "shangdang-2023-xunchaban.yaml", "--rules", rules,
                                      "-f", "json", "-o", out))
        assert len(lines) == 1 and "refusing to overwrite the rule file" in lines[0]
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table", "markdown", "html", "xlsx"])
def test_a_run_that_reads_nothing_leaves_the_existing_report_untouched(tmp_path, fmt):
    bad = tmp_path / "bad.yaml"
    bad.write_text("shopping: [milk, eggs]\n", encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    out.write_bytes(b"last week's report")
    before = _tree(tmp_path)
    result = invoke("score", bad, "-f", fmt, "-o", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("failure", [KeyboardInterrupt, lambda: OSError(28, "No space left on device")])
def test_an_interrupted_or_failed_report_leaves_the_old_one_byte_identical(tmp_path, monkeypatch, failure):
    """The promise "output files are written atomically": while the report is written the old one is
    still whole at the path, and a write that fails leaves it as it was, with no temp file beside it."""
    from perfscore.report import jsonout

    out = tmp_path / "report.json"
    out.write_bytes(b'{"old": "report"}')
    before = _tree(tmp_path)
    seen = []
    real_end = jsonout.JsonWriter.end

    def end(self, summary):
        real_end(self, summary)
        seen.append(out.read_bytes())  # everything is written, nothing is in place yet
        raise failure()

    monkeypatch.setattr(jsonout.JsonWriter, "end", end)
    result = invoke("score", SAMPLES / "shangdang-2023-xunchaban.yaml", "-f", "json", "-o", out, "--jobs", "1",
                    "--fail-on", "never")
    assert seen == [b'{"old": "report"}']
    assert result.exit_code in (2, 130) and "Traceback" not in result.output
    assert _tree(tmp_path) == before


def test_input_files_are_never_modified(tmp_path):
    """The promise "input files are never modified", for every reader (and broken files of each kind),
    through `score` in one process and with workers, from a stream, and through `export`."""
    import html
    import shutil

    import yaml

    from tests.readers.test_grid import SEED_000

    inputs = tmp_path / "in"
    inputs.mkdir()
    sample = SAMPLES / "shangdang-2023-xunchaban.yaml"
    shutil.copy(sample, inputs / "form.yaml")
    shutil.copy(sample, inputs / "form.yml")
    doc = yaml.safe_load(sample.read_text(encoding="utf-8"))
    (inputs / "form.json").write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    (inputs / "forms.jsonl").write_text(json.dumps(doc, ensure_ascii=False, default=str) + "\n{broken\n",
                                        encoding="utf-8")
    (inputs / "seed.txt").write_text(SEED_000, encoding="utf-8")
    (inputs / "seed.md").write_text(SEED_000, encoding="utf-8")
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>"
                   for line in SEED_000.splitlines())
    (inputs / "seed.html").write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    shutil.copy(SAMPLES / "excel" / "shangdang-2023-xunchaban.xlsx", inputs / "form.xlsx")
    shutil.copy(SAMPLES / "word" / "shangdang-2023-xunchaban.docx", inputs / "form.docx")
    try:
        from tests.readers.test_pdf import build_pdf
        from tests.conftest import read_one

        build_pdf(read_one(sample), inputs / "form.pdf")
    except pytest.skip.Exception:  # reportlab missing: the other readers are still checked
        pass
    for name, source in [("cut.xlsx", "form.xlsx"), ("cut.docx", "form.docx"), ("cut.pdf", "form.pdf")]:
        if (inputs / source).exists():
            (inputs / name).write_bytes((inputs / source).read_bytes()[:700])
    (inputs / "bad.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    outputs = tmp_path / "out"
    outputs.mkdir()
    before = _tree(inputs)

    runs = [invoke("score", inputs, "-f", "json", "-o", outputs / "r.json", "--jobs", "1", "--fail-on", "never"),
            invoke("score", inputs, "-f", "xlsx", "-o", outputs / "r.xlsx", "--jobs", "2", "--fail-on", "never"),
            runner.invoke(app, ["score", "-", "-f", "jsonl", "--fail-on", "never"],
                          input=(inputs / "forms.jsonl").read_text(encoding="utf-8"))]
    assert all(r.exit_code == 0 for r in runs), [r.output[-300:] for r in runs]
    assert json.loads((outputs / "r.json").read_text(encoding="utf-8"))["summary"]["forms"] >= 8
    for i, path in enumerate(sorted(inputs.iterdir())):
        to = ("yaml", "xlsx", "docx")[i % 3]
        invoke("export", path, "--to", to, "-o", outputs / f"{path.name}.{to}")
    assert len(list(outputs.iterdir())) >= 10  # the exports ran and wrote
    assert _tree(inputs) == before


def test_error_lines_show_control_characters_escaped(tmp_path):
    """A file name or cell that carries terminal escapes is shown, not obeyed, on stderr too."""
    bad = tmp_path / "bad\x1b[2J\u202e.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = invoke("score", bad, SAMPLES / "shangdang-2023-xunchaban.yaml", "--fail-on", "never")
    assert result.exit_code == 0
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "bad\\x1b[2J\\u202e.yaml" in result.output
    result = invoke("score", tmp_path / "nothing\x07\rhere.yaml")
    assert result.exit_code == 2 and "\x07" not in result.output and "\r" not in result.output
    assert f"perfscore: {tmp_path}/nothing\\x07 here.yaml: no such file" in result.output.splitlines()
