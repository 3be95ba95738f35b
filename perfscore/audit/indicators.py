"""Indicator checks: what each row's values say (memoised), and duplicate rows.

What one indicator's own values say is memoised per rule set (`FINDINGS`, a `caches.Memo`) under
`IndicatorFacts`, which is all that check (`indicator_findings`) is given: a check that reads one more
field must add it there, and so to the key (``tests/test_caches.py`` shows a stale entry cannot be served).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from perfscore import catalogue
from perfscore.audit.sink import d, make_finding, pairs
from perfscore.caches import Memo
from perfscore.catalogue import (
    DUPLICATE_INDICATOR,
    MISSING_DEVIATION_REASON,
    OPERATOR_ALIAS,
    QUALITATIVE_CONTRADICTION,
    SCORE_DEVIATION,
    SCORE_OVER_WEIGHT,
    UNPARSED_VALUE,
    UNSCORABLE,
    WRONG_DIRECTION,
)
from perfscore.labels import CompactLabels
from perfscore.model import Form
from perfscore.results import Finding, IndicatorResult, Severity
from perfscore.scored import Outcome

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["FINDINGS", "Draft", "IndicatorFacts", "check_indicators", "indicator_findings"]

MEMO_LIMIT = 20_000


_COMPACT = CompactLabels()  # what duplicates are found by
# code, message, severity, numbers: a finding before it is placed on a form (memoised drafts hold no dict,
# nothing for the collector to track)
Draft = tuple[str, str, Severity, tuple[tuple[str, str], ...]]


class IndicatorFacts(NamedTuple):
    """Everything `indicator_findings` reads about one indicator, and so the key its findings are memoised
    by (with the rule set, which owns the memo table). `outcome` stands for its values by identity (an
    outcome is built once per `OutcomeKey` and never changed); the rest is what can differ between forms
    with the same values."""

    outcome: Outcome
    computed: Decimal | None  # the result's score: the outcome's, unless a deduction changed it
    kind: str | None  # the indicator kind's name when its target's operator is one a kind may not expect
    has_reason: bool  # a 偏差原因 is printed
    scored_form: bool  # a scored form, not a target report (绩效目标完成情况表)


def _duplicates(results: list[IndicatorResult], rules: Rules) -> dict[int, tuple[Draft, ...]] | None:
    """A duplicate-indicator draft for the first of each (二级, 三级) pair that appears more than once,
    by the row's id; None when there are none (the common case, told by the 三级 labels alone)."""
    compact = _COMPACT.__getitem__
    level3 = [compact(r.level3) for r in results]
    if len(set(level3)) == len(level3):
        return None
    keys = [(compact(r.level2), l3) for r, l3 in zip(results, level3, strict=True)]
    counts = Counter(keys)
    out: dict[int, tuple[Draft, ...]] = {}
    for r, key in zip(results, keys, strict=True):
        if counts[key] > 1:
            out[id(r)] = _configured([(DUPLICATE_INDICATOR, f"{r.level2 or ''}/{r.level3} appears {counts[key]} times",
                                       None, (("count", str(counts[key])),))], rules)
            counts[key] = 1  # reported once, at the first of them
    return out or None


def check_indicators(form: Form, results: list[IndicatorResult], outcomes: list[Outcome], rules: Rules,
                      findings: list[Finding]) -> None:
    """Per indicator: duplicates (which depend on the form) and what its own values say (memoised under
    its `IndicatorFacts`). Appends findings with the rule set's selection already applied."""
    duplicates = _duplicates(results, rules)
    scored_form = form.kind != "target_report"
    kind_of, checked = rules.library.kind_of, rules.checked_operators
    table = FINDINGS.table(rules)
    # looked up by a plain tuple of the facts (equal to the IndicatorFacts, hashed alike, cheaper to build);
    # an IndicatorFacts is made only on a miss, for `indicator_findings` to read by name
    lookup: Callable[[tuple[object, ...]], tuple[Draft, ...] | None] = table.get  # type: ignore[assignment]
    make, new_facts = table.make, tuple.__new__
    name, form_location = form.name, form.source
    append = findings.append
    for r, ind, outcome in zip(results, form.indicators, outcomes, strict=True):
        reason = ind.deviation_reason or ""
        kind = kind_of(r.level1, r.level2, r.level3) if outcome.numeric_operator in checked else None
        facts = (outcome, r.computed_score, None if kind is None else kind.name,
                 bool(reason) and not reason.isspace(), scored_form)
        own = lookup(facts)
        if own is None:
            own = make(new_facts(IndicatorFacts, facts))
        drafts = duplicates.get(id(r), ()) if duplicates else ()
        if own or drafts:
            location = r.source or form_location
            for code, message, severity, numbers in drafts + own if drafts else own:
                append(make_finding(code=code, severity=severity, message=message, form=name,
                                indicator=r.level3, location=location, numbers=dict(numbers)))


def _configured(drafts: Iterable[tuple[str, str, Severity | None, tuple[tuple[str, str], ...]]],
                rules: Rules) -> tuple[Draft, ...]:
    """Drafts as `apply_config` would leave them: selected, and with their final severity."""
    out: list[Draft] = []
    selection = rules.selection
    verdict = selection.verdict if selection.active else None  # most rule sets select nothing
    for code, message, severity, numbers in drafts:
        if severity is None:
            spec = catalogue.get(code)
            severity = spec.severity if spec else "info"
        final = verdict(code, severity) if verdict is not None else severity
        if final is not None:
            out.append((code, message, final, numbers))
    return tuple(out)


def indicator_findings(facts: IndicatorFacts, rules: Rules) -> tuple[Draft, ...]:
    """What one indicator's own values say — independent of where it stands, so it is memoised by
    `FINDINGS`: the same values on ten thousand forms are checked once. Reads `facts` and `rules` only."""
    out: list[tuple[str, str, Severity | None, tuple[tuple[str, str], ...]]] = []

    def add(code: str, message: str, severity: Severity | None = None, **numbers: object) -> None:
        out.append((code, message, severity, pairs(numbers)))

    outcome, computed, scored_form = facts.outcome, facts.computed, facts.scored_form
    target, actual, weight, reported = outcome.target, outcome.actual, outcome.weight, outcome.reported
    tol, reasons = rules.spec.tolerance, rules.spec.reasons
    read_with_notes = target.aliases or actual.aliases or target.kind == "unparsed" or actual.kind == "unparsed"
    for which, parsed in (("target", target), ("actual", actual)) if read_with_notes else ():
        for alias in parsed.aliases:
            add(OPERATOR_ALIAS, f"{which} {parsed.text!r}: {alias.found!r} read as {alias.means}",
                alias.severity, found=alias.found, means=alias.means)  # type: ignore[arg-type]
        if parsed.kind == "unparsed":
            # a target table (绩效目标完成情况表) states its values in prose by design: a note, not a warning
            add(UNPARSED_VALUE, f"{which} {parsed.text!r} cannot be read: {parsed.reason}",
                None if scored_form else "info", value=parsed.text)
    if weight is not None and reported is not None and reported > weight + tol.weight:
        add(SCORE_OVER_WEIGHT, f"score {d(reported)} is above its weight {d(weight)}", score=reported, weight=weight)
    if outcome.method == "unscorable" and scored_form:
        add(UNSCORABLE, outcome.why)  # no deduction applies to an unscorable row: the result says the same
    _check_score(outcome, computed, rules, add)
    kind = rules.kinds_by_name.get(facts.kind) if facts.kind is not None else None
    if kind is not None and target.operator and target.operator not in kind.expected:
        add(WRONG_DIRECTION, f"{kind.title} target {target.text!r} uses {target.operator}; "
            f"expected {' or '.join(kind.expected)}", kind=kind.name, operator=target.operator)
    if not facts.has_reason and scored_form:
        if reasons.shortfall and weight is not None and reported is not None and reported < weight - tol.score:
            add(MISSING_DEVIATION_REASON, f"scored {d(reported)} of {d(weight)} with no 偏差原因",
                score=reported, weight=weight)
        elif reasons.over_achievement is not None and target.is_number and actual.is_number \
                and target.operator in (">=", ">", "=", None):
            _, t = target.in_base()
            _, a = actual.in_base()
            if t and a is not None and t > 0 and a / t >= reasons.over_achievement:
                ratio = rules.round(a / t * 100)
                add(MISSING_DEVIATION_REASON,
                    f"actual {actual.text} is {d(ratio)}% of target {target.text} with no 偏差原因", ratio=ratio)
    return _configured(out, rules)


FINDINGS: Memo[IndicatorFacts, Rules, tuple[Draft, ...]] = Memo(indicator_findings, MEMO_LIMIT)


def _check_score(outcome: Outcome, computed: Decimal | None, rules: Rules, add: Callable[..., None]) -> None:
    reported, weight = outcome.reported, outcome.weight
    if reported is None or computed is None:
        return
    if outcome.method == "qualitative" and outcome.band is not None:
        low, high = outcome.band
        if computed == reported:
            return
        category = outcome.category
        if category == rules.top_band and reported < low:
            add(QUALITATIVE_CONTRADICTION,
                f"actual {outcome.actual.text!r} ({category}) but scored {d(reported)} of {d(weight)}, "
                f"below the band [{d(low)}, {d(high)}]",
                reported=reported, low=low, high=high, computed=computed)
        elif category != rules.top_band and weight is not None and reported >= weight:
            add(QUALITATIVE_CONTRADICTION,
                f"actual {outcome.actual.text!r} ({category}) but scored full {d(reported)}",
                reported=reported, low=low, high=high, computed=computed)
        else:
            add(SCORE_DEVIATION,
                f"{category} band is [{d(low)}, {d(high)}{']' if category == rules.top_band else ')'}, "
                f"reported {d(reported)}, clamped to {d(computed)}",
                reported=reported, computed=computed, low=low, high=high)
    elif abs(computed - reported) > rules.spec.tolerance.score:
        target, actual = outcome.key.target, outcome.key.actual
        add(SCORE_DEVIATION,
            f"reported {d(reported)} but {outcome.method} scoring gives {d(computed)} "
            f"(target {target}, actual {actual}, weight {d(weight)})",
            reported=reported, computed=computed, target=target, actual=actual, weight=weight)
