"""Batches: stdin JSON Lines streamed through the CLI, parallel workers, bad input skipped."""

from __future__ import annotations

import json
import subprocess
import sys

from perfscore import load_rules, read_forms, score_many
from tests.conftest import REPO, SAMPLES, strip_meta


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


def test_a_folder_of_word_files_leaves_no_document_behind(tmp_path):
    """python-docx documents are reference cycles holding megabytes of lxml trees; under the batch's rare
    collections they piled up, ~5 MB a file (issue #12). Each file's are collected once it is read."""
    import gc

    import pytest

    pytest.importorskip("docx")
    from perfscore.batch import batch_gc, run
    from perfscore.model import Document
    from perfscore.writers import export

    forms = list(read_forms(SAMPLES / "shangdang-2023-zuzhibu.yaml"))
    for n in range(6):
        export(Document(forms=forms), tmp_path / f"form-{n}.docx", to="docx")

    def word_objects() -> int:
        return sum(1 for o in gc.get_objects() if type(o).__module__.startswith("docx."))

    alive = []  # python-docx objects alive as each file's document comes out: its own, while it is read
    with batch_gc():
        for doc in run([tmp_path], load_rules("national")):
            assert doc.forms
            alive.append(word_objects())
        left = word_objects()
    assert len(alive) == 6 and 0 < max(alive) < 2 * alive[0]
    assert left == 0


HOSTILE_VALUE = "≥" + "1" + "0" * 33 + "台"  # a 34-digit count (issue #12)
HUGE = "1e999999999999999999"


def hostile_stream(path) -> tuple[list[str], dict[str, str]]:
    """100 forms of JSON Lines with hostile ones in the middle: numbers no form states, in a value cell,
    a weight, a total, a budget and a score. The forms' names, and the field each hostile form names."""
    forms = list(read_forms(SAMPLES))
    rows, bad = [], {}
    for n in range(100):
        data = strip_meta(json.loads(forms[n % len(forms)].model_dump_json()))  # read from this stream
        data["name"] = name = f"{data['name']} #{n}"
        field = None
        if n == 48:
            data["indicators"][0]["actual"], field = HOSTILE_VALUE, data["indicators"][0]["level3"]
        elif n == 49:
            data["indicators"][1]["weight"], field = 1e26, "indicators[1].weight"
        elif n == 50:
            data["reported_total"], field = HUGE, "reported_total"
        elif n == 51 and data.get("funding", {}).get("total"):
            data["funding"]["total"]["annual_budget"], field = HUGE, "funding.total.annual_budget"
        elif n == 52:
            data["indicators"][0]["score"], field = "-" + HUGE, "indicators[0].score"
        if field:
            bad[name] = field
        rows.append(json.dumps(data, ensure_ascii=False))
    path.write_text("\n".join(rows[:50] + ["{not json"] + rows[50:]) + "\n", encoding="utf-8")
    return [json.loads(r)["name"] for r in rows], bad


def test_a_stream_with_hostile_numbers_in_the_middle_gives_every_result(tmp_path):
    """README: one bad line of a JSON Lines stream never stops a batch. Issue #12: with a 34-digit value,
    a weight of 1e26 or "1e999999999999999999" in a total, budget or score at line 51 of 100, the scorer
    raised: 1 result out with --jobs 1, 0 with --jobs 2, no file with -o. Now every form comes out; each
    hostile number is one `unparsed-value` finding naming file, form and field, the line that is not JSON
    one error line, and the exit code is the documented one."""
    stream = tmp_path / "forms.jsonl"
    names, bad = hostile_stream(stream)
    assert len(bad) == 5
    outputs = []
    for jobs, output in (("1", None), ("2", None), ("1", tmp_path / "out1.jsonl"), ("2", tmp_path / "out2.jsonl")):
        out = run_cli(["score", str(stream), "-f", "jsonl", "--jobs", jobs,
                       *(["-o", str(output)] if output else [])])
        assert "Traceback" not in out.stderr
        errors = out.stderr.splitlines()
        assert len(errors) == 1 and str(stream) in errors[0] and "line 51" in errors[0], out.stderr
        lines = output.read_text(encoding="utf-8").splitlines() if output else out.stdout.splitlines()
        results = [json.loads(line) for line in lines]
        assert [r["name"] for r in results] == names
        for r in results:
            hostile = [f for f in r["findings"] if f["code"] == "unparsed-value" and "out of range" in f["message"]]
            if r["name"] in bad:
                assert len(hostile) == 1, r["name"]
                assert (hostile[0]["form"], hostile[0]["indicator"]) == (r["name"], bad[r["name"]])
                assert hostile[0]["location"]["file"] == str(stream)
            else:
                assert hostile == []
        worst = {f["severity"] for r in results for f in r["findings"]}
        assert out.returncode == (1 if "error" in worst else 0)  # --fail-on error, the default
        assert max(map(len, lines)) < 100_000
        outputs.append(lines)
    assert outputs[0] == outputs[1] == outputs[2] == outputs[3]


def poisoned(name: str):
    """A form no number check saw (built by code, a value set after validation) whose arithmetic raises."""
    from decimal import Decimal

    form = next(read_forms(SAMPLES / "shangdang-2023-xunchaban.yaml")).model_copy(deep=True)
    form.name = name
    form.indicators[0].weight = Decimal("sNaN")
    return form


def test_a_form_that_cannot_be_scored_is_one_line_and_the_others_are_kept():
    """The scorer and the audit are guarded per form, as the readers are (issue #12)."""
    from perfscore.batch import score_document
    from perfscore.model import Document

    good = list(read_forms(SAMPLES / "shangdang-2023-zuzhibu.yaml"))[:2]
    docs = score_document("forms.yaml", Document(forms=[good[0], poisoned("坏表"), good[1]]), load_rules("national"))
    assert [r.name for r in docs[0].forms] == [f.name for f in good]
    assert docs[0].findings == []  # the narrative is checked against whole documents only
    assert len(docs) == 2 and docs[1].forms == []
    assert docs[1].error.startswith("forms.yaml, form '坏表'") and "cannot score: InvalidOperation" in docs[1].error
    assert "\n" not in docs[1].error


def test_score_many_raises_one_line_or_skips_a_form_that_cannot_be_scored():
    import pytest

    from perfscore.errors import ScoreError

    good = list(read_forms(SAMPLES / "shangdang-2023-zuzhibu.yaml"))[:2]
    forms = [good[0], poisoned("坏表"), good[1]]
    rules = load_rules("national")
    for jobs in (1, 2):
        assert [r.name for r in score_many(forms, rules, jobs=jobs, on_error="skip")] == [f.name for f in good]
        results = score_many(forms, rules, jobs=jobs)
        assert next(results).name == good[0].name
        with pytest.raises(ScoreError, match="form '坏表'.*cannot score: InvalidOperation"):
            next(results)


def test_a_total_of_1e99999999_gives_a_report_of_ordinary_size(tmp_path):
    """Issue #12 item 5: `reported_total: "1e99999999"` gave 200 MB of output, the number without its
    exponent. It is out of range: read as blank, with one finding."""
    form = strip_meta(json.loads(next(read_forms(SAMPLES / "shangdang-2023-xunchaban.yaml")).model_dump_json()))
    form["reported_total"] = "1e99999999"
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    for fmt in ("table", "json", "markdown", "html"):
        out = run_cli(["score", str(path), "-f", fmt, "--fail-on", "never"])
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        assert len(out.stdout) < 200_000 and "unparsed-value" in out.stdout and "1E+99999999" in out.stdout


def test_a_damaged_workbook_is_one_line_and_the_batch_goes_on(tmp_path):
    """Compressed sheet data damaged in transit: the zip library's own error becomes the file's one line."""
    import subprocess
    import sys
    import zipfile

    src = REPO / "samples" / "excel" / "shangdang-2023-xunchaban.xlsx"
    bad = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
    data = bytearray(bad.read_bytes())
    at = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 40
    data[at:at + 20] = bytes(b ^ 0x55 for b in data[at:at + 20])
    bad.write_bytes(bytes(data))
    (tmp_path / "good.yaml").write_bytes((REPO / "samples" / "shangdang-2023-xunchaban.yaml").read_bytes())
    proc = subprocess.run([sys.executable, "-m", "perfscore", "score", str(tmp_path), "-f", "json", "--jobs", "1",
                           "--fail-on", "never"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert len(json.loads(proc.stdout)["forms"]) == 1
    assert [line for line in proc.stderr.splitlines() if "damaged.xlsx" in line]


def test_a_folder_scan_says_which_files_it_skipped_and_why(tmp_path):
    import shutil

    shutil.copy(SAMPLES / "shangdang-2023-xunchaban.yaml", tmp_path / "form.yaml")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "old.yaml").write_text("x: 1", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "perfscore", "score", str(tmp_path), "-f", "json", "--fail-on",
                           "never"], capture_output=True, text=True, timeout=120)
    skipped = {e["file"]: e["message"] for e in json.loads(proc.stdout)["summary"]["skipped"]}
    assert skipped == {str(tmp_path / ".hidden" / "old.yaml"): "hidden file or folder",
                       str(tmp_path / "photo.png"): "not a form file (.png)"}
    table = subprocess.run([sys.executable, "-m", "perfscore", "score", str(tmp_path), "--fail-on", "never"],
                           capture_output=True, text=True, timeout=120).stdout
    assert "skipped: 2" in table and "photo.png: not a form file (.png)" in table
