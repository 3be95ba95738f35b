"""Indicator checks: what each row's values say (memoised), and duplicate rows.

What one indicator says is memoised per rule set (`FINDINGS`, a `caches.Memo`) under `IndicatorFacts`, which
is all that check (`indicator_findings`) is given: a check that reads one more field must add it there, and
so to the key (``tests/test_caches.py`` shows a stale entry cannot be served). What depends on the form as
well is done per form: duplicates, a cost against the funding block (`rows.cost_findings`), operator aliases
and the written-as habits gathered over the form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, cast

from perfscore import catalogue
from perfscore.audit.rows import (
    COST_PROBE,
    CostProbe,
    Figures,
    Row,
    cost_findings,
    funding_figures,
    operator_aliases,
    row_checks,
)
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

__all__ = ["FINDINGS", "Draft", "IndicatorFacts", "RowDrafts", "check_indicators", "indicator_findings"]

MEMO_LIMIT = 20_000
# How a form's values are written (an actual with an operator, copied from the target, a word for a number)
# is a habit of the form, not of one row: reported once per form, with the rows it covers.
PER_FORM = frozenset({ACTUAL_OPERATOR, ACTUAL_COPIES_TARGET, QUALITATIVE_ACTUAL})


_COMPACT = CompactLabels()  # what duplicates are found by
# code, message, severity, numbers: a finding before it is placed on a form (memoised drafts hold no dict,
# nothing for the collector to track)
Draft = tuple[str, str, Severity, tuple[tuple[str, str], ...]]
Pending = tuple[str, str, Severity | None, tuple[tuple[str, str], ...]]  # a draft before its severity is settled
# A row's memoised findings: those about its values, then those reported after the form's other findings
# (the adjustment of its target, a cost probe for the form's funding figures, a target of 0 for its kind)
RowDrafts = tuple[tuple[Draft, ...], tuple[Draft | CostProbe, ...]]
NOTHING: RowDrafts = ((), ())


class IndicatorFacts(NamedTuple):
    """Everything `indicator_findings` reads about one indicator, and so the key its findings are memoised
    by (with the rule set, which owns the memo table). `outcome` stands for its values by identity (an
    outcome is built once per `OutcomeKey` and never changed); the rest is what can differ between forms
    with the same values."""

    outcome: Outcome
    computed: Decimal | None  # the result's score: the outcome's, unless a deduction changed it
    # the indicator kind's name, looked up where a kind can say something: a target whose operator some kind
    # does not expect (wrong-direction), or a numeric target of 0 or in 万元 (`Outcome.form_checks`)
    kind: str | None
    has_reason: bool  # a 偏差原因 is printed
    scored_form: bool  # a scored form, not a target report (绩效目标完成情况表)
    initial: str | None = None  # the 年初指标值, where an adjusted target (the one in force) differs from it


def _duplicates(results: list[IndicatorResult], rules: Rules) -> dict[int, tuple[Draft, ...]] | None:
    """A duplicate-indicator draft for the first of each (二级, 三级) pair that appears more than once,
    by the row's id; None when there are none (the common case, told by the 三级 labels alone)."""
    compact = _COMPACT.__getitem__
    level3 = list(map(compact, [r.level3 for r in results]))  # (map: no Python frame per label)
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
    """Per indicator: duplicates (which depend on the form) and what the row says (memoised under its
    `IndicatorFacts`), the written-as habits gathered into one finding per form, then the rows' later
    findings (an adjusted target, a cost against this form's funding figures) and operator aliases.
    Appends findings with the rule set's selection already applied."""
    duplicates = _duplicates(results, rules)
    scored_form = form.kind != "target_report"
    kind_of, checked, serial = rules.library.kind_of, rules.checked_operators, rules.serial
    name, form_location = form.name, form.source
    append = findings.append
    aliased: list[tuple[Indicator, Outcome]] = []
    later: list[tuple[IndicatorResult, tuple[Draft | CostProbe, ...]]] = []
    gathered: dict[str, tuple[Severity, list[str]]] = {}
    for r, ind, outcome in zip(results, form.indicators, outcomes, strict=True):
        if outcome.aliased:
            aliased.append((ind, outcome))
        kind = kind_of(r.level1, r.level2, r.level3) \
            if outcome.form_checks or outcome.numeric_operator in checked else None
        reason = ind.deviation_reason or ""
        adjusted = ind.adjusted_target
        # the rule set and the IndicatorFacts but the outcome, which holds what was found for them last
        facts = (serial, r.computed_score, None if kind is None else kind.name, bool(reason) and not reason.isspace(),
                 scored_form, ind.initial_target if adjusted and adjusted != ind.initial_target else None)
        memo = outcome.audit_memo
        row: RowDrafts = memo[1] if memo is not None and memo[0] == facts else \
            _row_drafts(outcome, facts, rules)  # type: ignore[assignment]
        drafts = duplicates.get(id(r), ()) if duplicates else ()
        if row is NOTHING and not drafts:
            continue
        own, late = row
        if late:
            later.append((r, late))
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
        count = len(rows)
        append(make_finding(code=code, severity=severity, message="".join(
            (str(count), " rows: " if count > 1 else " row: ", "; ".join(rows))), form=name, indicator=None,
            location=form_location, numbers={"rows": str(count)}))
    if later:  # what a row says beside its values, and a cost against this form's funding block
        figures: Figures | None = None
        unread = True  # the funding figures are read once, and only for a cost row
        for r, items in later:
            for item in items:
                if item[0] is COST_PROBE:
                    if unread:
                        figures, unread = funding_figures(form), False
                    found = list(cost_findings(cast(CostProbe, item), figures))
                    if not found:  # (nearly every cost row)
                        continue
                    drafts = _configured([(code, message, None, numbers) for code, message, numbers in found], rules)
                else:
                    drafts = (cast(Draft, item),)
                for code, message, severity, numbers in drafts:
                    append(make_finding(code=code, severity=severity, message=message, form=name,
                                        indicator=r.level3, location=r.source or form_location,
                                        numbers=dict(numbers)))
    if aliased:  # one finding per form and alias, naming the cells (not one per cell)
        for code, message, numbers in operator_aliases(aliased):
            for code_, message_, severity, numbers_ in _configured([(code, message, None, numbers)], rules):
                append(make_finding(code=code_, severity=severity, message=message_, form=name, indicator=None,
                                    location=form_location, numbers=dict(numbers_)))


def _row_drafts(outcome: Outcome, facts: tuple[object, ...], rules: Rules) -> RowDrafts:
    """`indicator_findings` for the outcome and the rest of its facts (`facts`: the rule set's serial, then the
    `IndicatorFacts` after the outcome). The first facts an outcome is seen with, nearly always the only ones,
    keep their findings on the outcome (`Outcome.audit_memo`); others go to the `FINDINGS` memo."""
    key = IndicatorFacts(outcome, *facts[1:])  # type: ignore[arg-type]
    if outcome.audit_memo is None:
        row = indicator_findings(key, rules)
        outcome.audit_memo = (facts, row)
        return row
    return FINDINGS(key, rules)


def _configured(drafts: Iterable[tuple[str, str, Severity | None, tuple[tuple[str, str], ...]]],
                rules: Rules) -> tuple[Draft, ...]:
    """Drafts as `apply_config` would leave them: selected, and with their final severity."""
    out: list[Draft] = []
    final_of = rules.final_severities
    for code, message, severity, numbers in drafts:
        final = final_of.get((code, severity), _MISSING)
        if final is _MISSING:
            final = final_of[code, severity] = _final_severity(code, severity, rules)
        if final is not None:
            out.append((code, message, final, numbers))  # type: ignore[arg-type]
    return tuple(out)


_MISSING = object()


def _final_severity(code: str, severity: Severity | None, rules: Rules) -> Severity | None:
    """The severity a draft of `code` (at `severity`, or the catalogue's when None) is kept at under the rule
    set's selection; None when it is dropped. What `Rules.final_severities` remembers."""
    if severity is None:
        spec = catalogue.get(code)
        severity = spec.severity if spec else "info"
    selection = rules.selection
    return selection.verdict(code, severity) if selection.active else severity


def indicator_findings(facts: IndicatorFacts, rules: Rules) -> RowDrafts:
    """What one indicator says, whatever form it stands on, so it is memoised by `FINDINGS`: the same values
    on ten thousand forms are checked once. Reads `facts` and `rules` only. Its values' findings first; then
    what its 年初 target and its kind say (`rows.row_checks`), reported after the form's other findings."""
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
    own = _configured(out, rules) if out else ()
    late: list[Draft | CostProbe] = []
    if facts.initial is not None or (kind is not None and outcome.form_checks):
        for item in row_checks(outcome, facts.initial, kind, rules):
            if item[0] is COST_PROBE:
                late.append(cast(CostProbe, item))
            else:
                code, message, row_numbers = cast(Row, item)
                late.extend(_configured([(code, message, None, row_numbers)], rules))
    return (own, tuple(late)) if own or late else NOTHING


FINDINGS: Memo[IndicatorFacts, Rules, RowDrafts] = Memo(indicator_findings, MEMO_LIMIT)


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
        key = outcome.key
        target, actual = key.target, key.actual
        over = reported > computed
        add(SCORE_DEVIATION if over else SCORE_UNDER,
            f"{'over' if over else 'under'}-scored: reported {d(reported)} but {outcome.method} scoring gives "
            f"{d(computed)} (target {target}, actual {actual}, weight {d(weight)})",
            reported=reported, computed=computed, target=target, actual=actual, weight=weight,
            points=reported - computed)
