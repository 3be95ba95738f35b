"""What changed at a glance (issue #16, item 2): the change list sorted by impact with Δ points, the
roll-up by 主管部门/预算单位 and by code, in `--format summary`, at the top of every report and in JSON; big
HTML reports collapse or leave out forms; the table fits the terminal; xlsx for Excel/WPS and paper."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner
from wcwidth import wcswidth

from perfscore.batch import SummaryBuilder
from perfscore.cli import app
from perfscore.report.html import HtmlWriter
from perfscore.report.markdown import MarkdownWriter
from perfscore.report.summary import SummaryWriter, delta_text
from perfscore.report.table import TableWriter
from perfscore.results import DELTA_BINS, delta_bin
from tests.conftest import SAMPLES

from .conftest import render_with


def summary_of(docs, threshold=Decimal(1)):
    builder = SummaryBuilder()
    for doc in docs:
        builder.add(doc)
    return builder.build(threshold)


def test_changes_are_sorted_by_impact_with_delta(docs):
    summary = summary_of(docs)
    assert summary.changes, "the samples move totals"
    keys = [(not c.grade_change, -abs(c.delta or 0)) for c in summary.changes]
    assert keys == sorted(keys)
    assert all(c.grade_change or abs(c.delta) > 1 for c in summary.changes)
    党群 = next(c for c in summary.changes if c.form == "党群服务和人才专项经费")
    assert 党群.delta == 党群.computed_total - 党群.reported_total
    assert len(summary_of(docs, Decimal(0)).changes) > len(summary.changes) > len(summary_of(docs, Decimal(5)).changes)
    assert sum(u.forms for u in summary.by_unit.values()) == summary.forms
    assert sum(summary.delta_bins.values()) <= summary.forms and summary.delta_bins


def test_workers_merge_the_same_lists(docs):
    one = summary_of(docs)
    a, b = SummaryBuilder(), SummaryBuilder()
    for i, doc in enumerate(docs):
        (a if i % 2 else b).add(doc)
    a.merge(b)
    merged = a.build()
    assert sorted(c.form for c in merged.changes) == sorted(c.form for c in one.changes)
    assert merged.by_unit == one.by_unit and merged.delta_bins == one.delta_bins


def test_format_summary_lists_the_changes(docs):
    out = render_with(SummaryWriter, docs)
    assert "forms change grade or move by more than 1 points" in out and "Δ points" in out
    assert "−3.01" in out and "党群服务和人才专项经费" in out or "+" in out
    assert "by 主管部门/预算单位:" in out and "findings by code:" in out
    assert "== " not in out  # no form detail
    assert delta_text(Decimal("-3.01")) == "−3.01" and delta_text(Decimal(2)) == "+2" and delta_text(None) == "—"


@pytest.mark.zh
def test_format_summary_in_chinese(docs):
    out = render_with(SummaryWriter, docs)
    assert "张自评表等级变化或总分变动超过 1 分" in out and "按主管部门/预算单位" in out and "Δ 分" in out


def test_json_summary_carries_the_lists():
    result = CliRunner().invoke(app, ["score", str(SAMPLES), "-f", "json", "--fail-on", "never", "--jobs", "1"])
    summary = json.loads(result.stdout[result.stdout.index("{"):])["summary"]
    assert summary["changes"] and {"form", "delta", "reported_grade", "computed_grade", "unit"} <= set(
        summary["changes"][0])
    assert summary["by_unit"] and summary["threshold"] == "1" and summary["delta_bins"]


def test_every_report_starts_with_the_changes(docs):
    md = render_with(MarkdownWriter, docs)
    assert md.index("forms change grade or move by more than") < md.index("### 1. ")
    page = render_with(HtmlWriter, docs)
    assert page.index('id="changes"') < page.index('id="form-1"')
    assert page.index('<svg class="chart delta"') < page.index('id="form-1"') and '<svg class="chart grades"' in page


def test_big_html_reports_collapse_then_keep_the_summary_alone(docs):
    out = io.StringIO()
    writer = HtmlWriter(out, collapse_after=2)
    for doc in docs:
        writer.document(doc)
    writer.end(summary_of(docs))
    page = out.getvalue()
    assert page.count('<details class="form">') == writer.count - 2
    out = io.StringIO()
    writer = HtmlWriter(out, detail_limit=3)
    for doc in docs:
        writer.document(doc)
    writer.end(summary_of(docs))
    page = out.getvalue()
    assert "too many for one page" in page and 'id="form-1"' not in page and 'id="changes"' in page
    assert '<svg class="chart' in page


def test_the_table_fits_columns_and_colours_on_request(docs, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    writer = TableWriter(out, colour=False)
    for doc in docs:
        writer.document(doc)
    text = out.getvalue()
    rows = [line for line in text.splitlines() if line[:4].strip().isdigit() or line.startswith("#  ")]
    assert rows and max(wcswidth(line) for line in rows) <= 80
    wide = render_with(TableWriter, docs)  # a pipe with COLUMNS unset: the whole table
    monkeypatch.delenv("COLUMNS")
    assert "一级指标" in render_with(TableWriter, docs) and wide
    out = io.StringIO()
    writer = TableWriter(out, colour=True)
    for doc in docs:
        writer.document(doc)
    assert "\x1b[33mW score-deviation\x1b[0m" in out.getvalue()


def test_no_color_and_pipes_get_no_colour(monkeypatch):
    from perfscore.report.table import use_colour

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert use_colour(Tty()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())


def test_compact_table_is_a_line_a_form(docs):
    out = io.StringIO()
    writer = TableWriter(out, compact=True)
    for doc in docs:
        writer.document(doc)
    lines = [line for line in out.getvalue().splitlines() if " → " in line]
    assert len(lines) == sum(len(d.forms) for d in docs)


def test_xlsx_for_excel_and_paper(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(app, ["score", str(SAMPLES), "-o", str(out), "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    summary = book["Summary"]
    assert summary.freeze_panes and summary.auto_filter.ref and summary._charts
    header = summary[int(summary.freeze_panes[1:]) - 1]
    assert [c.value for c in header][:9] == ["#", "sheet", "form", "file", "kind", "总分", "重算", "等级", "重算等级"]
    formulas = 0
    for ws in book.worksheets[1:]:
        assert ws.freeze_panes and ws.print_title_rows
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        formulas += sum(1 for row in ws.iter_rows() for c in row if c.data_type == "f")
        for row in ws.iter_rows():
            if row[0].value == "#" and row[1].value == "一级指标":
                assert row[10].alignment.wrap_text  # 问题
    assert formulas > 20


def test_the_change_list_keeps_the_biggest_moves_in_bounded_memory(monkeypatch):
    """However many forms move, the builder keeps the CHANGES_KEPT that moved most (memory stays flat);
    the unit roll-up and the Δ bins still count every form."""
    from decimal import Decimal

    from perfscore import results
    from perfscore.results import FormResult, SummaryBuilder

    monkeypatch.setattr(results, "CHANGES_KEPT", 5)
    builder = SummaryBuilder()
    for n in range(40):
        builder.add_form(FormResult(name=f"f{n}", kind="project", rules="national", unit="u",
                                    reported_total=Decimal(80), computed_total=Decimal(80) + Decimal(n) / 4), "x.yaml")
    assert len(builder._moved) == 5
    summary = builder.build(Decimal(1))
    assert [c.form for c in summary.changes] == ["f39", "f38", "f37", "f36", "f35"]
    assert summary.by_unit["u"].moved == 35 and sum(summary.delta_bins.values()) == 40


@given(st.decimals(min_value=-200, max_value=200, allow_nan=False, places=4)
       | st.sampled_from([bound for _, bound in DELTA_BINS if bound is not None]))
def test_delta_bin_by_bisection_is_the_first_bin_whose_bound_the_delta_is_below(delta):
    """`delta_bin` bisects the bounds; the bins as written say: the first bound the delta is below, else the last."""
    plain = next((label for label, bound in DELTA_BINS if bound is None or delta < bound), DELTA_BINS[-1][0])
    assert delta_bin(delta) == plain
