"""CLI conventions (issue #16, item 7): the format follows -o's extension, a clash is an error, --version,
--quiet/--verbose, readable metavars, completion, a broken pipe ends quietly with 0; and the closing line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from perfscore.cli import app, output_format
from tests.conftest import REPO, SAMPLES

ONE = str(SAMPLES / "shangdang-2023-xunchaban.yaml")


def test_the_format_follows_the_extension(tmp_path):
    for name, check in (("r.json", lambda t: json.loads(t)["summary"]["forms"] == 1),
                        ("r.html", lambda t: t.startswith("<!DOCTYPE html>")),
                        ("r.md", lambda t: t.startswith("# ")),
                        ("r.txt", lambda t: "summary:" in t)):
        out = tmp_path / name
        result = CliRunner().invoke(app, ["score", ONE, "-o", str(out), "--fail-on", "never"])
        assert result.exit_code == 0, result.output
        assert check(out.read_text(encoding="utf-8")), name
    out = tmp_path / "r.xlsx"
    assert CliRunner().invoke(app, ["score", ONE, "-o", str(out), "--fail-on", "never"]).exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_a_clash_is_an_error_and_writes_nothing(tmp_path):
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(app, ["score", ONE, "--format", "table", "-o", str(out)])
    assert result.exit_code == 2 and "does not match the extension" in result.output and not out.exists()
    assert output_format("summary", tmp_path / "s.txt") == "summary"  # text formats share .txt
    assert output_format("json", tmp_path / "report") == "json" and output_format(None, None) == "table"


def test_version_and_completion():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("perfscore ")
    assert "--install-completion" in CliRunner().invoke(app, ["--help"]).output


def test_help_has_readable_metavars():
    text = CliRunner().invoke(app, ["score", "--help"]).output
    assert "<list[str]>" not in text and "<str>" not in text and "<int range>" not in text
    assert "FILE..." in text and "CODE,..." in text


def test_a_broken_pipe_exits_quietly_with_0():
    proc = subprocess.run(f"{sys.executable} -m perfscore score samples/ --fail-on never | head -1",
                          shell=True, capture_output=True, text=True, cwd=REPO, timeout=300,
                          executable="/bin/bash", env={**os.environ, "PIPESTATUS_CHECK": "1"})
    assert proc.stderr == "" and len(proc.stdout.splitlines()) == 1
    status = subprocess.run(f"{sys.executable} -m perfscore score samples/ --fail-on never | head -1 >/dev/null;"
                            " echo ${{PIPESTATUS[0]}}".replace("{{", "{").replace("}}", "}"), shell=True,
                            capture_output=True, text=True, cwd=REPO, timeout=300, executable="/bin/bash")
    assert status.stdout.strip() == "0" and "Traceback" not in status.stderr


def test_quiet_and_verbose(tmp_path):
    out = tmp_path / "r.json"
    verbose = subprocess.run([sys.executable, "-m", "perfscore", "score", str(SAMPLES), "-o", str(out), "-v",
                              "--fail-on", "never"], capture_output=True, text=True, timeout=300)
    last = verbose.stderr.strip().splitlines()[-1]
    assert last.startswith(f"wrote {out}: ") and " forms, " in last and " errors in " in last, verbose.stderr
    quiet = subprocess.run([sys.executable, "-m", "perfscore", "score", ONE, "-o", str(out), "-q"],
                           capture_output=True, text=True, timeout=300)
    assert quiet.stderr == ""
    both = CliRunner().invoke(app, ["score", ONE, "-q", "-v"])
    assert both.exit_code == 2


def test_the_closing_line():
    from perfscore.results import Summary
    from perfscore.run import closing_line

    summary = Summary(forms=1234, grade_changes=56, findings_by_severity={"error": 7})
    assert closing_line(summary, "report.xlsx") == "wrote report.xlsx: 1,234 forms, 56 grade changes, 7 errors"


@pytest.mark.zh
def test_the_closing_line_in_chinese():
    from perfscore.results import Summary
    from perfscore.run import closing_line

    summary = Summary(forms=1234, grade_changes=56, findings_by_severity={"error": 7})
    assert closing_line(summary, "report.xlsx") == "已写入 report.xlsx：1,234 张自评表, 56 张等级变化, 7 个错误"
