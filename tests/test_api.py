"""The library API: lazy reading, pure scoring, ordered parallel scoring, nothing of the CLI needed."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from perfscore import load_rules, read_forms, score, score_many
from perfscore.errors import ReadError
from tests.conftest import REPO, SAMPLES


def test_read_forms_is_lazy_and_reads_directories():
    forms = read_forms(SAMPLES)
    assert iter(forms) is forms
    names = [f.name for f in forms]
    # 28 transcribed forms, plus the xlsx and docx examples of 巡察经费
    assert len(names) == 30 and names.count("巡察经费") == 3


def test_read_forms_errors_raise_or_skip(tmp_path):
    (tmp_path / "a.yaml").write_text("name: [broken\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_bytes((SAMPLES / "shangdang-2023-xunchaban.yaml").read_bytes())
    with pytest.raises(ReadError, match="a.yaml"):
        list(read_forms(tmp_path))
    assert [f.name for f in read_forms(tmp_path, on_error="skip")] == ["巡察经费"]


def test_read_forms_from_a_jsonl_stream():
    form = next(read_forms(SAMPLES / "shangdang-2023-xunchaban.yaml"))
    stream = io.StringIO(form.model_dump_json() + "\n\n" + form.model_dump_json() + "\n")
    assert [f.name for f in read_forms(stream)] == ["巡察经费", "巡察经费"]


def test_score_accepts_a_rule_set_name():
    form = next(read_forms(SAMPLES / "shangdang-2023-xunchaban.yaml"))
    assert str(score(form, "finance-system").computed_total) == "91.75"


def test_score_many_parallel_matches_in_process_and_keeps_order():
    rules = load_rules("national")
    forms = [f for p in sorted(SAMPLES.glob("*.yaml")) for f in read_forms(p)] * 5
    one = [r.model_dump_json() for r in score_many(forms, rules)]
    two = [r.model_dump_json() for r in score_many(iter(forms), rules, jobs=2)]
    assert one == two
    assert [json.loads(x)["name"] for x in two] == [f.name for f in forms]


def test_api_import_does_not_load_the_cli_or_optional_readers():
    code = ("import sys, perfscore; perfscore.score_many; "
            "bad = [m for m in ('typer', 'perfscore.cli', 'openpyxl', 'docx', 'pdfplumber') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_package_ships_type_information():
    import perfscore

    assert (REPO / "perfscore" / "py.typed").exists()
    assert set(perfscore.__all__) >= {"load_rules", "read_forms", "score", "score_many", "FormResult"}
