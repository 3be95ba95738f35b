"""The core's shape: the scorer and the audit apart, composed by the pipeline; memos keyed by exactly what
they are given; one finding selection; reports that depend on results only."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D

import pytest

from perfscore import audit, scoring
from perfscore.caches import BoundedCache, Memo, clear_all
from perfscore.model import Form, Indicator
from perfscore.pipeline import score_form
from perfscore.results import Finding
from perfscore.rules import Rules, load_rules
from perfscore.scored import ScoredForm
from perfscore.selection import Selection, select_findings
from tests.conftest import REPO


def _fresh(name: str = "national") -> Rules:
    """A rule set of its own: its memo tables start empty."""
    loaded = load_rules(name)
    return Rules(loaded.spec, loaded.origin)


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return set(out.stdout.split())


def test_the_audit_does_not_import_the_scorer():
    assert "perfscore.scoring" not in _modules_after("import perfscore.audit")


def test_reports_depend_on_results_not_on_the_pipeline():
    loaded = _modules_after("import perfscore.report.jsonout, perfscore.report.table, perfscore.report.markdown, "
                            "perfscore.report.html, perfscore.report.xlsx")
    for module in ("perfscore.batch", "perfscore.pipeline", "perfscore.parallel", "perfscore.scoring",
                   "perfscore.audit", "perfscore.readers"):
        assert module not in loaded


def _form(reason: str | None = None, level3: str = "设备台数", target: str = "≥10台", actual: str = "8台",
          score: D = D(8)) -> Form:
    return Form(name="f", indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3=level3, initial_target=target, actual=actual,
                  weight=D(10), score=score, deviation_reason=reason)])


def test_score_returns_the_scored_form_and_the_audit_its_findings():
    rules = _fresh()
    form = _form()
    scored = scoring.score(form, rules)
    assert isinstance(scored, ScoredForm)
    assert scored.result.findings == []  # the scorer finds nothing
    assert scored.result.indicators[0].computed_score == D("8.00")
    findings = audit.audit(form, scored, rules)
    assert findings and all(isinstance(f, Finding) for f in findings)
    assert scored.result.findings == []  # the audit changes nothing of what it reads
    composed = score_form(form, rules)
    assert [f.model_dump() for f in composed.findings] == [f.model_dump() for f in findings]


# --- memos: keyed by exactly what the memoised function is given ------------------------------------------


def test_a_field_read_by_a_check_is_part_of_its_key_so_no_stale_findings():
    """A check that reads one more field must get it through its key: here the key type grows a field, the
    check reads it, and two keys that differ only in that field give two entries, never the first's value."""
    from typing import NamedTuple

    class Facts(NamedTuple):
        score: int

    class GrownFacts(NamedTuple):  # the same facts, plus a field a new check reads
        score: int
        reason: str

    calls = []

    def check(facts: GrownFacts, owner: object) -> tuple[str, ...]:
        calls.append(facts)
        return ("missing-deviation-reason",) if facts.score < 10 and not facts.reason else ()

    class Owner:
        pass

    owner = Owner()
    memo: Memo[GrownFacts, Owner, tuple[str, ...]] = Memo(check, 100)
    assert memo(GrownFacts(8, ""), owner) == ("missing-deviation-reason",)
    assert memo(GrownFacts(8, "有原因"), owner) == ()  # not the first entry's findings
    assert memo(GrownFacts(8, ""), owner) == ("missing-deviation-reason",)
    assert len(calls) == 2  # the third call was served from the memo, and rightly
    assert len(Facts._fields) < len(GrownFacts._fields)


def test_the_audit_memo_key_is_everything_the_indicator_check_reads():
    import inspect

    from perfscore.audit.indicators import FINDINGS, IndicatorFacts, indicator_findings

    # the memoised check is given its key and the rule set, nothing else: whatever it reads is in the key
    assert list(inspect.signature(indicator_findings).parameters) == ["facts", "rules"]
    assert FINDINGS.function is indicator_findings
    rules = _fresh()
    scored = scoring.score(_form(), rules)
    outcome = scored.outcomes[0]
    base = IndicatorFacts(outcome, D("8.00"), None, False, True)
    table = FINDINGS.table(rules)
    FINDINGS(base, rules)
    for field in IndicatorFacts._fields:  # a change in any one field is another entry
        other = {"outcome": scoring.score(_form(actual="9台"), rules).outcomes[0], "computed": D("7.00"),
                 "kind": "cost", "has_reason": True, "scored_form": False, "initial": "≥8台"}[field]
        changed = base._replace(**{field: other})
        assert changed != base
        assert table.get(changed) is None


def test_warm_memos_never_serve_another_forms_findings():
    """The same values on two forms, one with a 偏差原因 and one without, another kind of indicator, a
    target report: each form's findings are what a cold audit gives it."""
    rules = _fresh()
    variants = [_form(), _form(reason="设备延期到货"), _form(level3="单位成本", target="≤10台", actual="8台"),
                _form(level3="单位成本", target="≥10台"),
                Form(name="t", kind="target_report", indicators=_form().indicators)]
    warm = [score_form(form, rules) for form in variants + variants]
    for form, result in zip(variants + variants, warm, strict=True):
        clear_all()
        cold = score_form(form, _fresh())
        assert [f.model_dump() for f in result.findings] == [f.model_dump() for f in cold.findings], form.name
    codes = [{f.code for f in r.findings} for r in warm[:2]]
    assert "missing-deviation-reason" in codes[0] and "missing-deviation-reason" not in codes[1]


def test_outcomes_are_memoised_per_rule_set_by_exactly_their_key():
    from perfscore.scoring.indicators import OUTCOMES, key_of, outcome

    rules = _fresh()
    form = _form()
    scored = scoring.score(form, rules)
    key = key_of(form.indicators[0])
    assert OUTCOMES.table(rules)[key] is scored.outcomes[0]
    fresh = outcome(key, rules)  # the memoised function, from the key alone
    assert (fresh.method, fresh.computed, fresh.why) == (scored.outcomes[0].method, scored.outcomes[0].computed,
                                                         scored.outcomes[0].why)
    assert len(OUTCOMES.table(_fresh())) == 0  # another rule set, another table


def test_bounded_cache_forgets_its_older_half_and_clear_all_empties_it():
    cache: BoundedCache[int, int] = BoundedCache(4)
    for i in range(5):
        cache.put(i, i)
    assert list(cache) == [2, 3, 4]
    clear_all()
    assert not cache


# --- one finding selection -----------------------------------------------------------------------------


def _finding(code: str, severity: str = "warning") -> Finding:
    return Finding(code=code, severity=severity, message="m")


@pytest.mark.parametrize(("selection", "kept"), [
    (Selection(), ["a", "b", "c"]),
    (Selection.of(select=["a", "b"]), ["a", "b"]),
    (Selection.of(ignore=["b"]), ["a", "c"]),
    (Selection.of(select=["a", "b"], ignore=["b"]), ["a"]),
])
def test_selection_keeps_what_select_and_ignore_say(selection, kept):
    assert [f.code for f in select_findings([_finding(c) for c in "abc"], selection)] == kept


def test_selection_sets_severities_and_the_drafts_path_agrees():
    selection = Selection.of(severity={"a": "error"})
    assert [f.severity for f in select_findings([_finding("a"), _finding("b")], selection)] == ["error", "warning"]
    assert selection.verdict("a", "info") == "error" and selection.verdict("b", "info") == "info"
    assert Selection.of(ignore=["a"]).verdict("a", "info") is None


def test_the_rule_sets_selection_applies_to_memoised_indicator_findings_too():
    loaded = load_rules("national")
    spec = loaded.spec.model_copy(update={"findings": loaded.spec.findings.model_copy(
        update={"ignore": ["score-deviation"], "severity": {"missing-deviation-reason": "error"}})})
    rules = Rules(spec, loaded.origin)
    assert "score-deviation" in {f.code for f in score_form(_form(score=D(9)), _fresh()).findings}
    result = score_form(_form(score=D(9)), rules)
    codes = {f.code: f.severity for f in result.findings}
    assert "score-deviation" not in codes
    assert codes.get("missing-deviation-reason") == "error"


def test_the_packages_all_is_literal_and_matches_its_lazy_exports():
    import perfscore

    assert sorted(perfscore.__all__) == sorted(perfscore._EXPORTS)
    assert all(getattr(perfscore, name) is not None for name in perfscore.__all__)
