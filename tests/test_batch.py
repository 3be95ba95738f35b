"""Batches: stdin JSON Lines streamed through the CLI, parallel workers, bad input skipped."""

from __future__ import annotations

import json
import subprocess
import sys

from perfscore import load_rules, read_forms, score_many
from tests.conftest import REPO, SAMPLES


def run_cli(args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "perfscore", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO)


def test_jsonl_stdin_to_jsonl_matches_score_many_with_workers():
    forms = list(read_forms(SAMPLES)) * 20
    lines = "".join(f.model_dump_json() + "\n" for f in forms)
    expected = [r.model_dump_json() for r in score_many(forms, load_rules("national"))]
    for jobs in ("1", "2"):
        out = run_cli(["score", "-", "--format", "jsonl", "--jobs", jobs, "--fail-on", "never"], lines)
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines() == expected


def test_bad_lines_and_files_are_reported_and_skipped(tmp_path):
    good = next(read_forms(SAMPLES / "shangdang-2023-xunchaban.yaml")).model_dump_json()
    stream = tmp_path / "mixed.jsonl"
    stream.write_text(good + "\n{not json\n" + json.dumps({"name": "x", "indicators": [{}]}) + "\n" + good + "\n",
                      encoding="utf-8")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"this is not a workbook")
    for jobs in ("1", "2"):
        out = run_cli(["score", str(stream), str(corrupt), "-f", "jsonl", "--jobs", jobs, "--fail-on", "never"])
        assert out.returncode == 0, out.stderr
        assert len(out.stdout.splitlines()) == 2
        errors = [line for line in out.stderr.splitlines() if line.startswith("perfscore:")]
        assert any("line 2" in e and "invalid JSON" in e for e in errors)
        assert any("line 3" in e and "level3" in e for e in errors)
        assert any("corrupt.xlsx" in e for e in errors)
        assert "Traceback" not in out.stderr


def test_nothing_readable_exits_2(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("这份文件没有自评表。\n", encoding="utf-8")
    out = run_cli(["score", str(empty)])
    assert out.returncode == 2
    assert "empty.txt" in out.stderr and "Traceback" not in out.stderr


def test_help_is_quick_to_import():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "perfscore", "--help"], capture_output=True,
                         text=True, cwd=REPO)
    assert out.returncode == 0
    loaded = out.stderr
    for heavy in ("pydantic", "openpyxl", "pdfplumber", "docx"):
        assert f" {heavy}\n" not in loaded and f"| {heavy}\n" not in loaded


def test_ctrl_c_stops_cleanly_and_leaves_no_partial_output(tmp_path):
    """Interrupted mid-stream (stdin still open, some forms already scored): exit 130, one line, no file."""
    import signal
    import time

    form = next(read_forms(SAMPLES / "shangdang-2023-zuzhibu.yaml")).model_dump_json()
    out = tmp_path / "out.jsonl"
    for jobs in ("1", "2"):
        proc = subprocess.Popen([sys.executable, "-m", "perfscore", "score", "-", "-f", "jsonl", "-o", str(out),
                                 "--jobs", jobs], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        proc.stdin.write((form + "\n") * 600)
        proc.stdin.flush()
        deadline = time.monotonic() + 60  # started (its temporary output exists), however loaded the machine
        while not list(tmp_path.glob(".out.jsonl.*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "interrupted" in err
        assert not out.exists()
        assert not list(tmp_path.glob(".out.jsonl.*"))
