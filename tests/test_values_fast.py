"""The value parser's shortcut for simple comparisons must read every cell exactly as the general path.

``Vocabulary._parse`` reads "[one operator] NUMBER [listed unit]" cells with one regex match
(``_simple_comparison``); ``_parse_general`` is the same reading without that shortcut. Results are
compared by ``repr`` as well as ``==``: ``Decimal("1.0") == Decimal("1")``, but what was printed must
come back as printed.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore.values import ParsedValue, Vocabulary, default_vocabulary

ROOT = Path(__file__).resolve().parent.parent
VOCAB = default_vocabulary()


def _strings(node) -> list[str]:
    """Every string (keys and values) in a parsed YAML document."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(k) + _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def _sample_values() -> list[str]:
    out = []
    for path in sorted((ROOT / "samples").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for form in doc.get("forms", [doc]) if isinstance(doc, dict) else []:
                for ind in form.get("indicators") or []:
                    out += [ind[k] for k in ("initial_target", "adjusted_target", "actual")
                            if isinstance(ind.get(k), str)]
    return out


PREFIXES = sorted(VOCAB._prefix_ops) + ["", "约", "≥≥", "≥=", "=≥", "≤≥", ">=>", "不低于≥", "+", "＞＝", " ≥ "]
SUFFIXES = ["以上", "及以上", "以内", "以下", "左右", "(含)", "含", "以上(含)", "。", "；", ".", "!", "以上。", "/年",
            "/", "x", "台套", "abcde", "-", "~5", "-12月", "至20", "底", "年度", "月底前"]
UNITS = sorted(VOCAB._plain_units) + ["KG", "M2", "Km", "万元/年", "个/人", "台套", "abc", "ａｂ", "％", "萬元"]
NUMBERS = ["0", "5", "12", "12.5", "100", "696", "2023", "1810000", "0.0001", "007", "1,035.8", "12,345,678",
           "1,2345", "3,20.6,71591", "79.98852.24", "1.", ".5", "-5", "-0.5", "--5", "-", "1e3", "１２",
           "1 000", "1\u00a0000", "٣", "٣٫٥", "12月", "1-12", "5至10"]


def _combinations(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return [rnd.choice(PREFIXES) + rnd.choice(NUMBERS) + rnd.choice(UNITS)
            + (rnd.choice(SUFFIXES) if rnd.random() < 0.3 else "") for _ in range(n)]


CORPUS = sorted(set(
    _sample_values()
    + _strings(yaml.safe_load((ROOT / "indicators" / "vocabulary.yaml").read_text(encoding="utf-8")))
    + [p + n + u for p, n, u in itertools.product(["", "≥", "=", "—", "不低于", "+-"], NUMBERS, UNITS)]
    + [p + n + u for p, n, u in itertools.product(PREFIXES, ["12.5", "-5", "1,2345"], ["", "%", "万元", "x"])]
    + _combinations(3000, seed=3)
))


def _same(vocab: Vocabulary, text: str) -> ParsedValue:
    fast, general = vocab._parse(text), vocab._parse_general(text)
    assert fast == general and repr(fast) == repr(general), text
    assert repr(fast.in_base()) == repr(general.in_base()), text
    return fast


def test_shortcut_agrees_with_the_general_path():
    simple = 0
    for text in CORPUS:
        _same(VOCAB, text)
        simple += VOCAB._simple_comparison(text, text, text) is not None
    assert len(CORPUS) > 5000 and simple > 1000  # the shortcut is really taken, and not only that


def test_general_path_does_not_take_the_shortcut(monkeypatch):
    v = Vocabulary.from_data(VOCAB.data)
    monkeypatch.setattr(v, "_simple_comparison", None)
    assert v._parse_general("≥696个").number == 696


def test_samples_are_read_by_the_shortcut():
    """The samples' numbers are the shape the shortcut is for."""
    values = [v for v in set(_sample_values()) if VOCAB._parse(v).kind == "comparison"]
    assert values
    taken = [v for v in values if VOCAB._simple_comparison(v, v, VOCAB.normalise(v)) is not None]
    assert len(taken) >= 0.9 * len(values)


@settings(max_examples=1000, deadline=None)
@given(st.tuples(st.sampled_from(PREFIXES), st.sampled_from(NUMBERS) | st.decimals(allow_nan=False,
                 allow_infinity=False, places=3).map(str), st.sampled_from(UNITS),
                 st.sampled_from([""] + SUFFIXES)).map("".join))
def test_shortcut_agrees_on_generated_cells(text):
    _same(VOCAB, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="≥≤=<>±—→0123456789.,-%万元个人以上含() ", max_size=12))
def test_shortcut_agrees_on_any_mix(text):
    _same(VOCAB, text)


def test_shortcut_with_an_extended_vocabulary():
    # "约1" overlaps a number: the general path reads "约1,234" as "约1" then ",234", so no number
    v = VOCAB.extended({"operator_aliases": {"约": {"means": "=", "severity": "info"}, "约1": {"means": ">"}},
                        "operator_words": {"不低于约": {"means": ">="}},
                        "units": {"架次": {"base": "架次", "factor": "1"},
                                  "万架次": {"base": "架次", "factor": "10000"},
                                  "5分": {"base": "分", "factor": "5"}}})  # ends a garbled "1,2345分"
    assert v._simple_re is not None
    for text in ["约5架次", "约5万架次", "不低于约5架次", "约≥5架次", "≥约5", "5万架次以上", "约-5", "约15架次",
                 "约1,234架次", "约1.5", "1,2345分", "15分"] + CORPUS[::7]:
        _same(v, text)
    assert v._parse("约5万架次").in_base() == ("架次", 50000)


def test_shortcut_is_off_when_an_operator_starts_like_a_number():
    """A token such as "-" could follow another operator where the number starts: no shortcut then."""
    v = VOCAB.extended({"operator_aliases": {"-": {"means": "<", "severity": "info"}}})
    assert v._simple_re is None
    assert v._parse("≥-5").reason == "conflicting operators"


@pytest.mark.parametrize("text", ["≥696个", "=100%", "—64人", "≤1810000元", "12.5", "≥98%以上", "±5%", "1-12月",
                                  "及时", "-0.50元"])
def test_in_base_is_precomputed_as_it_would_be_computed(text):
    pv = VOCAB.parse(text)
    rebuilt = pv._replace(base_number=None)  # as a ParsedValue built by hand: in_base computes it
    assert repr(pv.in_base()) == repr(rebuilt.in_base())
    assert (pv.base_number is not None) == (pv.kind == "comparison")


# --- the comparison builder: by name, as fast as a whole tuple -----------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PREFIXES[:12]), st.sampled_from(NUMBERS[:12]), st.sampled_from(UNITS[:20]))
def test_comparison_builder_is_building_by_keywords(prefix, number, unit):
    from perfscore.parsed import comparison_value

    pv = VOCAB._parse(prefix + number + unit)
    if pv.kind != "comparison":
        return
    by_name = ParsedValue(text=pv.text, kind=pv.kind, operator=pv.operator, number=pv.number, unit=pv.unit,
                          aliases=pv.aliases, base_unit=pv.base_unit, factor=pv.factor, normalised=pv.normalised,
                          base_number=pv.base_number)
    assert pv == by_name and repr(pv) == repr(by_name)
    built = comparison_value(pv.text, pv.kind, pv.operator, pv.number, pv.unit, pv.aliases, pv.base_unit, pv.factor,
                        pv.normalised, pv.base_number)
    assert type(built) is ParsedValue and repr(built) == repr(by_name)
