"""The audit's shortcuts against the plain reading they stand for (issue 15's speed work).

The scoring loop adds up the band spread the grade check needs (`IndicatorSums.band_low`/`band_high`) as it
goes; `band_spread` is the same sum over the results, and `score` uses it after deductions. An outcome
carries the two facts the audit's per-form checks look for (`aliased`, `form_checks`), worked out once
from its parsed values. A row's findings are kept on its outcome for the facts it was last seen with
(`Outcome.audit_memo`), a cost row's amounts as a probe compared with each form's funding figures. Each is
checked here against the plain reading (every check run afresh, no memo), on every sample form under every
shipped rule set, and on the same forms with their qualitative scores moved off their bands.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from perfscore import audit, scoring
from perfscore.audit import indicators as audit_indicators
from perfscore.audit.indicators import FINDINGS, PER_FORM
from perfscore.audit.rows import COST_PROBE
from perfscore.audit.sink import pairs
from perfscore.caches import clear_all
from perfscore.pipeline import score_form
from perfscore.rules import Rules, load_rules
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


def _plain_findings(form, rules):
    """The form's findings with every indicator's checks run afresh: no findings kept on outcomes, no memo."""
    clear_all()
    scored = scoring.score(form, rules)
    for outcome in scored.outcomes:
        outcome.audit_memo = None
    original = audit_indicators._row_drafts
    try:
        audit_indicators._row_drafts = lambda outcome, facts, rules_: audit_indicators.indicator_findings(
            audit_indicators.IndicatorFacts(outcome, *facts[1:]), rules_)
        return [f.model_dump() for f in audit.audit(form, scored, rules)]
    finally:
        audit_indicators._row_drafts = original


@pytest.mark.parametrize("name", RULE_SETS)
def test_findings_kept_on_outcomes_are_the_plain_checks(name, sample_forms):
    """Warm (the forms audited twice over, so every row is served from what its outcome keeps) against cold."""
    rules = load_rules(name)
    forms = list(_variants(sample_forms.values()))
    plain = [_plain_findings(form, rules) for form in forms]
    clear_all()
    for _ in range(2):
        warm = [[f.model_dump() for f in score_form(form, rules).findings] for form in forms]
        assert warm == plain
    assert any(f["code"] == "cost-contradicts-funding" for found in plain for f in found) or name != "national"


def test_an_outcome_audited_under_another_rule_set_is_checked_afresh(sample_forms):
    """What an outcome keeps names its rule set: the same outcomes audited under a rule set that ignores a code
    (and one that raises another's severity) give that rule set's findings, not the first one's."""
    national = load_rules("national")
    spec = national.spec.model_copy(update={"findings": national.spec.findings.model_copy(
        update={"ignore": ["actual-operator"], "severity": {"score-under": "warning"}})})
    other = Rules(spec, national.origin)
    for form in sample_forms.values():
        scored = scoring.score(form, national)
        first = audit.audit(form, scored, national)
        second = audit.audit(form, scored, other)  # the outcomes keep national's findings
        assert [f.model_dump() for f in second] == _plain_findings(form, other)
        assert [f.model_dump() for f in first] == _plain_findings(form, national)


def test_memoised_drafts_hold_their_numbers_as_pairs_writes_them(sample_forms, national):
    """Drafts built with their numbers as text (no dict) are what `pairs` gives for those numbers."""
    for form in _variants(sample_forms.values()):
        score_form(form, national)
    drafts = [d for row in _kept(national) for part in row for d in part if d[0] != COST_PROBE]
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
    drafts = [d for row in _kept(national) for d in row[0] if d[0] in PER_FORM]
    assert drafts and all(numbers == () for *_, numbers in drafts)


def _kept(rules):
    """Every row's findings the audit keeps: on the outcomes of the rule set's memo, and in `FINDINGS`."""
    from perfscore.scoring.indicators import OUTCOMES

    kept = [o.audit_memo[1] for o in OUTCOMES.table(rules).values() if o.audit_memo is not None]
    return kept + list(FINDINGS.table(rules).values())
