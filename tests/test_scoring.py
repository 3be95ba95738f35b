"""The scorer on the real samples and on each rule of the national and finance-system sets."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfscore.model import Form, Funding, FundingRow, Indicator
from perfscore.rules import load_rules
from perfscore.pipeline import score_form as score  # scored, then audited
from perfscore.scoring import score_indicator


def ind(target, actual, weight, reported=None, level3="指标"):
    return Indicator(level1="产出指标", level2="数量指标", level3=level3, initial_target=target,
                     actual=actual, weight=D(str(weight)), score=None if reported is None else D(str(reported)))


def computed(national, target, actual, weight, reported=None):
    return score_indicator(ind(target, actual, weight, reported), 1, national).result


@pytest.mark.parametrize(("name", "expected"), [
    ("巡察经费", "4.57"),                 # 22.873/50 = 45.746 %, printed 45.75
    ("第一书记工作经费", "8.60"),          # 12.9/15
    ("深化安全可靠替代工程项目", "1.97"),   # 203.576/1035.8 = 19.654 %
])
def test_funding_score_comes_from_the_amounts(sample_forms, national, name, expected):
    result = score(sample_forms[name], national)
    assert result.funding.computed_score == D(expected)


def test_funding_uses_breakdown_when_total_row_is_blank(national):
    form = Form(name="x", funding=Funding(
        total=FundingRow(label="资金总额", annual_budget=D(0), executed=D(0)),
        breakdown=[FundingRow(label="本年财政拨款", annual_budget=D(40), executed=D(30), score=D("7.5"))]))
    result = score(form, national)
    assert result.funding.computed_score == D("7.50")
    assert result.funding.basis == "breakdown"
    assert "funding-total-blank" in {f.code for f in result.findings}



def unbudgeted(**total) -> Form:
    """Money spent against a 全年预算数 of 0 (issue #12 item 11): indicators 88.44, printed total 98."""
    return Form(name="零预算", reported_total=D(98), funding=Funding(total=FundingRow(
        label="资金总额", annual_budget=D(0), executed=D(12), execution_rate=D(100), score=D(10), **total)),
        indicators=[ind("≥10台", "10台", 50, 50), ind("≥100人", "100人", 30, 30, "人数"),
                    ind("≥90%", "85%", 10, 8, "满意度")])


def test_money_spent_against_a_zero_budget_scores_zero_and_says_why(national):
    """The funding row used to be left out of the total (computed None) with "no 全年预算数/全年执行数
    to score" and no finding. No rate exists under national: the row scores 0 of 10, with an error."""
    result = score(unbudgeted(), national)
    assert result.funding.computed_score == D(0) and result.funding.rows[0].computed_score == D(0)
    assert result.funding.execution_rate is None
    assert "spent against a 全年预算数 of 0" in result.funding.explanation
    assert "no 全年预算数" not in result.funding.explanation
    assert result.computed_total == D("89.44")
    by_code = {f.code: f for f in result.findings}
    assert by_code["funding-zero-budget"].severity == "error"
    assert "funding-score-mismatch" not in by_code  # no rate, so no "—% × 10"


def test_a_rule_set_may_rate_a_zero_budget_otherwise(tmp_path):
    path = tmp_path / "fallback.yaml"
    path.write_text('name: fallback\nextends: [national]\nfunding:\n  rate: "executed / annual_budget if '
                    'annual_budget else min(executed / initial_budget, 1) if initial_budget else 0"\n',
                    encoding="utf-8")
    result = score(unbudgeted(initial_budget=D(20)), load_rules(path))
    assert result.funding.computed_score == D("6.00") and result.funding.execution_rate == D("60.00")
    zero = [f for f in result.findings if f.code == "funding-zero-budget"]
    assert len(zero) == 1 and "fallback rates it 60%" in zero[0].message


def test_numbers_no_reader_checked_never_make_the_scorer_raise(national):
    """A reader that sets numbers after building its models bypasses the model's limits: a 33-digit
    weight, a budget of 1e-25 (a rate of 1e27 %) cannot be rounded to 0.01 in Decimal's precision.
    Rounding gives such a number back as it is; nothing raises (issue #12)."""
    form = unbudgeted()
    form.funding.total.annual_budget = D("1e-25")
    form.indicators[0].weight = D("1" + "0" * 33)
    form.indicators[1].score = D("1" + "0" * 33)
    result = score(form, national, explain=True)
    assert result.funding.execution_rate == D("1.2E+28")
    assert result.computed_total is not None and result.findings


@pytest.mark.parametrize(("target", "actual", "weight", "expected", "method"), [
    ("≥11台", "≥7台", 5, "3.18", "positive"),      # below target: 7/11 × 5
    ("≥11台", "≥12台", 5, "5.00", "positive"),     # above target: full, never more
    (">80%", "40%", 10, "5.00", "positive"),
    ("≤50万元", "≤22.87万元", 5, "5.00", "reverse"),  # under the ceiling: full
    ("≤10万元", "15万元", 10, "6.67", "reverse"),     # over: A/B × weight (printed notes)
    ("<10", "20", 10, "5.00", "reverse"),
    ("=100%", "=60%", 2.5, "1.50", "equal"),       # = scored like ≥ (finance system)
    ("=4人", "=5人", 20, "20.00", "equal"),
    ("100%", "90%", 10, "9.00", "equal"),          # no operator: the rule set's `plain` method
    ("≤1810000元", "≤181万元", 10, "10.00", "reverse"),  # 元 vs 万元 compare
    ("≥100百分比", "≥95%", 10, "9.50", "positive"),
])
def test_operator_formulas_on_both_sides_of_the_target(national, target, actual, weight, expected, method):
    r = computed(national, target, actual, weight)
    assert (r.computed_score, r.method) == (D(expected), method)


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("≥0个", "3个", "10.00"),
    ("≤0起", "0起", "10.00"),
    ("≤0起", "2起", "0.00"),
    ("=0", "0", "10.00"),
    ("=0", "1", "0.00"),
])
def test_zero_targets(national, target, actual, expected):
    assert computed(national, target, actual, 10).computed_score == D(expected)


def test_negative_actual_counts_as_zero(national):
    assert computed(national, "≥10", "-5", 10).computed_score == D("0.00")


@pytest.mark.parametrize("target", [None, "", "未填报", "/"])
def test_missing_target_keeps_reported_and_says_why(national, target):
    r = computed(national, target, "≥5个", 10, reported=7)
    assert r.method == "unscorable"
    assert r.computed_score is None
    assert "target" in r.explanation and "kept" in r.explanation


def test_unparsed_value_keeps_reported_score(national):
    r = computed(national, "≥3,2.1,0个", "≥5个", 10, reported=7)
    assert r.method == "unscorable" and r.computed_score is None


@pytest.mark.parametrize(("actual", "reported", "expected"), [
    ("达成预期指标", 10, "10"),        # top of the achieved band: kept
    ("达成预期指标", 8, "8"),          # lower edge is inclusive
    ("达成预期指标", "7.99", "8.00"),  # below: raised to the edge
    ("达成预期指标", None, "10.00"),   # no score: the band's point
    ("部分达成预期指标并具有一定效果", 6, "6"),
    ("部分达成预期指标并具有一定效果", 8, "8"),   # 80 %(含): an edge is in the band, kept (issue #15: was 7.99)
    ("部分达成预期指标并具有一定效果", 9, "8"),   # above the band: lowered to its edge, not 0.01 below it
    ("部分达成预期指标并具有一定效果", 5, "6.00"),
    ("未达成预期指标且效果较差", "5.99", "5.99"),
    ("未达成预期指标且效果较差", 6, "6"),
    ("未达成预期指标且效果较差", None, "3.00"),
])
def test_qualitative_band_edges(national, actual, reported, expected):
    r = computed(national, "及时", actual, 10, reported)
    assert r.method == "qualitative"
    assert r.computed_score == D(expected)


def test_rounding_is_half_up_on_exact_halves(national):
    # 1/8 × 5 = 0.625 exactly: half-up gives 0.63 where banker's rounding would give 0.62
    assert computed(national, "≥8", "1", 5).computed_score == D("0.63")
    # 203.576/1035.8 × 10 = 1.96543… and 0.45746 × 10 = 4.5746: ordinary cases still round to 2 places
    assert computed(national, "≥8", "3", 2).computed_score == D("0.75")


def test_rounding_mode_is_configurable(tmp_path):
    path = tmp_path / "even.yaml"
    path.write_text("name: even\nextends: [national]\nrounding: {places: 2, mode: half_even}\n", encoding="utf-8")
    rules = load_rules(path)
    assert score_indicator(ind("≥8", "1", 5), 1, rules).result.computed_score == D("0.62")


def test_extension_overrides_only_the_reverse_formula(national):
    system = load_rules("finance-system")
    assert system.spec.extends == ["national"]
    over = ind("≤10万元", "15万元", 10)
    assert score_indicator(over, 1, national).result.computed_score == D("6.67")   # 10/15 × 10
    assert score_indicator(over, 1, system).result.computed_score == D("5.00")     # (1 − 5/10) × 10
    far = ind("≤10万元", "25万元", 10)
    assert score_indicator(far, 1, system).result.computed_score == D("0.00")      # 0 at B ≥ 2A
    # everything else is inherited unchanged
    assert system.spec.grades == national.spec.grades
    assert system.spec.scoring.methods["positive"] == national.spec.scoring.methods["positive"]


def test_scorer_is_pure(sample_forms, national):
    form = sample_forms["党群服务和人才专项经费"]
    before = form.model_dump()
    first = score(form, national).model_dump()
    assert form.model_dump() == before
    assert score(form, national).model_dump() == first


def test_every_sample_total_is_checked_against_its_sum(sample_forms, national):
    """The seeds' arithmetic slips are found, and forms that add up raise no total-mismatch."""
    mismatched = {name for name, form in sample_forms.items()
                  if "total-mismatch" in {f.code for f in score(form, national).findings}}
    assert mismatched == {"党群服务和人才专项经费", "选派到村任职干部食宿交通补贴", "政研室业务费"}


def test_real_mistakes_in_the_seeds_are_found(sample_forms, national):
    def codes(name):
        return {f.code for f in score(sample_forms[name], national).findings}

    assert {"weights-sum", "total-mismatch"} <= codes("党群服务和人才专项经费")
    assert "rate-mismatch" in codes("选派到村任职干部食宿交通补贴")            # 92.61 printed, 7.425/8 = 92.81
    assert "duplicate-indicator" in codes("政研室业务费")
    assert "qualitative-contradiction" in codes("深化安全可靠替代工程项目")      # 达成预期指标 scored 2 of 10
    # 8.45 from the rounded rate; amounts give 8.44: accepted arithmetic, named (issue #15: was an error)
    assert "funding-score-arithmetic" in codes("遗属补助") and "funding-score-mismatch" not in codes("遗属补助")
    assert "operator-alias" in codes("巡察经费")                                # →100%
    assert "score-deviation" in codes("巡察经费")                               # 7 of 11 台 scored 3.5, rule gives 3.18


def test_computed_total_and_grade(sample_forms, national):
    result = score(sample_forms["巡察经费"], national)
    # 3.5 → 3.18 on 办公设备购置数量; everything else as reported; funding 4.57
    assert result.computed_total == D("91.75")
    assert result.computed_grade == "优"
    assert result.reported_total == D("92.07")


def test_target_report_has_no_total(sample_forms, national):
    result = score(sample_forms["巡察机构示范点建设及维护"], national)
    assert result.kind == "target_report"
    assert result.computed_total is None


def test_a_separate_measure_unit_column_gives_bare_numbers_their_unit(national):
    # 四川 forms print 度量单位 in its own column: ≤50 with 万元 against 420000 with 元 is a met ceiling
    wanyuan = Indicator(level1="产出指标", level2="成本指标", level3="成本", initial_target="≤50", actual="42",
                        measure_unit="万元", weight=D(10), score=D(10))
    result = score_indicator(wanyuan, 1, national).result
    assert (result.method, result.computed_score) == ("reverse", D("10.00"))
    mixed = wanyuan.model_copy(update={"actual": "600000元"})   # 60万元 > 50万元: over the ceiling
    assert score_indicator(mixed, 1, national).result.computed_score == D("8.33")


def test_memoised_outcomes_give_back_each_forms_numbers_as_printed():
    # 5 and 5.0 are equal Decimals; the memo keys numbers by their text, so a kept score and the
    # explanation show each form's own spelling, whichever form came first
    from perfscore.rules import Rules

    national = load_rules("national")
    rules = Rules(national.spec, national.origin)  # its own, empty memo
    first = score(Form(name="a", indicators=[ind("及时", "及时", 5, "5")]), rules).indicators[0]
    second = score(Form(name="b", indicators=[ind("及时", "及时", 5, "5.0")]), rules).indicators[0]
    assert str(first.computed_score) == "5" and str(second.computed_score) == "5.0"
    assert "reported 5 kept" in first.explanation and "reported 5.0 kept" in second.explanation
    from perfscore.scoring.indicators import OUTCOMES

    assert len(OUTCOMES.table(rules)) == 2
