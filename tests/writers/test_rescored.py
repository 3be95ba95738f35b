"""`perfscore export --rescored`: the form handed back with the recomputed figures and the findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfscore import load_rules, read_forms, score
from perfscore.cli import app
from perfscore.readers import read_documents
from perfscore.writers.layout import layout_form
from perfscore.writers.rescored import rescored

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "shangdang-2023-zuzhibu.yaml"


def test_the_recomputed_figures_replace_the_printed_ones_and_the_findings_become_the_review():
    rules = load_rules("national")
    form = next(f for f in read_forms(SAMPLE) if score(f, rules).computed_total != f.reported_total)
    result = score(form, rules)
    copy, review = rescored(form, result)
    assert copy.reported_total == result.computed_total and copy.reported_grade == result.computed_grade
    assert [i.score for i in copy.indicators] == [
        r.computed_score if r.computed_score is not None else i.score for r, i in zip(result.indicators, form.indicators)]
    assert [i.weight for i in copy.indicators] == [i.weight for i in form.indicators]  # weights stay as printed
    assert form.reported_total != copy.reported_total  # the form read is not changed
    assert len(review) == len(result.findings) and all(f.code in line for f, line in zip(result.findings, review))
    lay = layout_form(copy, review)
    labels = [row[0] for row in lay.rows]
    assert labels.index("复核意见") > labels.index("总分")
    assert [row[2] for row in lay.rows[labels.index("复核意见"):]] == review


@pytest.mark.parametrize("to", ["xlsx", "docx"])
def test_export_rescored_reads_back_with_the_recomputed_totals(tmp_path, to):
    pytest.importorskip("openpyxl" if to == "xlsx" else "docx")
    out = tmp_path / f"rescored.{to}"
    run = CliRunner().invoke(app, ["export", str(SAMPLE), "--to", to, "-o", str(out), "--rescored"])
    assert run.exit_code == 0, run.output
    rules = load_rules("national")
    want = [(score(f, rules).computed_total, score(f, rules).computed_grade) for f in read_forms(SAMPLE)]
    got = [(f.reported_total, f.reported_grade) for d in read_documents(out) for f in d.forms]
    assert got == want


def test_rescored_yaml_is_refused(tmp_path):
    run = CliRunner().invoke(app, ["export", str(SAMPLE), "--to", "yaml", "-o", str(tmp_path / "x.yaml"), "--rescored"])
    assert run.exit_code != 0 and not (tmp_path / "x.yaml").exists()
