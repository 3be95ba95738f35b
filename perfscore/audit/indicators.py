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
from perfscore.audit.rows import UNKNOWN, Figures, check_row, funding_figures, operator_aliases
from perfscore.audit.sink import d, make_finding, pairs
from perfscore.caches import Memo
from perfscore.catalogue import (
    ABSURD_TARGET,
    ACTUAL_COPIES_TARGET,
    ACTUAL_OPERATOR,
    DUPLICATE_INDICATOR,
    MISSING_DEVIATION_REASON,
    OVER_ACHIEVEMENT,
    QUALITATIVE_ACTUAL,
    QUALITATIVE_CONTRADICTION,
    SCORE_DEVIATION,
    SCORE_OVER_WEIGHT,
    SCORE_UNDER,
    SHORTFALL_SCORED_FULL,
    UNIT_QUESTION,
    UNPARSED_VALUE,
    UNSCORABLE,
    WRONG_DIRECTION,
)
from perfscore.labels import CompactLabels
from perfscore.model import Form, Indicator
from perfscore.results import Finding, IndicatorResult, Severity
from perfscore.scored import Outcome
from perfscore.values import ParsedValue

if TYPE_CHECKING:
    from perfscore.rules import Rules

__all__ = ["FINDINGS", "Draft", "IndicatorFacts", "check_indicators", "indicator_findings"]

MEMO_LIMIT = 20_000
# How a form's values are written (an actual with an operator, copied from the target, a word for a number)
# is a habit of the form, not of one row: reported once per form, with the rows it covers.
PER_FORM = frozenset({ACTUAL_OPERATOR, ACTUAL_COPIES_TARGET, QUALITATIVE_ACTUAL})


_COMPACT = CompactLabels()  # what duplicates are found by
# code, message, severity, numbers: a finding before it is placed on a form (memoised drafts hold no dict,
# nothing for the collector to track)
Draft = tuple[str, str, Severity, tuple[tuple[str, str], ...]]
Pending = tuple[str, str, Severity | None, tuple[tuple[str, str], ...]]  # a draft before its severity is settled


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
    aliased: list[tuple[Indicator, Outcome]] = []
    special: list[tuple[IndicatorResult, Indicator, Outcome, object]] = []
    gathered: dict[str, tuple[Severity, list[str]]] = {}
    for r, ind, outcome in zip(results, form.indicators, outcomes, strict=True):
        if outcome.aliased:
            aliased.append((ind, outcome))
        if outcome.numeric_operator in checked:
            kind = kind_of(r.level1, r.level2, r.level3)
            known: object = kind
        else:
            kind, known = None, UNKNOWN
        adjusted = ind.adjusted_target  # rows that may have a finding depending on the form: few
        if outcome.form_checks or (adjusted is not None and adjusted != ind.initial_target):
            special.append((r, ind, outcome, known))
        reason = ind.deviation_reason or ""
        facts = (outcome, r.computed_score, None if kind is None else kind.name,
                 bool(reason) and not reason.isspace(), scored_form)
        own = lookup(facts)
        if own is None:
            own = make(new_facts(IndicatorFacts, facts))
        drafts = duplicates.get(id(r), ()) if duplicates else ()
        if own or drafts:
            location = r.source or form_location
            for code, message, severity, numbers in drafts + own if drafts else own:
                if code in PER_FORM:  # how the values are written: one finding per form, naming the rows
                    entry = gathered.get(code)
                    if entry is None:
                        entry = gathered[code] = (severity, [])
                    entry[1].append(f"{r.level3}: {message}")
                    continue
                append(make_finding(code=code, severity=severity, message=message, form=name,
                                indicator=r.level3, location=location, numbers=dict(numbers)))
    for code, (severity, rows) in gathered.items():
        append(make_finding(code=code, severity=severity, message=f"{len(rows)} row{'s' if len(rows) > 1 else ''}: "
                            + "; ".join(rows), form=name, indicator=None, location=form_location,
                            numbers={"rows": str(len(rows))}))
    if special:  # what depends on the form as well as the row's values
        once: list[Figures | None] = []

        def figures() -> Figures | None:  # the funding block read once, and only for a cost row
            if not once:
                once.append(funding_figures(form))
            return once[0]

        for r, ind, outcome, known in special:
            for code, message, numbers in check_row(figures, ind, outcome, rules, known):
                for code_, message_, severity, numbers_ in _configured([(code, message, None, numbers)], rules):
                    append(make_finding(code=code_, severity=severity, message=message_, form=name,
                                        indicator=r.level3, location=r.source or form_location,
                                        numbers=dict(numbers_)))
    if aliased:  # one finding per form and alias, naming the cells (not one per cell)
        for code, message, numbers in operator_aliases(aliased):
            for code_, message_, severity, numbers_ in _configured([(code, message, None, numbers)], rules):
                append(make_finding(code=code_, severity=severity, message=message_, form=name, indicator=None,
                                    location=form_location, numbers=dict(numbers_)))


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
    out: list[Pending] = []

    def add(code: str, message: str, severity: Severity | None = None, **numbers: object) -> None:
        out.append((code, message, severity, pairs(numbers)))

    outcome, computed, scored_form = facts.outcome, facts.computed, facts.scored_form
    target, actual, weight, reported = outcome.target, outcome.actual, outcome.weight, outcome.reported
    tol, reasons = rules.spec.tolerance, rules.spec.reasons
    read_with_notes = target.kind == "unparsed" or actual.kind == "unparsed"
    for which, parsed in (("target", target), ("actual", actual)) if read_with_notes else ():
        if parsed.kind == "unparsed":
            # a target table (绩效目标完成情况表) states its values in prose by design: a note, not a warning
            add(UNPARSED_VALUE, f"{which} {parsed.text!r} cannot be read: {parsed.reason}",
                None if scored_form else "info", value=parsed.text)
    if weight is not None and reported is not None and reported > weight + tol.weight:
        add(SCORE_OVER_WEIGHT, f"score {d(reported)} is above its weight {d(weight)}", score=reported, weight=weight)
    if outcome.method == "unscorable" and scored_form:
        # no deduction applies to an unscorable row: the result says the same
        add(UNIT_QUESTION if outcome.issue == "unit-question" else UNSCORABLE, outcome.why)
    _check_score(outcome, computed, rules, add)
    numbers = target.is_number, actual.is_number  # (asked by every check below: a property, so asked once)
    if scored_form:
        _check_values(outcome, rules, out, numbers)
    kind = rules.kinds_by_name.get(facts.kind) if facts.kind is not None else None
    if kind is not None and target.operator and target.operator not in kind.expected:
        add(WRONG_DIRECTION, f"{kind.title} target {target.text!r} uses {target.operator}; "
            f"expected {' or '.join(kind.expected)}", kind=kind.name, operator=target.operator)
    ratio = _over_ratio(outcome, rules, numbers) if scored_form and numbers[0] and numbers[1] else None
    if ratio is not None:
        add(OVER_ACHIEVEMENT, f"actual {actual.text} is {d(ratio)}% of target {target.text}: explain it; a target "
            "set too low loses points where the rule set says so", ratio=ratio)
    if not facts.has_reason and scored_form:
        if reasons.shortfall and weight is not None and reported is not None and reported < weight - tol.score:
            add(MISSING_DEVIATION_REASON, f"scored {d(reported)} of {d(weight)} with no 偏差原因",
                score=reported, weight=weight)
        elif outcome.method not in ("qualitative", "unscorable") and outcome.computed is not None \
                and weight is not None and reported is not None and reported >= weight - tol.score \
                and outcome.computed < weight - tol.score:
            add(SHORTFALL_SCORED_FULL, f"actual {actual.text} is short of target {target.text} "
                f"({outcome.method} gives {d(outcome.computed)} of {d(weight)}), scored full with no 偏差原因",
                score=reported, computed=outcome.computed, weight=weight)
        elif ratio is not None:
            add(MISSING_DEVIATION_REASON,
                f"actual {actual.text} is {d(ratio)}% of target {target.text} with no 偏差原因", ratio=ratio)
    return _configured(out, rules)


FINDINGS: Memo[IndicatorFacts, Rules, tuple[Draft, ...]] = Memo(indicator_findings, MEMO_LIMIT)


def _over_ratio(outcome: Outcome, rules: Rules, numbers: tuple[bool, bool] | None = None) -> Decimal | None:
    """actual/target in percent when it reaches reasons.over_achievement on a floor (≥ > = or none).
    `numbers`: whether the target and the actual are numbers, when the caller knows."""
    threshold = rules.spec.reasons.over_achievement
    target, actual = outcome.target, outcome.actual
    if numbers is None:
        numbers = target.is_number, actual.is_number
    if threshold is None or not (numbers[0] and numbers[1]) or outcome.method in ("reverse", "unscorable") \
            or target.operator not in (">=", ">", "=", None):
        return None
    t, a = target.base_number, actual.base_number  # `in_base()` of a number, worked out when parsing
    if t is None:
        _, t = target.in_base()
    if a is None:
        _, a = actual.in_base()
    if t and a is not None and t > 0 and a / t >= threshold:
        return rules.round(a / t * 100)
    return None


def _check_values(outcome: Outcome, rules: Rules, out: list[Pending], numbers: tuple[bool, bool]) -> None:
    """How the values are written: an actual with an operator or copied from the target, a number target
    with a word actual, a target that sets nothing to achieve. Drafts are appended to `out` with their
    numbers as `pairs` would write them (all of them text here: no dict to build and walk). The three
    written-as habits (`PER_FORM`) keep no numbers: `check_indicators` folds them into one finding per form,
    whose only number is the count of rows, so numbers built for them were memoised and never read."""
    target, actual = outcome.target, outcome.actual
    target_number, actual_number = numbers
    operator = actual.operator
    if actual_number and operator is not None and not _approximate(actual, rules):
        if target_number and target.operator is not None and target.normalised == actual.normalised:
            out.append((ACTUAL_COPIES_TARGET, f"{actual.text} copies the target", None, ()))
        else:
            out.append((ACTUAL_OPERATOR, f"{actual.text} (target {target.text})", None, ()))
    if not target_number:
        if target.kind == "missing" and outcome.method == "qualitative":
            out.append((ABSURD_TARGET, f"no target ({target.text or 'blank'}) but scored as {outcome.category}",
                        None, (("target", target.text),)))
        return
    if outcome.method == "qualitative" and actual.kind == "qualitative":
        out.append((QUALITATIVE_ACTUAL, f"target {target.text}, actual {actual.text}", None, ()))
    if target.operator in (">=", ">"):
        t = target.base_number
        if t is None:
            _, t = target.in_base()
        if t == 0:
            out.append((ABSURD_TARGET, f"target {target.text!r} is a floor of 0: nothing to achieve", None,
                        (("target", target.text),)))


def _approximate(value: ParsedValue, rules: Rules) -> bool:
    """An actual read as `=` from a word (约5万元, 5万元左右): an approximate figure, not an operator."""
    return value.operator == "=" and bool(value.aliases) and all(
        a.found in rules.vocabulary._word_tokens for a in value.aliases)


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
            over = reported > computed
            add(SCORE_DEVIATION if over else SCORE_UNDER,
                f"{'over' if over else 'under'}-scored: {category} band is [{d(low)}, {d(high)}], "
                f"reported {d(reported)}, clamped to {d(computed)}",
                reported=reported, computed=computed, low=low, high=high, points=reported - computed)
    elif abs(computed - reported) > rules.spec.tolerance.score:
        target, actual = outcome.key.target, outcome.key.actual
        over = reported > computed
        add(SCORE_DEVIATION if over else SCORE_UNDER,
            f"{'over' if over else 'under'}-scored: reported {d(reported)} but {outcome.method} scoring gives "
            f"{d(computed)} (target {target}, actual {actual}, weight {d(weight)})",
            reported=reported, computed=computed, target=target, actual=actual, weight=weight,
            points=reported - computed)
