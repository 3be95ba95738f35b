"""Each audit check on small forms built for it, and on the real samples."""

from __future__ import annotations

from decimal import Decimal as D

from perfscore.audit import check_document
from perfscore.model import Document, Form, Funding, FundingRow, Indicator, NarrativeCounts
from perfscore.pipeline import score_form as score  # scored, then audited


def form(indicators, **kw):
    kw.setdefault("funding", Funding(total=FundingRow(label="资金总额", annual_budget=D(10), executed=D(10),
                                                       execution_rate=D(100), score=D(10))))
    return Form(name=kw.pop("name", "测试项目"), indicators=indicators, **kw)


def ind(level1, level2, level3, target, actual, weight, score_, reason=None):
    return Indicator(level1=level1, level2=level2, level3=level3, initial_target=target, actual=actual,
                     weight=D(str(weight)), score=D(str(score_)), deviation_reason=reason)


STANDARD = [
    ind("产出指标", "数量指标", "数量", "≥10个", "10个", 50, 50),
    ind("效益指标", "社会效益指标", "效益", "提升", "达成预期指标", 30, 30),
    ind("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10, 10),
]


def codes(f, national):
    return [x.code for x in score(f, national).findings]


def test_a_clean_form_has_no_findings(national):
    assert codes(form(STANDARD, reported_total=D(100), reported_grade="优"), national) == []


def test_grade_change_is_reported_with_both_totals(national):
    f = form([ind("产出指标", "数量指标", "数量", "≥10个", "5个", 50, 50), *STANDARD[1:]],
             reported_total=D(100), reported_grade="优")
    finding = next(x for x in score(f, national).findings if x.code == "grade-change")
    assert finding.numbers == {"reported_grade": "优", "computed_grade": "良", "reported_total": "100",
                               "computed_total": "75"} or finding.numbers["computed_grade"] == "中"


def test_grade_mismatch(national):
    assert "grade-mismatch" in codes(form(STANDARD, reported_total=D(100), reported_grade="良"), national)


def test_funding_arithmetic_and_budget_change(national):
    f = form(STANDARD, funding=Funding(total=FundingRow(
        label="资金总额", budget_compiled=D(100), annual_budget=D(40), executed=D(40), balance=D(5),
        execution_rate=D(100), score=D(10))))
    found = codes(f, national)
    assert "funding-arithmetic" in found     # 40 − 40 ≠ 5
    assert "budget-change" in found          # 全年预算数 40 vs 年初 100


def test_money_spent_against_a_zero_budget_is_an_error_with_its_numbers(national):
    """Issue #12 item 11: no finding at all used to say why the funding points were gone."""
    f = form(STANDARD, funding=Funding(total=FundingRow(
        label="资金总额", annual_budget=D(0), executed=D("12.5"), balance=D("-12.5"), score=D(10))))
    found = [x for x in score(f, national).findings if x.code.startswith("funding")]
    assert [x.code for x in found] == ["funding-zero-budget"]
    assert found[0].severity == "error" and found[0].indicator == "资金总额"
    assert found[0].numbers == {"executed": "12.5", "annual_budget": "0", "computed": "0", "printed": "10",
                                "weight": "10"}
    assert "no execution rate; scored 0 of 10 (printed 10)" in found[0].message


def test_nothing_spent_against_a_zero_budget_is_no_zero_budget_finding(national):
    f = form(STANDARD, funding=Funding(total=FundingRow(label="资金总额", annual_budget=D(0), executed=D(0))))
    assert "funding-zero-budget" not in codes(f, national)


def test_a_number_out_of_range_is_an_unparsed_value_finding_naming_form_and_field(national):
    data = form(STANDARD).model_dump()
    data["indicators"][2]["weight"] = "1e26"
    data["source"] = {"file": "forms.jsonl", "line": 51}
    finding = next(x for x in score(Form.model_validate(data), national).findings if x.code == "unparsed-value")
    assert (finding.form, finding.indicator, finding.severity) == ("测试项目", "indicators[2].weight", "warning")
    assert finding.location.file == "forms.jsonl" and "1E+26" in finding.message


def test_missing_level1_and_group_weights(national):
    found = codes(form([ind("产出指标", "数量指标", "数量", "≥10个", "10个", 60, 60),
                        ind("效益指标", "社会效益指标", "效益", "提升", "达成预期指标", 30, 30)]), national)
    assert "missing-level1" in found and "level1-weight" in found


def test_wrong_direction_from_the_indicator_library(national):
    found = score(form([ind("产出指标", "成本指标", "成本", "≥10万元", "8万元", 50, 50), *STANDARD[1:2],
                        ind("满意度指标", "服务对象满意度指标", "满意度", "≤90%", "95%", 10, 10, "偏高")]),
                  national).findings
    wrong = {x.indicator for x in found if x.code == "wrong-direction"}
    assert wrong == {"成本", "满意度"}


def test_direction_is_looked_up_only_for_operators_some_kind_rejects(national, tmp_path):
    # every shipped kind accepts "=", so an "=" target needs no lookup; a library whose kind rejects "="
    # makes it checked, and a form using it is reported
    assert national.checked_operators == {">=", ">", "<=", "<"}
    (tmp_path / "strict-library.yaml").write_text(
        "kinds:\n  - name: satisfaction\n    title: 满意度\n    match: {level2: [满意度]}\n"
        "    expected: ['>=']\n", encoding="utf-8")
    (tmp_path / "strict.yaml").write_text("name: strict\nextends: national\nlibrary: strict-library\n",
                                          encoding="utf-8")
    from perfscore.rules import load_rules

    strict = load_rules(str(tmp_path / "strict.yaml"))
    assert "=" in strict.checked_operators
    f = form([*STANDARD[:2], ind("满意度指标", "服务对象满意度指标", "满意度", "=90%", "95%", 10, 10, "偏高")])
    assert "wrong-direction" not in codes(f, national)
    assert "wrong-direction" in codes(f, strict)


def test_missing_deviation_reason_for_shortfall_and_130_percent(national):
    short = ind("产出指标", "数量指标", "数量", "≥10个", "8个", 50, 40)
    over = ind("产出指标", "数量指标", "数量", "≥10个", "13个", 50, 50)
    explained = ind("产出指标", "数量指标", "数量", "≥10个", "13个", 50, 50, reason="上级追加任务")
    assert "missing-deviation-reason" in codes(form([short, *STANDARD[1:]]), national)
    assert "missing-deviation-reason" in codes(form([over, *STANDARD[1:]]), national)
    assert "missing-deviation-reason" not in codes(form([explained, *STANDARD[1:]]), national)


def test_qualitative_contradiction_both_ways(national):
    low = ind("效益指标", "社会效益指标", "效益", "提升", "达成预期指标", 30, 10, "x")
    full = ind("效益指标", "社会效益指标", "效益", "提升", "未达成预期指标且效果较差", 30, 30)
    assert "qualitative-contradiction" in codes(form([STANDARD[0], low, STANDARD[2]]), national)
    assert "qualitative-contradiction" in codes(form([STANDARD[0], full, STANDARD[2]]), national)


def test_score_over_weight(national):
    assert "score-over-weight" in codes(form([ind("产出指标", "数量指标", "数量", "≥10个", "10个", 50, 55),
                                              *STANDARD[1:]]), national)


def test_findings_carry_location_and_numbers(sample_forms, national):
    result = score(sample_forms["选派到村任职干部食宿交通补贴"], national)
    rate = next(f for f in result.findings if f.code == "rate-mismatch")
    assert rate.numbers["printed"] == "92.61" and rate.numbers["computed"] == "92.81"
    assert rate.form == "选派到村任职干部食宿交通补贴" and rate.location is not None


def test_narrative_counts_agree_or_not(sample_forms, national):
    forms = [sample_forms["巡察经费"]]
    results = [score(f, national) for f in forms]
    agree = Document(forms=forms, narrative=NarrativeCounts(forms=1, grades={"优": 1, "良": 0}))
    assert [f.code for f in check_document(agree, results, national)] == ["narrative-agrees"]
    disagree = Document(forms=forms, narrative=NarrativeCounts(forms=2, grades={"优": 0, "良": 1}))
    finding = check_document(disagree, results, national)[0]
    assert finding.code == "narrative-mismatch" and finding.severity == "error"
    assert "says 2 forms" in finding.message


def test_samples_narratives_agree_with_their_forms(national):
    from perfscore.batch import run
    from tests.conftest import SAMPLES

    docs = {d.file.split("/")[-1]: d for d in run([SAMPLES], national)}
    for name in ("shangdang-2023-zuzhibu.yaml", "shangdang-2023-quweiban.yaml", "shangdang-2023-xunchaban.yaml"):
        assert [f.code for f in docs[name].findings] == ["narrative-agrees"], name


def test_prose_values_on_a_target_table_are_notes_not_warnings(sample_forms, national):
    result = score(sample_forms["巡察机构示范点建设及维护"], national)
    unparsed = [f for f in result.findings if f.code == "unparsed-value"]
    assert unparsed and {f.severity for f in unparsed} == {"info"}
    scored = form([ind("产出指标", "数量指标", "数量", "完成好多", "10个", 50, 50), *STANDARD[1:]])
    assert {f.severity for f in score(scored, national).findings if f.code == "unparsed-value"} == {"warning"}


def test_duplicates_are_found_by_label_without_whitespace_and_reported_once_at_the_first(national):
    rows = [ind("产出指标", "数量指标", "培训 人次", "≥10个", "10个", 20, 20),
            ind("产出指标", "数量 指标", "培训人次", "≥10个", "10个", 20, 20),
            ind("产出指标", "数量指标", "培训人次\u3000", "≥10个", "10个", 10, 10),
            *STANDARD[1:]]
    found = [f for f in score(form(rows), national).findings if f.code == "duplicate-indicator"]
    assert [(f.indicator, f.numbers["count"]) for f in found] == [("培训 人次", "3")]


def test_the_same_level3_under_another_level2_is_not_a_duplicate(national):
    rows = [ind("产出指标", "数量指标", "完成率", "≥10个", "10个", 25, 25),
            ind("产出指标", "质量指标", "完成率", "=100%", "100%", 25, 25), *STANDARD[1:]]
    assert "duplicate-indicator" not in codes(form(rows), national)
