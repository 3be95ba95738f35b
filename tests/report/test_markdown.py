"""The Markdown report: summary first, tables that stay tables, every finding code shown."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from perfscore.batch import DocumentResult, SummaryBuilder, run
from perfscore.cli import app
from perfscore.report.markdown import MarkdownWriter
from perfscore.report.safe import md_cell, md_text
from tests.conftest import SAMPLES

from tests.report.conftest import render_with


def render(docs, explain=False) -> str:
    return render_with(MarkdownWriter, docs, explain)




@pytest.fixture(scope="module")
def summary(docs):
    builder = SummaryBuilder()
    for doc in docs:
        builder.add(doc)
    return builder.build()


@pytest.fixture(scope="module")
def report(docs):
    return render(docs)


def section(report: str, name: str) -> str:
    start = report.index(f". {name}\n")
    end = report.find("\n### ", start)
    return report[start:end if end != -1 else None]


def test_summary_comes_before_the_first_form(report, summary):
    assert report.startswith("# ")
    assert report.index("## Summary") < report.index("### Findings by code") < report.index("\n### 1. ")
    assert summary.forms >= 28
    assert f"| Forms read | {summary.forms} |" in report
    assert f"| Files | {summary.files} |" in report
    grades = [g for g in "优良中差" if g in summary.reported_grades or g in summary.computed_grades]
    assert "|  | " + " | ".join(grades) + " |" in report  # grades reported vs computed
    assert "| reported | " + " | ".join(str(summary.reported_grades.get(g, 0)) for g in grades) + " |" in report
    assert "| computed | " + " | ".join(str(summary.computed_grades.get(g, 0)) for g in grades) + " |" in report
    assert f"| Grade changes under the rules | {summary.grade_changes} |" in report
    assert "Rule set: `national`" in report


def test_findings_by_code_carry_the_catalogue_title(report, summary):
    count = summary.findings_by_code["total-mismatch"]
    assert f"| `total-mismatch` | error | 总分 is not the sum of the reported scores | {count} |" in report
    for severity, n in summary.findings_by_severity.items():
        assert f"| {severity} | {n} |" in report


def test_known_indicator_row(report):
    # 8 of 10 on 部分达成 is on the band's inclusive edge: kept, not changed (issue #15: was **7.99**)
    assert "| 6 | 效益指标 | 社会效益指标 | 人才服务水平 | 提升 | 部分达成预期指标并具有一定效果 | 10 | 8 | 8 |" in report


def test_total_mismatch_form(report):
    text = section(report, "党群服务和人才专项经费")
    assert "**总分** 95 → **92**" in text  # issue #15: was 91.99 (a band edge 0.01 short)
    assert "- **error** `total-mismatch`: 总分 printed 95 but the printed scores add up to 92" in text
    assert "| 资金总额 | 500 | 449.907 | 89.98 | 89.98 | 10 | 9 | 9 |" in text


def test_funding_line_marks_the_rate_mismatch(report):
    text = section(report, "选派到村任职干部食宿交通补贴")
    assert "| 资金总额 | 8 | 7.425 | 92.61 | **92.81** | 10 | 9.28 | 9.28 | `rate-mismatch` |" in text


def test_every_emitted_code_appears(docs, report):
    emitted = {f.code for d in docs for f in d.findings} | {f.code for d in docs for form in d.forms
                                                             for f in form.findings}
    assert emitted
    for code in emitted:
        assert f"`{code}`" in report


def test_document_findings_under_their_file(docs, report):
    with_findings = [d for d in docs if d.findings]
    assert with_findings  # the samples state grade counts in their narrative
    for doc in with_findings:
        start = report.index(f"## {doc.file}\n")
        first_form = report.index("\n### ", start)
        assert "**Document findings:**" in report[start:first_form]
        for f in doc.findings:
            assert f"`{f.code}`" in report[start:first_form]


def test_every_table_row_has_as_many_cells_as_its_header(report):
    rows = [line for line in report.splitlines() if line.startswith("|")]
    widths = [len(re.findall(r"(?<!\\)\|", line)) for line in rows]
    # tables are separated by blank lines, so check row by row against the header above
    current = None
    for line, width in zip(rows, widths):
        if re.fullmatch(r"\|(-+:?\|)+", line.replace("---:", "---")):
            assert width == current
            continue
        if current is None or width != current:
            current = width  # a new table's header
        assert width == current


def test_pipes_and_newlines_in_cells_are_escaped(docs):
    doc = next(d for d in docs if d.forms and d.forms[0].indicators)
    form = doc.forms[0]
    bad = form.indicators[0].model_copy(update={"level3": "a|b\nc", "target": "≥1 | *x*"})
    form = form.model_copy(update={"name": "name | with\npipe", "indicators": [bad, *form.indicators[1:]]})
    text = render([DocumentResult(doc.file, [form], [])])
    assert "a\\|b<br>c" in text
    assert "≥1 \\| \\*x\\*" in text
    assert "### 1. name \\| with pipe" in text
    body = text[text.index("### 1. "):]
    row = next(line for line in body.splitlines() if line.startswith("| 1 |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 12  # 11 columns


def test_escape_helpers():
    assert md_cell("x|y\r\nz") == "x\\|y<br>z"
    assert md_text("<b>[link](x)</b>") == "\\<b\\>\\[link](x)\\</b\\>"
    assert md_text(None) == ""


def test_explain_includes_each_indicator_explanation(docs):
    from perfscore.rules import load_rules

    text = render(run([SAMPLES / "shangdang-2023-zuzhibu.yaml"], load_rules("national"), explain=True),
                  explain=True)
    assert "**Why (explain):**" in text
    assert "- 6. 人才服务水平 — " in text and "reported 8 kept" in text  # issue #15: was → 7.99
    assert "`funding.formula`: `min(rate, 1) * weight`" in text
    plain = render(docs)
    assert "**Why (explain):**" not in plain


def test_unreadable_file_is_reported(docs):
    text = render([DocumentResult("broken.pdf", error="broken.pdf: cannot read"), *docs[:1]])
    assert "| Unreadable files | 1 |" in text
    assert "- broken.pdf: broken.pdf: cannot read" in text
    assert text.index("## broken.pdf") > text.index("## Summary")
    assert "**Unreadable:** broken.pdf: cannot read" in text


def test_cli_markdown():
    result = CliRunner().invoke(app, ["score", str(SAMPLES), "--format", "markdown", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")
    assert "## Summary" in result.stdout
    failing = CliRunner().invoke(app, ["score", str(SAMPLES), "--format", "markdown"])
    assert failing.exit_code == 1  # errors reach the default --fail-on error
