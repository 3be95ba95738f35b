"""Chinese normalisation before label matching: pinyin glosses, traditional characters, look-alike forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from perfscore.readers.chinese import converter_name, fold_forms, normalise, strip_pinyin, to_simplified

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "forms"
GLOSS = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}[)）]")


def _raw(prefix: str) -> str:
    files = sorted(CORPUS.glob(f"{prefix}-*.yaml"))
    if not files:
        pytest.skip(f"corpus form {prefix} not beside the repo")
    return yaml.safe_load(files[0].read_text(encoding="utf-8"))["raw"]


@pytest.mark.parametrize(("prefix", "words"), [
    ("07", ["绩效目标自评表", "全年预算数", "全年执行数", "年度资金总额", "预算执行率(B/A×100%)"]),
    ("08", ["绩效目标自评表", "全年预算数", "全年执行数", "年度资金总额", "资金管理情况"]),
    ("15", ["绩效目标", "预算数(A)", "执行数(B)", "年度财政资金总额", "一级指标"]),
])
def test_mirrored_corpus_forms_read_in_simplified(prefix, words):
    raw = _raw(prefix)
    assert GLOSS.search(raw) and not all(w in raw for w in words)  # the corpus text really is mirrored
    text = normalise(raw)
    for word in words:
        assert word in text
    assert not GLOSS.search(text)
    assert text.count("\n") == raw.count("\n")  # the layout survives


@pytest.mark.parametrize(("printed", "read"), [
    ("項(xiàng)目", "项目"),
    ("績(jī)效", "绩效"),
    ("預(yù)算數(shù)", "预算数"),
    ("預(yù)算數(shù)(A)", "预算数(A)"),
    ("執(zhí)行率(B/A)", "执行率(B/A)"),
    ("項（xiàng）目", "项目"),
    ("金额(万元)", "金额(万元)"),
    ("产出指标(50分)", "产出指标(50分)"),
    ("(2023年度)", "(2023年度)"),
    ("全年预算数(A)", "全年预算数(A)"),
    ("面积(ha)", "面积(ha)"),  # a toneless syllable is a unit unless the text has toned glosses
    ("重量(t)、长度(km)", "重量(t)、长度(km)"),
    ("的(de)項(xiàng)", "的项"),  # … and a gloss where it does
    ("Word(docx)文件", "Word(docx)文件"),
    ("(xiàng)開頭", "(xiàng)开头"),  # not after a CJK character: not a gloss
])
def test_pinyin_glosses_go_real_parentheses_stay(printed, read):
    assert normalise(printed) == read


@pytest.mark.parametrize(("printed", "read"), [
    ("≧95％", "≥95%"),
    ("≦5次", "≤5次"),
    ("═100%", "=100%"),
    ("﹦100%", "=100%"),
    ("＝１００％", "=100%"),
    ("＜３天", "<3天"),
    ("＞０", ">0"),
    ("⼈数⽐例", "人数比例"),  # Kangxi radicals from PDF extraction
    ("１２３ＡＢＣ，（万元）：", "123ABC,(万元):"),
    ("①产出 ㎡ 10²", "①产出 ㎡ 10²"),  # no NFKC where it would print numbers nobody wrote
])
def test_full_width_and_look_alike_forms(printed, read):
    assert normalise(printed) == read


def test_value_cells_can_keep_the_aliases_the_parser_reports():
    assert fold_forms("﹦100％", operators=False) == "﹦100%"
    assert fold_forms("≧95%", operators=False) == "≧95%"
    assert fold_forms("＝１", operators=False) == "=1"


def test_simplified_text_is_unchanged():
    text = "项目支出绩效自评表 著作 乾坤 于是 后来 发展 头发 干部"
    assert to_simplified(text) == text
    assert normalise("") == "" and strip_pinyin("plain (text)") == "plain (text)"


def test_opencc_does_the_conversion():
    pytest.importorskip("opencc")
    assert converter_name() == "opencc"
    assert to_simplified("乾隆時期的頭髮與發展") == "乾隆时期的头发与发展"  # phrase-aware, not a table


def test_the_vocabulary_table_is_the_fallback(monkeypatch):
    import sys

    from perfscore.readers import chinese

    chinese._converter.cache_clear()
    monkeypatch.setitem(sys.modules, "opencc", None)
    try:
        assert converter_name() == "vocabulary"
        assert normalise("績效目標 預算數") == "绩效目标 预算数"
    finally:
        chinese._converter.cache_clear()


def test_hostile_input_is_handled_in_linear_passes():
    """Long runs of what the gloss pattern looks at: each match is bounded, so no backtracking blow-up."""
    for text in ("項(" * 50_000, "項(" + "a" * 200_000, "項(xiàng)" * 20_000 + "(", "（" * 100_000):
        assert len(normalise(text)) <= len(text)
