"""The audit's shortcuts against the plain reading they stand for (issue 15's speed work).

The scoring loop adds up the band spread the grade check needs (`IndicatorSums.band_low`/`band_high`) as it
goes; `band_spread` is the same sum over the results, and `score` uses it after deductions. An outcome
carries the two facts the audit's per-form checks look for (`aliased`, `form_checks`), worked out once
from its parsed values. `check_row` is given the row's kind when the caller has it and the form's funding
figures lazily. Each is checked here against the plain reading, on every sample form under every shipped
rule set, and on the same forms with their qualitative scores moved off their bands.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfscore import scoring
from perfscore.audit.indicators import FINDINGS, PER_FORM
from perfscore.audit.rows import UNKNOWN, check_row, funding_figures
from perfscore.audit.sink import pairs
from perfscore.pipeline import score_form
from perfscore.rules import load_rules
from perfscore.scoring.indicators import band_spread

RULE_SETS = ("national", "finance-system", "hubei", "sichuan", "platform-caps", "department", "guizhou-department")


def _variants(forms):
    """The sample forms, and each again with every printed score halved (off the bands, into deductions)."""
    for form in forms:
        yield form
        rows = [ind.model_copy(update={"score": ind.score / 2 if ind.score is not None else None})
                for ind in form.indicators]
        yield form.model_copy(update={"indicators": rows})


@pytest.mark.parametrize("name", RULE_SETS)
def test_band_sums_of_the_scoring_loop_are_band_spread_of_the_results(name, sample_forms):
    rules = load_rules(name)
    seen = 0
    for form in _variants(sample_forms.values()):
        scored = scoring.score(form, rules)
        low, high = band_spread(scored.result.indicators)
        assert (scored.sums.band_low, scored.sums.band_high) == (low, high), form.name
        seen += bool(low or high)
    assert seen  # some forms have scores the scorer chose inside a band


@pytest.mark.parametrize("name", RULE_SETS)
def test_outcome_flags_are_what_the_audit_would_work_out(name, sample_forms):
    rules = load_rules(name)
    flagged = 0
    for form in _variants(sample_forms.values()):
        for outcome in scoring.score(form, rules).outcomes:
            target, actual = outcome.target, outcome.actual
            number = target.base_number
            assert outcome.aliased == bool(target.aliases or actual.aliases)
            assert outcome.form_checks == (number is not None and (number == 0 or target.base_unit == "万元"))
            flagged += outcome.aliased + outcome.form_checks
    assert flagged


@pytest.mark.parametrize("name", RULE_SETS)
def test_check_row_with_a_known_kind_and_lazy_figures_is_the_plain_check(name, sample_forms):
    rules = load_rules(name)
    kind_of = rules.library.kind_of
    found = 0
    for form in _variants(sample_forms.values()):
        figures = funding_figures(form)
        for ind, outcome in zip(form.indicators, scoring.score(form, rules).outcomes, strict=True):
            plain = list(check_row(lambda f=figures: f, ind, outcome, rules))
            known = list(check_row(lambda f=figures: f, ind, outcome, rules,
                                   kind_of(ind.level1, ind.level2, ind.level3)))
            lazy = list(check_row(lambda f=figures: f, ind, outcome, rules, UNKNOWN))
            assert plain == known == lazy, (form.name, ind.level3)
            found += len(plain)
    assert found or name not in ("national",)


def test_memoised_drafts_hold_their_numbers_as_pairs_writes_them(sample_forms, national):
    """Drafts built with their numbers as text (no dict) are what `pairs` gives for those numbers."""
    for form in _variants(sample_forms.values()):
        score_form(form, national)
    drafts = [d for value in FINDINGS.table(national).values() for d in value]
    assert drafts
    for _code, _message, _severity, numbers in drafts:
        assert numbers == pairs(dict(numbers))
        assert all(isinstance(v, str) and not isinstance(v, Decimal) for _, v in numbers)


def test_per_form_drafts_keep_no_numbers_since_the_form_finding_counts_rows(sample_forms, national):
    """Numbers on a written-as draft (actual-operator, …) would be memoised and never read: the finding on the
    form names the rows in its message and counts them; its numbers are that count alone."""
    for form in sample_forms.values():
        result = score_form(form, national)
        for finding in result.findings:
            if finding.code in PER_FORM:
                assert list(finding.numbers) == ["rows"]
    drafts = [d for value in FINDINGS.table(national).values() for d in value if d[0] in PER_FORM]
    assert drafts and all(numbers == () for *_, numbers in drafts)
