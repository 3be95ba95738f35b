"""Tests for perfscore.values: the value-cell parser and its vocabulary.

The seed table lists every distinct string printed in the 年初指标值 / 调整后指标值 / 实际完成值 cells of
/work/shared/seeds/*.txt (forms 000–004) with what it must read as; the domain table covers §4 of the
domain reference.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.values import (
    CANONICAL_OPERATORS,
    Alias,
    ParsedValue,
    Vocabulary,
    VocabularyError,
    default_vocabulary,
    parse_value,
)

VOCAB_FILE = Path(perfscore.__file__).resolve().parent.parent / "indicators" / "vocabulary.yaml"
RAW = yaml.safe_load(VOCAB_FILE.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- expectation helpers
def C(op, number, unit, alias=None):  # noqa: N802 - short table constructors
    return ("comparison", op, number, unit, alias)


def R(low, high, unit, op=None):  # noqa: N802
    return ("range", low, high, unit, op)


def Q(category, term):  # noqa: N802
    return ("qualitative", category, term)


def M(term=None):  # noqa: N802
    return ("missing", term)


def U(reason):  # noqa: N802
    return ("unparsed", reason)


def check(text, expected):
    pv = parse_value(text)
    assert isinstance(pv, ParsedValue)
    assert pv.text == text
    kind = expected[0]
    assert pv.kind == kind, (text, pv)
    if kind == "comparison":
        _, op, number, unit, alias = expected
        assert pv.operator == op
        assert pv.number == Decimal(number) and str(pv.number) == number
        assert pv.unit == unit
        assert pv.is_number
        assert [a.found for a in pv.aliases] == ([alias] if alias else [])
        assert pv.reason is None and pv.category is None
    elif kind == "range":
        _, low, high, unit, op = expected
        assert (pv.low, pv.high, pv.unit, pv.operator) == (Decimal(low), Decimal(high), unit, op)
        assert not pv.is_number
    elif kind == "qualitative":
        _, category, term = expected
        assert (pv.category, pv.term) == (category, term)
        assert pv.number is None and not pv.is_number
    elif kind == "missing":
        assert pv.number is None and pv.category is None
        if expected[1] is not None:
            assert pv.term == expected[1]
    else:
        assert pv.reason == expected[1]
        assert pv.number is None and pv.operator is None


# ----------------------------------------------------------------------------- seed forms
# Every distinct value string in the indicator tables of seeds 000–003 (tab-separated and multi-line
# cells), as printed, including full-width spaces and line breaks of seed 003.
SEED_VALUES = [
    ('1-12月', R('1', '12', '月')),
    ('1月-12月', R('1', '12', '月')),
    ('=0', C('=', '0', None)),
    ('=100%', C('=', '100', '%')),
    ('=10人', C('=', '10', '人')),
    ('=150000元', C('=', '150000', '元')),
    ('=168000元', C('=', '168000', '元')),
    ('=181个', C('=', '181', '个')),
    ('=204个', C('=', '204', '个')),
    ('=36人', C('=', '36', '人')),
    ('=4人', C('=', '4', '人')),
    ('=50人', C('=', '50', '人')),
    ('=80000元', C('=', '80000', '元')),
    ('=81600元', C('=', '81600', '元')),
    ('=8人', C('=', '8', '人')),
    ('=98%', C('=', '98', '%')),
    ('=9台', C('=', '9', '台')),
    ('>0次', C('>', '0', '次')),
    ('>1次', C('>', '1', '次')),
    ('>=90%', C('>=', '90', '%')),
    ('—100%', C('=', '100', '%', alias='—')),
    ('—50人', C('=', '50', '人', alias='—')),
    ('→100%', C('=', '100', '%', alias='→')),
    ('→60%', C('=', '60', '%', alias='→')),
    ('≠100%', C('=', '100', '%', alias='≠')),
    ('≠4人', C('=', '4', '人', alias='≠')),
    ('≤0万元', C('<=', '0', '万元')),
    ('≤100000元', C('<=', '100000', '元')),
    ('≤101500元', C('<=', '101500', '元')),
    ('≤11万元', C('<=', '11', '万元')),
    ('≤129000元', C('<=', '129000', '元')),
    ('≤1296400元', C('<=', '1296400', '元')),
    ('≤1350000元', C('<=', '1350000', '元')),
    ('≤150000元', C('<=', '150000', '元')),
    ('≤171200元', C('<=', '171200', '元')),
    ('≤1810000元', C('<=', '1810000', '元')),
    ('≤2000000元', C('<=', '2000000', '元')),
    ('≤21.58万元', C('<=', '21.58', '万元')),
    ('≤22.87万元', C('<=', '22.87', '万元')),
    ('≤25万元', C('<=', '25', '万元')),
    ('≤280000元', C('<=', '280000', '元')),
    ('≤2万元', C('<=', '2', '万元')),
    ('≤3000000元', C('<=', '3000000', '元')),
    ('≤300000元', C('<=', '300000', '元')),
    ('≤37.6万元', C('<=', '37.6', '万元')),
    ('≤4.8万元', C('<=', '4.8', '万元')),
    ('≤47.08万元', C('<=', '47.08', '万元')),
    ('≤50万元', C('<=', '50', '万元')),
    ('≤62万元', C('<=', '62', '万元')),
    ('≤74250元', C('<=', '74250', '元')),
    ('≤80000元', C('<=', '80000', '元')),
    ('≥100%', C('>=', '100', '%')),
    ('≥107个', C('>=', '107', '个')),
    ('≥11台', C('>=', '11', '台')),
    ('≥131个', C('>=', '131', '个')),
    ('≥134个', C('>=', '134', '个')),
    ('≥1397人', C('>=', '1397', '人')),
    ('≥1433人', C('>=', '1433', '人')),
    ('≥17个', C('>=', '17', '个')),
    ('≥180人', C('>=', '180', '人')),
    ('≥181个', C('>=', '181', '个')),
    ('≥18次', C('>=', '18', '次')),
    ('≥2次', C('>=', '2', '次')),
    ('≥30人', C('>=', '30', '人')),
    ('≥3次', C('>=', '3', '次')),
    ('≥40个', C('>=', '40', '个')),
    ('≥55人', C('>=', '55', '人')),
    ('≥7台', C('>=', '7', '台')),
    ('≥80%', C('>=', '80', '%')),
    ('≥86%', C('>=', '86', '%')),
    ('≥90', C('>=', '90', None)),
    ('≥95%', C('>=', '95', '%')),
    ('≥96%', C('>=', '96', '%')),
    ('≥97%', C('>=', '97', '%')),
    ('≥98%', C('>=', '98', '%')),
    ('不超概', Q('target_word', '不超概')),
    ('促进', Q('target_word', '促进')),
    ('保证', Q('target_word', '保证')),
    ('保障', Q('target_word', '保障')),
    ('全年', Q('target_word', '全年')),
    ('及时', Q('target_word', '及时')),
    ('及时支付', Q('target_word', '及时支付')),
    ('合格', Q('target_word', '合格')),
    ('合理', Q('target_word', '合理')),
    ('合规', Q('target_word', '合规')),
    ('安全', Q('target_word', '安全')),
    ('安全可靠', Q('target_word', '安全可靠')),
    ('完善', Q('target_word', '完善')),
    ('按时完成', Q('target_word', '按时完成')),
    ('按需要', Q('target_word', '按需要')),
    ('推动', Q('target_word', '推动')),
    ('提升', Q('target_word', '提升')),
    ('提高', Q('target_word', '提高')),
    ('未填报', M()),
    ('未达成预期指标 且效果较差', Q('not_achieved', '未达成预期指标且效果较差')),
    ('正常', Q('target_word', '正常')),
    ('正常运转', Q('target_word', '正常运转')),
    ('每月一次', Q('target_word', '每月一次')),
    ('满意', Q('target_word', '满意')),
    ('符合', Q('target_word', '符合')),
    ('较上年增加', Q('target_word', '较上年增加')),
    ('较上年提高', Q('target_word', '较上年提高')),
    ('较好', Q('target_word', '较好')),
    ('达成预期指标', Q('achieved', '达成预期指标')),
    ('达成预期目标', Q('achieved', '达成预期目标')),
    ('部分达成预期指标 并具有一定效果', Q('partial', '部分达成预期指标并具有一定效果')),
    ('部分达成预期指标并具有一定效果', Q('partial', '部分达成预期指标并具有一定效果')),
    ('部分达成预期指标并有一定效果', Q('partial', '部分达成预期指标并有一定效果')),
    ('部分达成预期指标并略有偏差', Q('partial', '部分达成预期指标并略有偏差')),
    ('部分达成预期指标并略有超额效果', Q('partial', '部分达成')),
    ('部分达成预期目标并有一定效果', Q('partial', '部分达成预期目标并有一定效果')),
    ('\u3000\n\u3000100%', C(None, '100', '%')),
    ('100%\n\u3000', C(None, '100', '%')),
    ('\u3000\n100%\n\u3000', C(None, '100', '%')),
    ('100%', C(None, '100', '%')),
    ('90%', C(None, '90', '%')),
    ('1', C(None, '1', None)),
    ('\u30001', C(None, '1', None)),
    ('2023年度', Q('target_word', '2023年度')),
    ('3,20.6,71591', U('garbled number')),
    ('79.98852.24', U('garbled number')),
    ('80', C(None, '80', None)),
    ('\u300080', C(None, '80', None)),
    ('10.00', C(None, '10.00', None)),
    ('8.614', C(None, '8.614', None)),
]

# Seed 004 (2020 目标完成情况表): targets and actuals are sentences, never guessed.
SEED_004_TEXT = [
    '开展2轮20个单位的常规巡察或巡察“回头看”，按要求开展联动巡察、交叉巡察和专项巡察。',
    '开展2轮29个单位的常规巡察或巡察“回头看”，按要求开展联动巡察、交叉巡察和专项巡察。',
    '巡察发现问题精准，督促整改落实。',
    '九轮对82个单位党组织（含机改及乡镇改革前）的巡察，共发现各类问题1140个，移交问题线索130件，纪律处分44人，组织处理80人。',
    '形成良好的党风政风环境。',
    '向相关职能部门提出意见建议39条，被巡察党组织和相关职能部门建立完善制度85个，提高单位办事效率。',
    '群众有较强的获得感、幸福感。',
    '完成区委巡察机构谈话室维修改造、购置办公设施设备。',
    '谈话室功能进一步完善',
    '彰显巡察作用',
    '实现巡察机构规范化建设，提升利州巡察影响力。',
    '社会公众或服务对象满意度较高。',
    '对档案资料进行数字化扫描、分类整理，并刻录成光盘，设施日常维护及管理运行。',
    '  对档案资料进行数字化扫描、分类整理，并刻录成光盘，设施日常维护及管理运行。',
    '巡视巡察信息化建设纳入纪检监察信息化建设总体布局，一体谋划、一体建设、一体推进，机房建设及维护，系统运行维护。',
    '完成纪检监察内网迁移项目VPN设备购置，防火墙及技术费。',
    '纪检监察内网正常运行',
    '纪检监察内网己能正常运行。',
    '安全性保密性提高',
    '确保涉密信息不外传不泄露。',
    '项目主管部门满意度高',
    '项目主管部门满意度较高。',
]


@pytest.mark.parametrize(("text", "expected"), SEED_VALUES, ids=[repr(t) for t, _ in SEED_VALUES])
def test_seed_values(text, expected):
    check(text, expected)


@pytest.mark.parametrize("text", SEED_004_TEXT)
def test_seed_004_sentences_are_free_text(text):
    check(text, U("free text"))
    assert parse_value(text).normalised.startswith(text.strip()[:4])


# ----------------------------------------------------------------------------- domain.md §4
DOMAIN_VALUES = [
    # operators
    ("≥95%", C(">=", "95", "%")),
    ("≤5%", C("<=", "5", "%")),
    ("=100%", C("=", "100", "%")),
    (">0次", C(">", "0", "次")),
    ("<3天", C("<", "3", "天")),
    (">=90%", C(">=", "90", "%")),
    ("<=10万元", C("<=", "10", "万元")),
    ("＞５人", C(">", "5", "人")),
    ("＜５人", C("<", "5", "人")),
    ("＝100%", C("=", "100", "%")),
    ("≧95%", C(">=", "95", "%")),
    ("≦5%", C("<=", "5", "%")),
    ("﹦100%", C("=", "100", "%", alias="﹦")),
    ("═100%", C("=", "100", "%", alias="═")),
    ("不低于95%", C(">=", "95", "%", alias="不低于")),
    ("不少于10个", C(">=", "10", "个", alias="不少于")),
    ("不高于5%", C("<=", "5", "%", alias="不高于")),
    ("不超过50万元", C("<=", "50", "万元", alias="不超过")),
    ("5%以内", C("<=", "5", "%", alias="以内")),
    ("98%以上", C(">=", "98", "%", alias="以上")),
    ("±10%", R("-10", "10", "%", op="±")),
    ("→100%", C("=", "100", "%", alias="→")),
    ("—50人", C("=", "50", "人", alias="—")),
    ("≠4人", C("=", "4", "人", alias="≠")),
    # numbers
    ("1,035.8", C(None, "1035.8", None)),
    ("≥100百分比", C(">=", "100", "百分比")),
    ("3,20.6,71591", U("garbled number")),
    ("79.98852.24", U("garbled number")),
    # units
    ("≥11台", C(">=", "11", "台")),
    ("=20篇", C("=", "20", "篇")),
    ("≥3份", C(">=", "3", "份")),
    ("≥100本", C(">=", "100", "本")),
    ("≥5家", C(">=", "5", "家")),
    ("≥2项", C(">=", "2", "项")),
    ("≤12月", C("<=", "12", "月")),
    ("≤1810000元", C("<=", "1810000", "元")),
    # ranges and time
    ("1月-12月", R("1", "12", "月")),
    ("1-12月", R("1", "12", "月")),
    ("全年", Q("target_word", "全年")),
    ("2023年度", Q("target_word", "2023年度")),
    ("每月一次", Q("target_word", "每月一次")),
    ("12月底之前完成", Q("target_word", "12月底之前完成")),
    # qualitative targets
    *[(w, Q("target_word", w)) for w in
      "及时 提升 提高 完善 合格 合规 满意 保障 促进 按时完成 按需要 安全可靠 不超概 较上年提高 正常运转 效果明显".split()],
    # actual phrases
    ("达成预期指标", Q("achieved", "达成预期指标")),
    ("达成年度指标", Q("achieved", "达成年度指标")),
    ("部分达成预期指标并具有一定效果", Q("partial", "部分达成预期指标并具有一定效果")),
    ("部分达成预期指标并略有偏差", Q("partial", "部分达成预期指标并略有偏差")),
    ("未达成预期指标且效果较差", Q("not_achieved", "未达成预期指标且效果较差")),
    ("未完成预期指标且效果较差", Q("not_achieved", "未完成预期指标且效果较差")),
    ("达成", Q("achieved", "达成")),
    ("部分达成", Q("partial", "部分达成")),
    ("未达成", Q("not_achieved", "未达成")),
    ("≥97%", C(">=", "97", "%")),
    # missing
    ("未填报", M("未填报")),
    ("/", M("/")),
    ("-", M("-")),
    ("……", M("……")),
    ("", M()),
    ("   ", M()),
    # traditional characters (mirrored copies)
    ("達成預期指標", Q("achieved", "达成预期指标")),
    ("部分達成預期指標並具有一定效果", Q("partial", "部分达成预期指标并具有一定效果")),
    ("未達成預期指標且效果較差", Q("not_achieved", "未达成预期指标且效果较差")),
    ("≥11臺", C(">=", "11", "台")),
    ("≤50萬元", C("<=", "50", "万元")),
    ("及時", Q("target_word", "及时")),
    ("較上年提高", Q("target_word", "较上年提高")),
    ("不低於95%", C(">=", "95", "%", alias="不低于")),
    ("未填報", M("未填报")),
]


@pytest.mark.parametrize(("text", "expected"), DOMAIN_VALUES, ids=[repr(t) for t, _ in DOMAIN_VALUES])
def test_domain_values(text, expected):
    check(text, expected)


def test_none_is_missing():
    pv = parse_value(None)
    assert (pv.kind, pv.text, pv.term) == ("missing", "", None)
    assert parse_value(None) is parse_value(None)


# ----------------------------------------------------------------------------- normalisation
@pytest.mark.parametrize(("text", "expected"), [
    ("＞＝９５％", C(">=", "95", "%")),
    ("＜＝１０万元", C("<=", "10", "万元")),
    ("≥１，０３５．８万元", C(">=", "1035.8", "万元")),
    ("１－１２月", R("1", "12", "月")),
    ("\u00a0≥95%\u00a0", C(">=", "95", "%")),
    ("≥ 95 %", C(">=", "95", "%")),
    ("\u200b≥95%", C(">=", "95", "%")),
    ("≥95%\n", C(">=", "95", "%")),
    ("未达成预期指标 且效果较差", Q("not_achieved", "未达成预期指标且效果较差")),
    ("达成预期指标，按时完成全部任务", Q("achieved", "达成预期指标")),
    ("达成预期指标。", Q("achieved", "达成预期指标")),
    ("提高(较上年)", Q("target_word", "提高")),
    ("部分达成预期目标并略有超额", Q("partial", "部分达成")),
    ("未达成，资金未拨付", Q("not_achieved", "未达成")),
    ("达到预期目标，" + "各项工作顺利推进" * 20, Q("achieved", "达到预期目标")),
    ("100%。", C(None, "100", "%")),
    ("≥95%；", C(">=", "95", "%")),
])
def test_normalisation(text, expected):
    check(text, expected)


def test_text_keeps_what_was_printed():
    pv = parse_value("＞＝９５％")
    assert pv.text == "＞＝９５％"
    assert pv.normalised == ">=95%"
    assert parse_value("達成預期指標").normalised == "达成预期指标"


# ----------------------------------------------------------------------------- numbers and units
@pytest.mark.parametrize(("text", "reason"), [
    ("1.2.3", "garbled number"),
    ("3,20.6,71591", "garbled number"),
    ("3,21.0,13328", "garbled number"),
    ("79.98852.24", "garbled number"),
    ("≥1,0358万元", "garbled number"),
    ("12,34", "garbled number"),
    ("1.2.3-5月", "garbled number"),
    ("≥95%满意度", "text after the number"),  # (in brackets it is a remark: test_a_remark_in_brackets_is_dropped)
    ("2轮常规巡察及专项巡察。", "text after the number"),
    ("5个以上完成", "text after the number"),
    ("≤5%以上", "conflicting operators"),
    ("≥=95%", "conflicting operators"),
    ("1元-2万元", "range with different units"),
    ("≥", "operator without a number"),
    ("不低于", "operator without a number"),
    ("≥≥≥≥95%", "too many operators"),
    ("1" * 200, "too long for a value"),
    ("≥" + "9" * 200 + "%", "too long for a value"),
    ("不超过预算，" + "并且" * 50, "free text"),
    ("不高于往年", "free text"),
    ("成本指标", "free text"),
    ("完成率100%", "free text"),
    ("不及时的情况较多", "free text"),
])
def test_unparsed_reasons(text, reason):
    check(text, U(reason))


@pytest.mark.parametrize("text", [
    "≥1000000000000000000000000000000000台",  # issue #12: a 34-digit count made the scorer raise
    "10000000000000次", "≥1,000,000,000,000,000元", "-10000000000000%", "±100000000000000%",
    "1-10000000000000次", "10000000000000-1次", "0.0000000000000000000000000000001%",
])
def test_numbers_out_of_range_are_unparsed(text):
    """Beyond `decimals.in_range` a number is no figure a form states, and no arithmetic on it is safe."""
    check(text, U("number out of range (0 or between 1e-30 and 1e13 in size)"))


@pytest.mark.parametrize(("text", "expected"), [
    ("9999999999999台", C(None, "9999999999999", "台")),
    ("≤0.000000000000000000000000000001%", C("<=", "1E-30", "%")),
    ("0.000000000000000000000000000000%", C(None, "0E-30", "%")),
])
def test_numbers_at_the_limits_are_read(text, expected):
    check(text, expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("≥95%（含）", C(">=", "95", "%")),
    ("≥95%(含)", C(">=", "95", "%")),
    ("≥98%以上", C(">=", "98", "%", alias="以上")),
    ("100人左右", C("=", "100", "人", alias="左右")),
    ("95%及以上", C(">=", "95", "%", alias="及以上")),
    ("≤50万元/年", C("<=", "50", "万元/年")),
    ("≥5辆车", C(">=", "5", "辆车")),
    ("≥10KM", C(">=", "10", "KM")),
    ("-5%", C(None, "-5", "%")),
    ("0.5", C(None, "0.5", None)),
    ("90%-100%", R("90", "100", "%")),
    ("1至12月", R("1", "12", "月")),
    ("2023-2025年", R("2023", "2025", "年")),
    ("±0.5万元", R("-0.5", "0.5", "万元", op="±")),
    ("+-5%", R("-5", "5", "%", op="±")),
])
def test_suffixes_units_ranges(text, expected):
    check(text, expected)


def test_unknown_unit_is_its_own_base():
    pv = parse_value("≥5辆车")
    assert pv.in_base() == ("辆车", Decimal(5))


@pytest.mark.parametrize(("text", "base", "number"), [
    ("≤1810000元", "万元", Decimal("181")),
    ("181万元", "万元", Decimal("181")),
    ("≤0.5亿元", "万元", Decimal("5000")),
    ("≥100百分比", "%", Decimal("100")),
    ("≥100%", "%", Decimal("100")),
    ("≥11台", "台", Decimal("11")),
    ("≥90", None, Decimal("90")),
    ("=74250元", "万元", Decimal("7.425")),
    ("≥2万人次", "人次", Decimal("20000")),
    ("≤3个工作日", "工作日", Decimal("3")),
    ("≤50万元/年", "万元/年", Decimal("50")),
    ("≤500000元/年", "万元/年", Decimal("50")),
    ("≥5日", "天", Decimal("5")),
])
def test_in_base(text, base, number):
    got_base, got_number = parse_value(text).in_base()
    assert got_base == base
    assert got_number == number
    assert isinstance(got_number, Decimal)


def test_in_base_drops_trailing_zeros_from_conversion():
    assert str(parse_value("≤1810000元").in_base()[1]) == "181"
    assert str(parse_value("=168000元").in_base()[1]) == "16.8"


def test_in_base_of_non_numbers():
    assert parse_value("达成预期指标").in_base() == (None, None)
    assert parse_value("1月-12月").in_base() == ("月", None)
    assert parse_value("±10%").bounds_in_base() == ("%", Decimal(-10), Decimal(10))
    assert parse_value("1000-20000元").bounds_in_base() == ("万元", Decimal("0.1"), Decimal(2))


def test_unit_comparison():
    v = default_vocabulary()
    target, actual = v.parse("≤1810000元"), v.parse("181万元")
    assert v.comparable(target, actual)
    assert target.in_base() == actual.in_base()
    assert v.comparable(v.parse("≥100百分比"), v.parse("≥97%"))
    assert v.parse("≥100百分比").in_base() == v.parse("100%").in_base()
    assert v.comparable(v.parse("≥90"), v.parse("≥96%"))  # one side without a unit
    assert v.comparable(v.parse("=4"), v.parse("=4人"))
    assert not v.comparable(v.parse("≥11台"), v.parse("≥11人"))
    assert not v.comparable(v.parse("≤50万元"), v.parse("≤50%"))
    assert not v.comparable(v.parse("≥95%"), v.parse("达成预期指标"))
    assert not v.comparable(v.parse("1-12月"), v.parse("12月"))
    assert not v.comparable(v.parse("未填报"), v.parse("≥95%"))


def test_unit_info():
    v = default_vocabulary()
    assert v.unit_info("元") == ("万元", Decimal("0.0001"))
    assert v.unit_info("百分比") == ("%", Decimal(1))
    assert v.unit_info(None) == (None, None)
    assert v.unit_info("个单位的巡察") is None


# ----------------------------------------------------------------------------- aliases
def _alias_cases():
    cases = []
    for tok, spec in RAW["operator_aliases"].items():
        cases.append((f"{tok}95%", tok, spec["means"], spec.get("severity", "warning")))
    for tok, spec in RAW["operator_words"].items():
        text = f"{tok}95%" if spec.get("position", "prefix") == "prefix" else f"95%{tok}"
        cases.append((text, tok, spec["means"], spec.get("severity", "info")))
    return cases


@pytest.mark.parametrize(("text", "found", "means", "severity"), _alias_cases())
def test_every_alias_is_reported(text, found, means, severity):
    pv = parse_value(text)
    assert pv.aliases == (Alias(found=found, means=means, severity=severity),)
    if means == "±":
        assert pv.kind == "range"
    else:
        assert (pv.kind, pv.operator, pv.number, pv.unit) == ("comparison", means, Decimal(95), "%")


def test_alias_severities():
    assert parse_value("→100%").aliases[0].severity == "warning"
    assert parse_value("—50人").aliases[0].severity == "warning"
    assert parse_value("≠4人").aliases[0].severity == "warning"
    assert parse_value("﹦100%").aliases[0].severity == "info"
    assert parse_value("98%以上").aliases[0].severity == "info"
    assert default_vocabulary().alias_notes["→"].startswith("PDF/Word")


@pytest.mark.parametrize(("canon", "token"),
                         [(c, t) for c, toks in RAW["operators"].items() for t in toks])
def test_ordinary_operators_are_not_reported(canon, token):
    pv = parse_value(f"{token}95%")
    assert pv.aliases == ()
    assert pv.operator == canon
    if canon == "±":
        assert (pv.kind, pv.low, pv.high) == ("range", Decimal(-95), Decimal(95))
    else:
        assert (pv.kind, pv.number, pv.unit) == ("comparison", Decimal(95), "%")


def test_repeated_operator_in_actual():
    target, actual = parse_value("≥95%"), parse_value("≥97%")
    assert target.operator == actual.operator == ">="
    assert actual.is_number and actual.aliases == ()


def test_both_prefix_alias_and_suffix_word_are_reported():
    pv = parse_value("不低于95%以上")
    assert pv.operator == ">="
    assert [a.found for a in pv.aliases] == ["不低于", "以上"]


# ----------------------------------------------------------------------------- caching
def test_cache_returns_same_object():
    v = Vocabulary.load()
    a = v.parse("≥95%")
    assert v.parse("≥95%") is a
    assert v.parse("≥95%") == a
    other = Vocabulary.load()
    assert other.parse("≥95%") is not a and other.parse("≥95%") == a
    v.cache_clear()
    assert v.parse("≥95%") is not a and v.parse("≥95%") == a


def test_cache_is_bounded(monkeypatch):
    import perfscore.values as values

    monkeypatch.setattr(values, "CACHE_LIMIT", 10)
    v = Vocabulary.load()
    for i in range(25):
        v.parse(f"≥{i}人")
    assert len(v._cache) <= 10
    assert "≥24人" in v._cache and "≥0人" not in v._cache  # the older half goes, the latest stay
    assert v.parse("≥3人").number == 3


def test_parsed_value_is_immutable_and_slotted():
    """Parsed values are cached and shared between forms: nobody may change one."""
    pv = parse_value("≥95%")
    with pytest.raises(AttributeError):
        pv.number = Decimal(1)  # type: ignore[misc]
    assert not hasattr(pv, "__dict__")
    assert hash(pv) == hash(parse_value("≥95%"))


def test_default_vocabulary_loaded_once():
    assert default_vocabulary() is default_vocabulary()


def test_non_string_input_is_read_as_text():
    assert parse_value(95).number == Decimal(95)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- vocabulary
def test_every_alias_means_a_canonical_operator():
    for section in ("operator_aliases", "operator_words"):
        for tok, spec in RAW[section].items():
            assert spec["means"] in CANONICAL_OPERATORS, (section, tok)
            assert spec.get("severity", "info") in ("warning", "info"), (section, tok)
    assert set(RAW["operators"]) <= set(CANONICAL_OPERATORS)


def test_shipped_vocabulary_file():
    text = VOCAB_FILE.read_text(encoding="utf-8")
    assert text.startswith("#")  # documented header
    assert Vocabulary.load(VOCAB_FILE).data == Vocabulary.load().data


@pytest.mark.parametrize(("section", "category"), [
    ("achieved", "achieved"), ("partial", "partial"), ("not_achieved", "not_achieved"),
    ("target_words", "target_word")])
def test_every_qualitative_term_reads_as_its_category(section, category):
    for term in RAW["qualitative"][section]:
        pv = parse_value(term)
        assert (pv.kind, pv.category, pv.term) == ("qualitative", category, term), term


def test_every_time_term_and_missing_entry():
    for term in RAW["time"]["terms"]:
        assert (parse_value(term).category, parse_value(term).term) == ("target_word", term)
    for m in RAW["missing"]:
        assert parse_value(m).kind == "missing", m


def test_every_unit_reads_with_its_base():
    for unit, spec in RAW["units"].items():
        pv = parse_value(f"≥7{unit}")
        assert (pv.kind, pv.unit) == ("comparison", unit), unit
        assert pv.in_base() == (spec["base"], Decimal(7) * Decimal(spec["factor"])), unit


def test_every_traditional_mapping_is_single_characters():
    chars = RAW["normalise"]["characters"]
    assert all(len(k) == 1 and len(v) == 1 for k, v in chars.items())
    # every term still reads when written in traditional characters
    back = {v: k for k, v in chars.items() if "\u4e00" <= k <= "\u9fff"}
    for section in ("achieved", "partial", "not_achieved"):
        for term in RAW["qualitative"][section]:
            trad = "".join(back.get(c, c) for c in term)
            assert parse_value(trad).term == term, trad


def test_extended_adds_an_alias_that_fires():
    v = Vocabulary.load()
    assert v.parse("⇒95%").kind == "unparsed"
    w = v.extended({"operator_aliases": {"⇒": {"means": ">=", "severity": "warning"}},
                    "qualitative": {"achieved": ["圆满完成"]},
                    "units": {"架次": {"base": "架次", "factor": "1"}}})
    pv = w.parse("⇒95%")
    assert (pv.operator, pv.number, pv.aliases) == (">=", Decimal(95), (Alias("⇒", ">=", "warning"),))
    assert w.parse("圆满完成").category == "achieved"
    assert w.parse("≥3架次").in_base() == ("架次", Decimal(3))
    # the original is untouched, and old entries survive the merge
    assert v.parse("⇒95%").kind == "unparsed"
    assert v.parse("圆满完成").kind == "unparsed"
    assert w.parse("→100%").aliases[0].found == "→"
    assert w.parse("达成预期指标").category == "achieved"


def test_extended_can_override_an_alias():
    w = Vocabulary.load().extended({"operator_aliases": {"≠": {"means": "=", "severity": "info"}}})
    assert w.parse("≠4人").aliases == (Alias("≠", "=", "info"),)


def test_from_data_minimal():
    v = Vocabulary.from_data({"operators": {">=": ["≥"]}, "units": {"人": {"base": "人", "factor": 1}}})
    pv = v.parse("≥3人")
    assert (pv.operator, pv.number, pv.unit) == (">=", Decimal(3), "人")
    assert v.parse("达成预期指标").reason == "free text"
    assert v.parse("").kind == "missing"


@pytest.mark.parametrize(("extra", "fragment"), [
    ({"operator_aliases": {"⇒": {"means": "≥"}}}, "not a canonical operator"),
    ({"operator_words": {"逾": {"means": "more"}}}, "not a canonical operator"),
    ({"operators": {"≈": ["~"]}}, "not a canonical operator"),
    ({"operator_aliases": {"⇒": {"means": ">=", "severity": "fatal"}}}, "severity"),
    ({"operator_aliases": {">=": {"means": ">="}}}, "both an ordinary operator and an alias"),
    ({"operator_words": {"以上": {"means": "<=", "position": "suffix"}}}, None),  # override is fine
    ({"operator_words": {"不足": {"means": "<", "position": "middle"}}}, "position"),
    ({"units": {"斤": {"base": "公斤", "factor": "zero"}}}, "factor"),
    ({"units": {"斤": {"base": "公斤", "factor": "-1"}}}, "factor"),
    ({"qualitative": {"achieved": ["提升"]}}, "'提升' is already a"),
    ({"qualitative": {"great": ["好极了"]}}, "unknown category"),
    ({"time": {"patterns": ["(unclosed"]}}, "not a valid regular expression"),
    ({"normalise": {"characters": {"公裏": "公里"}}}, "not one character"),
    ({"missing": ["及时"]}, "also a qualitative term"),
    ({"colours": ["red"]}, "unknown section"),
])
def test_bad_vocabularies_are_rejected(extra, fragment):
    base = Vocabulary.load()
    if fragment is None:
        base.extended(extra)
        return
    with pytest.raises(VocabularyError) as err:
        base.extended(extra)
    assert fragment in str(err.value)
    assert err.value.problems


def test_load_errors_name_the_file(tmp_path):
    bad = tmp_path / "v.yaml"
    bad.write_text("operators: [\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="v.yaml"):
        Vocabulary.load(bad)
    with pytest.raises(VocabularyError, match="cannot read"):
        Vocabulary.load(tmp_path / "absent.yaml")
    bad.write_text(yaml.safe_dump({"operators": {"=>": ["≥"]}}), encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"v\.yaml:2:3: operators\.=>"):  # file:line:col, as a rule file's
        Vocabulary.load(bad)


def test_vocabulary_data_is_a_copy():
    data = copy.deepcopy(RAW)
    v = Vocabulary.from_data(data)
    data["operator_aliases"].clear()
    assert v.parse("→100%").aliases


# ----------------------------------------------------------------------------- properties
KINDS = {"comparison", "range", "qualitative", "missing", "unparsed"}


def _well_formed(pv: ParsedValue, text: str) -> None:
    assert pv.text == text
    assert pv.kind in KINDS
    assert pv.operator is None or pv.operator in CANONICAL_OPERATORS
    assert (pv.reason is not None) == (pv.kind == "unparsed")
    assert (pv.category is not None) == (pv.kind == "qualitative")
    if pv.kind == "comparison":
        assert isinstance(pv.number, Decimal)
    if pv.kind == "range":
        assert isinstance(pv.low, Decimal) and isinstance(pv.high, Decimal)
    for a in pv.aliases:
        assert a.means in CANONICAL_OPERATORS and a.severity in ("warning", "info")
    base, n = pv.in_base()
    assert n is None or isinstance(n, Decimal)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_parse_never_raises_on_any_text(text):
    _well_formed(parse_value(text), text)


FRAGMENTS = (["≥", "≤", ">", "<", "=", "±", "→", "—", "≠", "﹦", "＞＝", "不低于", "以上", "以内", "-", "~",
              "至", "0", "1", "9", "12", "100", ".", ",", "，", "．", "%", "％", "万元", "元", "百分比", "台",
              "人", "月", "年度", "2023", "达成", "部分达成", "预期指标", "及时", "未填报", "/", "…",
              "（含）", "　", " ", "\n", "達成", "萬", "/年", "(", ")", "e", "E", "+", "N/A"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join))
def test_parse_never_raises_on_value_like_fragments(text):
    _well_formed(parse_value(text), text)


_OPS = {"≥": ">=", "≤": "<=", ">": ">", "<": "<", "=": "=", ">=": ">=", "<=": "<=", "": None}
_UNITS = {"%": ("%", "1"), "百分比": ("%", "1"), "元": ("万元", "0.0001"), "万元": ("万元", "1"),
          "台": ("台", "1"), "": (None, "1")}


@settings(max_examples=500, deadline=None)
@given(op=st.sampled_from(sorted(_OPS)), unit=st.sampled_from(sorted(_UNITS)),
       number=st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False),
       grouped=st.booleans())
def test_comparisons_round_trip(op, unit, number, grouped):
    printed = f"{number:,}" if grouped else str(number)
    pv = parse_value(f"{op}{printed}{unit}")
    assert pv.kind == "comparison", (op, printed, unit, pv)
    assert pv.operator == _OPS[op]
    assert pv.number == number
    assert pv.unit == (unit or None)
    base, factor = _UNITS[unit]
    assert pv.in_base() == (base, number * Decimal(factor))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=999), min_size=3, max_size=5))
def test_numbers_with_several_dots_are_garbled(parts):
    pv = parse_value(".".join(map(str, parts)) + "万元")
    assert (pv.kind, pv.reason) == ("unparsed", "garbled number")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_parse_is_deterministic_and_cached(text):
    v = default_vocabulary()
    first = v.parse(text)
    assert v.parse(text) is first
    v2 = Vocabulary.from_data(v.data)
    assert v2.parse(text) == first
