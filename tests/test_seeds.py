"""The whole seeds folder, read from the published text, audited as an auditor would run it."""

from __future__ import annotations

import pytest

from perfscore.batch import run


@pytest.fixture(scope="module")
def audited(national):
    from tests.conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present beside the repo")
    docs = list(run([SEEDS], national))
    assert not [d.error for d in docs if d.error]
    forms = {f.name: f for d in docs for f in d.forms}
    return docs, forms


def findings(forms, name, code):
    return [f for f in forms[name].findings if f.code == code]


def test_all_forms_are_found(audited):
    docs, forms = audited
    counts = {d.file.rsplit("/", 1)[-1][:3]: len(d.forms) for d in docs}
    assert counts == {"000": 1, "001": 15, "002": 6, "003": 2, "004": 4}


def test_weights_95_and_total_95_not_92(audited):
    _, forms = audited
    (weights,) = findings(forms, "党群服务和人才专项经费", "weights-sum")
    assert weights.numbers["total"] == "95"
    (total,) = findings(forms, "党群服务和人才专项经费", "total-mismatch")
    assert (total.numbers["printed"], total.numbers["sum"]) == ("95", "92")


def test_printed_rate_does_not_match_the_amounts(audited):
    _, forms = audited
    (rate,) = findings(forms, "选派到村任职干部食宿交通补贴", "rate-mismatch")
    assert rate.numbers["printed"] == "92.61" and rate.numbers["computed"] == "92.81"
    assert (rate.numbers["executed"], rate.numbers["annual_budget"]) == ("7.425", "8")


def test_cost_indicator_achieved_but_scored_2_of_10(audited):
    _, forms = audited
    (found,) = findings(forms, "深化安全可靠替代工程项目", "qualitative-contradiction")
    assert found.indicator == "资金使用规模" and found.numbers["reported"] == "2"


def test_duplicate_indicator_rows(audited):
    _, forms = audited
    assert findings(forms, "政研室业务费", "duplicate-indicator")


def test_narrative_counts_agree_with_the_forms(audited):
    docs, _ = audited
    by_seed = {d.file.rsplit("/", 1)[-1][:3]: d for d in docs}
    for seed, stated in (("001", "12 优, 2 良, 1 中, 0 差"), ("002", "4 优, 1 良, 0 中, 1 差")):
        (agree,) = by_seed[seed].findings
        assert agree.code == "narrative-agrees" and agree.numbers["stated"] == stated


def test_funding_scores_from_the_published_amounts(audited):
    _, forms = audited
    assert str(forms["巡察经费"].funding.computed_score) == "4.57"
    assert str(forms["第一书记工作经费"].funding.computed_score) == "8.60"
    assert str(forms["深化安全可靠替代工程项目"].funding.computed_score) == "1.97"
