"""Indicators: each row's score from its printed values, memoised by those values per rule set.

An indicator's outcome depends only on its `OutcomeKey` (target, actual, weight, reported score, unit as
printed), which repeat across a province's forms: `OUTCOMES` remembers it per rule set (`caches.Memo`,
keyed by exactly that key; the function it memoises, `outcome`, is given nothing else). With --explain
the outcome is worked out afresh by the same function, given a list to record its trace in, and not memoised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from perfscore.caches import BoundedCache, Memo
from perfscore.construct import maker
from perfscore.decimals import printed
from perfscore.labels import compact
from perfscore.model import Indicator
from perfscore.results import IndicatorResult, TraceStep
from perfscore.rules import Rules
from perfscore.scored import IndicatorSums, Outcome, OutcomeKey
from perfscore.scoring import quantities
from perfscore.scoring.methods import score_by_method
from perfscore.values import ParsedValue, Vocabulary

__all__ = ["OUTCOMES", "Scored", "band_spread", "outcome", "score_indicator", "score_indicators", "scored_sum"]

ZERO = Decimal(0)
MEMO_LIMIT = 20_000


@dataclass(slots=True)
class Scored:
    """One indicator's result and the outcome behind it (the parsed values the audit needs)."""

    result: IndicatorResult
    indicator: Indicator
    outcome: Outcome


def score_indicator(ind: Indicator, index: int, rules: Rules, explain: bool = False) -> Scored:
    """Score one indicator on its own (what `score` does for each row of a form)."""
    results, outcomes, _ = score_indicators([ind], index, rules, explain)
    return Scored(results[0], ind, outcomes[0])


_indicator_result = maker(IndicatorResult)


def scored_sum(results: list[IndicatorResult]) -> Decimal | None:
    parts = [r.computed_score if r.computed_score is not None else r.reported_score for r in results]
    present = [p for p in parts if p is not None]
    return sum(present, ZERO) if present else None


def band_spread(results: list[IndicatorResult]) -> tuple[Decimal, Decimal]:
    """Σ (band low − computed) and Σ (band high − computed) over the rows whose score was chosen inside
    their qualitative band (computed ≠ reported): `IndicatorSums.band_low`/`band_high`, as the scoring
    loop adds them up (after deductions, `score` adds them up again with this)."""
    low = high = ZERO
    for r in results:
        if r.band is not None and r.computed_score is not None and r.computed_score != r.reported_score:
            low += r.band[0] - r.computed_score
            high += r.band[1] - r.computed_score
    return low, high


def key_of(ind: Indicator) -> OutcomeKey:
    """The values of `ind` its outcome depends on."""
    weight, reported = ind.weight, ind.score
    return OutcomeKey(ind.adjusted_target or ind.initial_target, ind.actual,
                      None if weight is None else str(weight), None if reported is None else str(reported),
                      ind.measure_unit, None)


def score_indicators(indicators: list[Indicator], first_index: int, rules: Rules,
                     explain: bool) -> tuple[list[IndicatorResult], list[Outcome], IndicatorSums]:
    """Each indicator's result and outcome, and their sums. The hottest loop of a batch: kept flat on purpose
    (`key_of` inlined)."""
    table = OUTCOMES.table(rules)
    # looked up by a plain tuple of the key's fields (equal to the OutcomeKey, hashed alike, a fifth of the
    # cost to build); an OutcomeKey is made only on a miss, for `outcome` to read by name
    lookup: Callable[[tuple[str | None, ...]], Outcome | None] = table.get  # type: ignore[assignment]
    make, new_key = table.make, tuple.__new__
    equal_by_kind, kind_of = rules.equal_by_kind, rules.library.kind_of
    results: list[IndicatorResult] = []
    outcomes: list[Outcome] = []
    index = first_index
    scored = printed_sum = weights = band_low = band_high = ZERO
    any_scored = any_printed = any_weight = False
    by_label: dict[str | None, Decimal] = {}
    for ind in indicators:
        target = ind.adjusted_target or ind.initial_target  # Indicator.target, without the property call
        weight, reported = ind.weight, ind.score
        key: tuple[str | None, ...] = (target, ind.actual, None if weight is None else str(weight),
                                       None if reported is None else str(reported), ind.measure_unit, None)
        if explain:
            found = outcome(OutcomeKey._make(key), rules, trace=[])
        else:
            found = lookup(key) or make(new_key(OutcomeKey, key))
        if found.by_kind and equal_by_kind:  # `=`: the kind may say it is a ceiling (a cost)
            kind = kind_of(ind.level1, ind.level2, ind.level3)
            if kind is not None and kind.name in equal_by_kind:
                key = (*key[:5], kind.name)
                found = outcome(OutcomeKey._make(key), rules, trace=[]) if explain else \
                    lookup(key) or make(new_key(OutcomeKey, key))
        outcomes.append(found)
        computed = found.computed
        band = found.band
        results.append(_indicator_result(
            index=index, level1=ind.level1, level2=ind.level2, level3=ind.level3,
            target=target, actual=ind.actual, weight=weight, reported_score=reported,
            computed_score=computed, method=found.method,
            band=band, explanation=found.why, trace=list(found.trace) if explain else [],
            source=ind.source))
        index += 1
        if band is not None and computed is not None and computed != reported:  # `band_spread`, inlined
            band_low += band[0] - computed
            band_high += band[1] - computed
        if reported is not None:
            printed_sum += reported
            any_printed = True
        part = computed if computed is not None else reported  # an unscorable row keeps its own score
        if part is not None:
            scored += part
            any_scored = True
        if weight is not None:
            weights += weight
            any_weight = True
            label = ind.level1
            by_label[label] = by_label[label] + weight if label in by_label else weight
    sums = IndicatorSums(scored if any_scored else None, printed_sum if any_printed else None,
                         weights if any_weight else None, by_label, band_low, band_high)
    return results, outcomes, sums


def outcome(key: OutcomeKey, rules: Rules, *, trace: list[TraceStep] | None = None) -> Outcome:
    """What the values in `key` give under `rules`: the function `OUTCOMES` memoises (called with the key and
    the rule set only). With a `trace` list (--explain, never memoised) each rule that fires is recorded."""
    explain = trace is not None
    if trace is None:
        trace = []
    vocab = rules.vocabulary
    target, actual = vocab.parse(key.target), vocab.parse(key.actual)
    if key.unit:  # a separate 度量单位 column (四川): a bare number takes that unit
        target, actual = _with_unit(vocab, target, key.unit), _with_unit(vocab, actual, key.unit)
    weight = _decimal(key.weight)
    reported = _decimal(key.reported)
    computed: Decimal | None = None
    band: tuple[Decimal, Decimal] | None = None
    category: str | None = None
    issue: str | None = None
    by_kind = False
    if weight is None:
        method, why = "unscorable", "no weight (分值) printed"
    elif actual.kind == "qualitative" and actual.category in rules.spec.qualitative.bands:
        category = actual.category
        method = "qualitative"
        computed, band, why = _band_score(category, weight, reported, rules, trace, explain)
    elif target.kind == "missing":
        method, why = "unscorable", "no target (指标值) printed"
    elif actual.kind == "missing":
        method, why = "unscorable", "no actual (实际完成值) printed"
    elif target.is_number and actual.is_number:
        target, actual, assumed = quantities.align_multiplier(vocab, target, actual)
        question = quantities.unit_question(target, actual)
        if question is not None:
            method, why, issue = "unscorable", question, "unit-question"
        elif not vocab.comparable(target, actual):
            method, why = "unscorable", f"units do not compare: {target.unit} vs {actual.unit}"
        else:
            method, computed, why = _formula_score(target, actual, weight, rules, trace, explain, key.kind)
            by_kind = key.kind is None and target.operator in ("=", None)  # `=` and a plain number
            if assumed:
                why += f" ({assumed})"
    elif target.kind == "range" and (actual.is_number or actual.kind == "range"):
        method, computed, why = quantities.range_score(target, actual, weight, rules, trace, explain)
    elif (when := quantities.dates_of(target, actual)) is not None:
        method, computed, why = quantities.date_score(when, target, actual, weight, rules, trace, explain)
    elif (target.kind in ("qualitative", "range") and actual.kind in ("qualitative", "range")
          and _same(target.text, actual.text)):
        category = rules.top_band
        method = "qualitative"
        if category is None:
            method, why = "unscorable", "no qualitative bands in the rule set"
        else:
            computed, band, why = _band_score(category, weight, reported, rules, trace, explain)
            why = f"actual restates the target ({actual.text}); " + why
    elif target.kind == "unparsed" or actual.kind == "unparsed":
        bad = target if target.kind == "unparsed" else actual
        method, why = "unscorable", f"cannot read {bad.text!r}: {bad.reason}"
    else:
        method, why = "unscorable", f"{target.kind} target {target.text!r} with {actual.kind} actual {actual.text!r}"
    if method == "unscorable":
        why += "; reported score kept"
    number = target.base_number
    return Outcome(tuple(key), weight, reported, target, actual, method, computed, band, why, category, tuple(trace),
                   target.operator if target.is_number else None, by_kind, issue,
                   bool(target.aliases or actual.aliases),
                   number is not None and (number == 0 or target.base_unit == "万元"))


OUTCOMES: Memo[OutcomeKey, Rules, Outcome] = Memo(outcome, MEMO_LIMIT)
_DECIMALS: BoundedCache[str, Decimal] = BoundedCache(MEMO_LIMIT)  # a weight or score's text → its Decimal


def _decimal(text: str | None) -> Decimal | None:
    """``Decimal(text)``: the text of a printed weight or score back to the very number (``str`` of a Decimal
    gives it back exactly, exponent included); looked up, since the same few texts come back form after form."""
    if text is None:
        return None
    number = _DECIMALS.get(text)
    return _DECIMALS.put(text, Decimal(text)) if number is None else number


def _with_unit(vocab: Vocabulary, value: ParsedValue, unit: str) -> ParsedValue:
    if value.is_number and value.unit is None:
        joined = vocab.parse(value.text.strip() + unit.strip())
        if joined.is_number:
            return joined
    return value


def _same(a: str, b: str) -> bool:
    return compact(a) == compact(b)


def _band_score(category: str, weight: Decimal, reported: Decimal | None, rules: Rules,
                trace: list[TraceStep], explain: bool) -> tuple[Decimal, tuple[Decimal, Decimal], str]:
    spec = rules.spec.qualitative
    b = rules.qualitative_bands[category]  # an actual's category, or the rule set's top band
    low, high = rules.round(b.low * weight), rules.round(b.high * weight)
    # both edges inclusive, as 财预〔2020〕10号 states the bands (100–80 %(含), 80–60 %(含), 60–0 %): a score
    # on an edge is kept, whichever band the actual's words name
    inside = reported is not None and low <= reported <= high
    if inside and reported is not None and spec.keep_reported_in_band:  # (inside: a score was printed)
        computed = reported
        why = f"{category} band [{printed(low)}, {printed(high)}]: reported {printed(reported)} kept"
    elif reported is None:
        computed = rules.round(b.point * weight)
        why = f"{category} band: no reported score, point {printed(b.point)} × {printed(weight)} = {printed(computed)}"
    elif reported < low:
        computed, why = low, f"{category} band starts at {printed(low)}: reported {printed(reported)} raised"
    else:
        computed = min(high, weight)
        why = f"{category} band ends at {printed(high)}: reported {printed(reported)} lowered to {printed(computed)}"
    if explain:
        trace.append(TraceStep(rule=f"qualitative.bands.{category}", cite=rules.cite(spec.cite),
                               inputs={"weight": printed(weight), "reported": printed(reported)},
                               formula=f"[{printed(b.low)} × weight, {printed(b.high)} × weight]",
                               result=printed(computed),
                               note=why))
    return computed, (low, high), why


def _formula_score(target: ParsedValue, actual: ParsedValue, weight: Decimal, rules: Rules,
                   trace: list[TraceStep], explain: bool, kind: str | None = None) -> tuple[str, Decimal | None, str]:
    op = target.operator
    method = rules.method_by_operator.get(op) if op else rules.plain_method
    chosen = ""
    if kind is not None and op in ("=", None) and kind in rules.equal_by_kind:
        method = rules.equal_by_kind[kind]
        chosen = f"; {op or 'no operator'} on a {rules.kinds_by_name[kind].title} read as a {method.name} target " \
                 f"(library kind {kind}, scoring.equal_by_kind)"
    if method is None:
        return "unscorable", None, f"no scoring method for operator {op or '(none)'}"
    _, t = target.in_base()
    _, a = actual.in_base()
    assert t is not None and a is not None
    return score_by_method(method, t, a, weight, rules, trace, explain, label=op or "no operator", note=chosen)
