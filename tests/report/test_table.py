"""The terminal table, and the text reports as a terminal shows them: no control character from a form
reaches the terminal raw (issue #12: `ESC[2J` in a form name cleared the auditor's screen)."""

from __future__ import annotations

import re

import yaml
from wcwidth import wcswidth

from perfscore.batch import run
from perfscore.report.html import HtmlWriter
from perfscore.report.markdown import MarkdownWriter
from perfscore.report.safe import term_block, term_text
from perfscore.report.table import TableWriter
from perfscore.report.text import clip
from tests.conftest import SAMPLES

from .conftest import render_with

# every character that drives a terminal: C0 but newline, DEL, C1, the bidi marks and overrides
DRIVING = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
RAW = re.compile("[" + re.escape("".join(c for c in DRIVING if c != "\n")) + "]")


def hostile_docs(tmp_path, name="巡察\x1b[2J经费\x07\u202e", level3="数量\x1b]0;pwned\x07\x08\x08x",
                 actual="\r\x9b31mFAKE", file="form\x1b[1A.yaml"):
    from perfscore.rules import load_rules

    doc = yaml.safe_load((SAMPLES / "shangdang-2023-xunchaban.yaml").read_text(encoding="utf-8"))
    form = doc["forms"][0]
    form["name"], form["indicators"][0]["level3"], form["indicators"][0]["actual"] = name, level3, actual
    form["indicators"][1]["level3"] = "开展\t巡察\n次数\r\n(次)"
    path = tmp_path / file
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    bad = tmp_path / "bad\x1b[2J.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    return list(run([path, bad], load_rules("national"), explain=True))


def test_the_table_shows_controls_as_escapes_and_keeps_cjk(tmp_path):
    out = render_with(TableWriter, hostile_docs(tmp_path), explain=True)
    assert not RAW.search(out), sorted({repr(c) for c in RAW.findall(out)})
    assert "== 巡察\\x1b[2J经费\\x07\\u202e  [project]" in out
    assert "why: 巡察\\x1b[2J经费\\x07\\u202e" in out
    assert "数量\\x1b]0;pwned\\x07\\x08\\x08x" in out  # the explanation: whole
    assert "bad\\x1b[2J.yaml" in out  # the unreadable file in the summary
    # whitespace controls are spaces, so the cell stays on its line
    assert "开展 巡察 次数 (次)" in out


def test_escaped_cells_keep_the_columns_aligned(tmp_path):
    out = render_with(TableWriter, hostile_docs(tmp_path))
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    last_column_at = {wcswidth(line[:line.rstrip().rindex(" ") + 1]) for line in lines[rule - 1:rule + 3]}
    assert len(last_column_at) == 1, lines[rule - 1:rule + 3]  # header, rule, rows with escapes: lined up


def test_no_driving_character_passes_any_text_writer(tmp_path):
    every = "".join(f"{c}项" for c in DRIVING)
    docs = hostile_docs(tmp_path, name=f"名称{every}", level3=f"指标{every}", actual=f"{every}5台", file="form.yaml")
    for writer in (TableWriter, MarkdownWriter, HtmlWriter):
        out = render_with(writer, docs, explain=True)
        raw = RAW.findall(out.replace("\t", "") if writer is HtmlWriter else out)  # HTML keeps its tabs
        assert not raw, (writer.__name__, sorted(set(raw)))
        assert "名称\\x00项\\x01项" in out


def test_term_text_and_term_block():
    assert term_text("a\x1bb\r\nc\td\u2028e\x9b") == "a\\x1bb c d e\\x9b"
    assert term_text("中文 ①②  平方米㎡") == "中文 ①②  平方米㎡"  # printable text untouched, CJK included
    assert term_text("C:\\forms\\a.xlsx") == "C:\\forms\\a.xlsx"  # backslashes are not doubled
    assert term_text(None) == ""
    assert term_block("row 1\n\x1b[2Jrow 2\t|\r") == "row 1\n\\x1b[2Jrow 2\t|\\x0d"
    assert clip("名称\x1b[2J很长很长很长", 12) == "名称\\x1b[2J…"
