"""Issue #15: scores an expert evaluator would give, and the findings auditors look for first.

Each test is a real-looking form (or a seed form) on which today's scoring went wrong or stayed silent.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfscore.catalogue import CATALOGUE
from perfscore.model import Form, Funding, FundingRow, Indicator
from perfscore.pipeline import score_form
from perfscore.rules import Rules, load_rules


def row(target, actual, weight=10, score=None, level2="数量指标", level3="指标", level1="产出指标", reason=None,
        initial=None):
    return Indicator(level1=level1, level2=level2, level3=level3, initial_target=initial or target,
                     adjusted_target=target if initial else None, actual=actual, weight=D(str(weight)),
                     score=None if score is None else D(str(score)), deviation_reason=reason)


def one(national, *args, **kwargs):
    result = score_form(Form(name="f", indicators=[row(*args, **kwargs)]), national)
    return result.indicators[0], {f.code: f for f in result.findings}


def with_options(name="national", **blocks) -> Rules:
    loaded = load_rules(name)
    update = {key: getattr(loaded.spec, key).model_copy(update=value) for key, value in blocks.items()}
    return Rules(loaded.spec.model_copy(update=update), loaded.origin)


# --- 1. `=` on a cost is a ceiling ---------------------------------------------------------------------

def test_a_cost_written_with_equals_is_scored_as_a_ceiling(national):
    over, _ = one(national, "=150000元", "=168000元", 10, 10, level2="成本指标", level3="养老补贴成本")
    assert over.computed_score == D("8.93") and over.method == "reverse"      # 150000/168000 × 10
    assert "library kind cost" in over.explanation
    saving, _ = one(national, "=81600元", "=80000元", 10, 8, level2="成本指标", level3="接收站点维护成本")
    assert saving.computed_score == D(10)                                      # a saving, not 9.80
    count, _ = one(national, "=50人", "=36人", 20)                            # not a cost: = is still a floor
    assert count.computed_score == D("14.40")


def test_the_seed_cost_12_percent_over_is_no_longer_full(sample_forms, national):
    result = score_form(sample_forms["“乡村振兴优秀带头人”养老补助金"], national)
    cost = next(r for r in result.indicators if r.level3 == "养老补贴成本")
    assert cost.computed_score == D("8.93")
    assert {"score-deviation", "shortfall-scored-full"} <= {f.code for f in result.findings if f.indicator == "养老补贴成本"}


def test_the_rule_set_can_keep_equals_as_a_floor_on_costs():
    rules = with_options(scoring={"equal_by_kind": False})
    result = score_form(Form(name="f", indicators=[row("=150000元", "=168000元", level2="成本指标")]), rules)
    assert result.indicators[0].computed_score == D(10)


# --- 2. negative values by direction --------------------------------------------------------------------

@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("≥-3%", "-5%", "3.33"),   # a fall of 5 % against a floor of −3 %: worse, 1 − 2/3
    ("≥-3%", "-2%", "10"),     # better than the floor
    ("≤-5%", "-3%", "6"),      # a 下降率 ceiling of −5 % reached only −3 %: worse, 1 − 2/5 (was a division by 0)
    ("≤-5%", "-6%", "10"),
    ("≥5%", "-2%", "0"),       # growth target, shrinkage
])
def test_negative_values_are_scored_by_direction(national, target, actual, expected):
    r, _ = one(national, target, actual, 10)
    assert r.computed_score == D(expected), r.explanation


def test_negative_values_are_not_full_marks_under_the_finance_system_either():
    r = score_form(Form(name="f", indicators=[row("≤-5%", "-3%")]), load_rules("finance-system")).indicators[0]
    assert r.computed_score == D(6)


# --- 3. funding falls back to 年初预算数, with a finding ----------------------------------------------------

def _blank_annual(**options) -> Form:
    return Form(name="空全年预算", reported_total=D(99), funding=Funding(total=FundingRow(
        label="资金总额", initial_budget=D(50), executed=D(45), score=D(9))),
        indicators=[row("≥10台", "10台", 90, 90)])


def test_blank_annual_budget_falls_back_to_the_initial_budget_and_says_so(national):
    result = score_form(_blank_annual(), national)
    assert result.funding.computed_score == D(9) and result.computed_total == D(99)   # was 90, silently
    (fallback,) = [f for f in result.findings if f.code == "funding-fallback"]
    assert fallback.numbers["initial_budget"] == "50" and "年初预算数" in result.funding.explanation


def test_without_a_fallback_the_lost_points_are_a_finding():
    result = score_form(_blank_annual(), with_options(funding={"fallback": "none"}))
    assert result.computed_total == D(90)
    assert "funding-unscored" in {f.code for f in result.findings}


# --- 4. band edges inclusive; accepted rounding and truncation of the funding score -------------------------

def test_a_score_on_a_band_edge_is_kept_and_totals_have_no_001_artefacts(sample_forms, national):
    result = score_form(sample_forms["党群服务和人才专项经费"], national)
    talent = next(r for r in result.indicators if r.level3 == "人才服务水平")
    assert talent.computed_score == D(8) and result.computed_total == D("92.00")   # was 7.99 and 91.99


@pytest.mark.parametrize(("name", "arithmetic"), [("遗属补助", "printed_rate"),
                                                  ("中共株洲市渌口区委巡察工作领导小组办公室", "truncated")])
def test_rounded_twice_or_truncated_funding_scores_are_info_naming_the_arithmetic(sample_forms, national, name,
                                                                                   arithmetic):
    codes = {f.code: f for f in score_form(sample_forms[name], national).findings}
    assert "funding-score-mismatch" not in codes
    note = codes["funding-score-arithmetic"]
    assert note.severity == "info" and note.numbers["arithmetic"] == arithmetic


def test_a_funding_score_no_accepted_arithmetic_gives_is_still_an_error(national):
    form = Form(name="f", funding=Funding(total=FundingRow(label="资金总额", annual_budget=D(100), executed=D(80),
                                                           execution_rate=D(80), score=D(9))))
    assert "funding-score-mismatch" in {f.code for f in score_form(form, national).findings}
    strict = with_options(funding={"accepted_arithmetic": []})
    form = Form(name="f", funding=Funding(total=FundingRow(label="资金总额", annual_budget=D("321.013328"),
                                                           executed=D("321.008126"), score=D("9.99"))))
    assert "funding-score-mismatch" in {f.code for f in score_form(form, strict).findings}


# --- 5. totals above 100 --------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "total"), [("report", "105.00"), ("cap", "100.00"), ("rescale", "100.00")])
def test_a_total_above_100_is_reported_capped_or_rescaled_as_the_rule_set_says(sample_forms, mode, total):
    rules = with_options(level1={"above_total": mode})
    result = score_form(sample_forms["政研室业务费"], rules)
    assert result.computed_total == D(total)
    (weights,) = [f for f in result.findings if f.code == "weights-sum"]
    assert f"level1.above_total: {mode}" in weights.message
    explained = score_form(sample_forms["政研室业务费"], rules, explain=True) if mode != "report" else None
    if explained is not None:
        assert explained.trace[-1].rule == f"level1.above_total.{mode}"


def test_rescale_is_proportional_to_the_weights():
    form = Form(name="f", funding=Funding(total=FundingRow(label="资金总额", annual_budget=D(10), executed=D(10))),
                indicators=[row("≥10台", "10台", 60, 60), row("≥10台", "5台", 50, 25, level3="b")])
    assert score_form(form, with_options(level1={"above_total": "rescale"})).computed_total == D("79.17")  # 95 × 100/120


# --- 6. ranges, units, numerals, dates, remarks -------------------------------------------------------------

@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("90%-100%", "85%", "9.44"),   # below the range: its low end as a floor, 85/90
    ("90%-100%", "95%", "10"),
    ("1-12月", "13月", "9.23"),     # above: its high end as a ceiling, 12/13
])
def test_ranges_are_scored_outside_as_well_as_inside(national, target, actual, expected):
    r, _ = one(national, target, actual, 10, 10)
    assert r.computed_score == D(expected) and r.method == "range"


def test_wan_on_a_money_row_is_wanyuan(national):
    r, _ = one(national, "≤50万元", "52万", 10)
    assert r.computed_score == D("9.62") and "万 read as 万元" in r.explanation


@pytest.mark.parametrize("actual", ["0.96", "1"])
def test_a_unitless_fraction_against_a_percent_target_is_a_question_not_a_score(national, actual):
    r, codes = one(national, "≥95%", actual, 10, 10)
    assert r.computed_score is None and r.reported_score == D(10)
    assert "unit-question" in codes and "unscorable" not in codes


@pytest.mark.parametrize(("target", "actual", "expected"), [
    ("≤6万元", "约5万元", "10"), ("≥6000人", "5千人", "8.33"), ("≥10场", "十二场", "10"), ("=3轮", "两轮", "6.67"),
    ("=100%", "100%（已完成）", "10"),
    ("2023年12月底前", "2023年10月", "10"), ("12月20日前", "12月25日", "9.86"),   # 354/359: 5 days late
    ("2023年10月底前", "2023年12月", "8.33"),                                      # 304/365 of the year
])
def test_words_numerals_dates_and_remarks_are_read(national, target, actual, expected):
    r, _ = one(national, target, actual, 10)
    assert r.computed_score == D(expected), r.explanation


# --- findings auditors expect ---------------------------------------------------------------------------------

def test_actual_with_an_operator_and_actual_copied_from_the_target(sample_forms, national):
    found = {f.code: f for f in score_form(sample_forms["巡察经费"], national).findings}
    operator, copied = found["actual-operator"], found["actual-copies-target"]   # one per form, naming the rows
    assert operator.numbers["rows"] == "10" and "办公设备购置数量: ≥7台" in operator.message
    assert copied.numbers["rows"] == "1" and "办公设备购置验收合格率: →100%" in copied.message
    _, approximate = one(national, "≤6万元", "约5万元", 10, 10)
    assert "actual-operator" not in approximate                            # 约: a word, not an operator


def test_a_number_target_with_a_word_actual(sample_forms, national):
    (found,) = [f for f in score_form(sample_forms["区委办业务费"], national).findings if f.code == "qualitative-actual"]
    assert found.message.count("target =100%, actual 达成预期指标") == 9


def test_a_lowered_target_and_an_adjusted_one(national):
    lowered = score_form(Form(name="f", indicators=[row("≥80%", "85%", 10, 10, initial="≥95%")]), national)
    assert "target-lowered" in {f.code for f in lowered.findings}
    adjusted = score_form(Form(name="f", indicators=[row("≥90%", "96%", 10, 10, initial="≥95%")]), national)
    codes = {f.code: f.severity for f in adjusted.findings}
    assert codes.get("target-adjusted") == "info" and "target-lowered" not in codes


def test_overspend(national):
    form = Form(name="f", funding=Funding(total=FundingRow(label="资金总额", annual_budget=D(100), executed=D(112),
                                                           score=D(10))))
    assert "overspend" in {f.code for f in score_form(form, national).findings}


@pytest.mark.parametrize(("name", "level3"), [("2022年度公务员考核奖金", "公务员年度考核奖励成本"),    # 300万元 vs 30万元
                                              ("区级农村党员教育培训经费", "党员培训(会议)成本")])    # 10万元 vs 0.44
def test_costs_that_contradict_the_funding_block(sample_forms, national, name, level3):
    found = [f for f in score_form(sample_forms[name], national).findings if f.code == "cost-contradicts-funding"]
    assert [f.indicator for f in found] == [level3]


def test_short_of_target_scored_full_with_no_reason(national):
    _, codes = one(national, "≥100人", "80人", 10, 10)
    assert "shortfall-scored-full" in codes
    _, explained = one(national, "≥100人", "80人", 10, 10, reason="报名人数不足")
    assert "shortfall-scored-full" not in explained


def test_low_execution_needs_a_reason_where_the_rule_set_says(sample_forms, national):
    form = sample_forms["巡察经费"]                                        # 45.75 %
    assert "low-execution-unexplained" not in {f.code for f in score_form(form, national).findings}
    sichuan = {f.code for f in score_form(form, load_rules("sichuan")).findings}
    assert "low-execution-unexplained" in sichuan


def test_absurd_targets(sample_forms, national):
    codes = [(f.code, f.indicator) for f in score_form(sample_forms["区委办业务费"], national).findings]
    assert ("absurd-target", "群众满意度") in codes                                     # =0
    codes = [(f.code, f.indicator) for f in score_form(sample_forms["抓党建促基层治理能力提升专项行动工作经费"],
                                                       national).findings]
    assert ("absurd-target", "召开会议次数") in codes                                   # >0次
    assert ("absurd-target", "成本指标") in codes                                       # 未填报, scored
    _, accident = one(national, "=0起", "0起", 10, 10, level2="安全指标", level3="安全事故")
    assert "absurd-target" not in accident                                             # a ceiling of 0 is a target


def test_a_grade_that_depends_on_the_point_chosen_inside_a_band(sample_forms, national):
    result = score_form(sample_forms["深化安全可靠替代工程项目"], national)
    (found,) = [f for f in result.findings if f.code == "grade-depends-on-band-point"]
    assert (found.numbers["low_total"], found.numbers["high_total"]) == ("89.97", "91.97")
    assert (found.numbers["low_grade"], found.numbers["high_grade"]) == ("良", "优")


def test_score_deviation_is_split_by_direction(sample_forms, national):
    over = [f for f in score_form(sample_forms["巡察经费"], national).findings if f.code == "score-deviation"]
    assert [f.numbers["points"] for f in over] == ["0.32"]                 # 3.5 for 3.18
    under = [f for f in score_form(sample_forms["区委办业务费"], national).findings if f.code == "score-under"]
    assert under and under[0].severity == "info" and under[0].numbers["points"] == "-4"


def test_over_achievement_is_flagged_and_a_rule_set_can_take_points_off(national):
    _, codes = one(national, "≥2次", "3次", 10, 10, reason="上级加派任务")
    assert "over-achievement" in codes and "missing-deviation-reason" not in codes
    loaded = load_rules("national")
    from perfscore.rules.schema import Adjustment
    deduct = Adjustment(name="over-target", kind="deduct_indicator", when="direction > 0 and ratio >= 1.3",
                        value="min(score, (ratio - 1) * weight)", cite="caiyu-2020-10")
    rules = Rules(loaded.spec.model_copy(update={"adjustments": [deduct]}), loaded.origin)
    r = score_form(Form(name="f", indicators=[row("≥2次", "3次", 10, 10)]), rules).indicators[0]
    assert r.computed_score == D(5)


# --- less noise -----------------------------------------------------------------------------------------------

def test_operator_aliases_are_one_finding_per_form_and_alias(sample_forms, national):
    found = [f for f in score_form(sample_forms["巡察经费"], national).findings if f.code == "operator-alias"]
    assert len(found) == 1 and found[0].severity == CATALOGUE["operator-alias"].severity == "info"
    assert found[0].numbers == {"found": "→", "means": "=", "cells": "4"}
    assert "巡察乡镇覆盖率 actual →60%" in found[0].message


def _department(level1_weights) -> Form:
    return Form(kind="department", name="某局", funding=Funding(total=FundingRow(
        label="年度资金总额", annual_budget=D(100), executed=D(95), score=D("9.5"))),
        indicators=[row("≥95%", "96%", w, w, level1=l1, level3=f"{l1}{i}")
                    for i, (l1, w) in enumerate(level1_weights.items())])


def test_department_forms_get_no_project_weights_under_national(national):
    form = _department({"产出指标": 40, "效益指标": 40, "满意度指标": 10})
    codes = {f.code for f in score_form(form, national).findings}
    assert not codes & {"level1-weight", "missing-level1"}
    project = form.model_copy(update={"kind": "project"})
    assert "level1-weight" in {f.code for f in score_form(project, national).findings}


def test_the_department_rule_set_knows_department_indicators():
    department = load_rules("department")
    form = Form(kind="department", name="某局", indicators=[
        row("≥10%", "8%", 10, 10, level2="预算管理", level3="结转结余率")])
    result = score_form(form, department)
    assert "wrong-direction" in {f.code for f in result.findings}   # a carry-over rate is a ceiling
    ceiling = score_form(form.model_copy(update={"indicators": [
        row("=10%", "8%", 10, 10, level2="预算管理", level3="结转结余率")]}), department)
    assert ceiling.indicators[0].computed_score == D(10)           # = on a ceiling kind: 8 % is within it


# --- citations --------------------------------------------------------------------------------------------------

def test_each_rule_cites_what_it_comes_from():
    national = load_rules("national").spec
    assert national.reasons.cite_of("over_achievement") == "guangxi-system"
    assert national.reasons.cite_of("shortfall") == "caiyu-2020-10"
    assert national.rounding.cite == "finance-system"
    assert national.funding.cite_of("fallback") == "perfscore"
    assert "not taken from a published rule" in next(d.title for d in national.documents if d.id == "perfscore")
    caps = next(d for d in load_rules("platform-caps").spec.documents if d.id == "platform-caps")
    assert "own choice" in caps.title
    hubei = load_rules("hubei")
    assert hubei.spec.level1.weights == {"产出指标": D(40), "效益及满意度指标": D(40)}
    assert hubei.level1_group("效益指标") == hubei.level1_group("满意度指标") == "效益及满意度指标"


def test_rules_check_refuses_a_cite_of_an_unknown_document_or_key(tmp_path):
    from perfscore.rules import check_rules

    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nextends: [national]\nreasons:\n  cites: {over_achievement: nowhere, "
                    "bogus: perfscore}\n", encoding="utf-8")
    _, problems = check_rules(path)
    text = "\n".join(map(str, problems))
    assert "cites unknown document 'nowhere'" in text and "'bogus' is not a key of this block" in text


def test_every_new_code_is_documented():
    for code in ("funding-fallback", "funding-unscored", "funding-score-arithmetic", "overspend",
                 "low-execution-unexplained", "unit-question", "actual-operator", "actual-copies-target",
                 "qualitative-actual", "target-lowered", "target-adjusted", "cost-contradicts-funding",
                 "shortfall-scored-full", "absurd-target", "grade-depends-on-band-point", "over-achievement",
                 "score-under"):
        assert code in CATALOGUE, code


@pytest.mark.parametrize(("text", "number"), [("十二", 12), ("两", 2), ("一百零五", 105), ("三万", 30000), ("二十", 20),
                                              ("一二", None), ("万", None), ("十万万", None)])
def test_chinese_numerals(text, number):
    from perfscore.numerals import chinese_number

    assert chinese_number(text) == number


def test_a_remark_in_brackets_is_dropped_and_words_are_not_numbers():
    from perfscore.values import parse_value

    assert parse_value("≥95%（满意度）").number == D(95) and parse_value("≥95%（满意度）").operator == ">="
    assert parse_value("一般").kind != "comparison" and parse_value("万无一失").kind != "comparison"
