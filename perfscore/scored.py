"""What the scorer works out for a form: the result, and the facts behind it that the audit reads.

`perfscore.scoring.score` returns a `ScoredForm`; `perfscore.audit.audit` takes it. Both import these
types from here, so neither imports the other: scoring never calls the audit, the audit never calls the
scorer, and the pipeline (`perfscore.pipeline`) and the API compose them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from perfscore.parsed import ParsedValue
from perfscore.results import FormResult, TraceStep

__all__ = ["IndicatorSums", "Outcome", "OutcomeKey", "ScoredForm"]


class OutcomeKey(NamedTuple):
    """An indicator's values as printed: all that its outcome depends on under a rule set. Numbers by their
    text (hashing a Decimal costs several times more, and 5 and 5.0, equal Decimals, must stay apart so that
    a kept score is given back as printed)."""

    target: str | None  # 调整后指标值, else 年初指标值
    actual: str | None
    weight: str | None  # str(Decimal) as on the form; None when not printed
    reported: str | None
    unit: str | None  # a separate 度量单位 column
    kind: str | None = None  # the library kind, only where it changes the score (`=` on a cost)


@dataclass(slots=True, eq=False)
class Outcome:
    """What an indicator's values give under a rule set, whatever form they stand on. Built once per
    `OutcomeKey` (memoised by `perfscore.scoring`); its values never change: compared and hashed by identity,
    so an outcome stands for its key's values in the audit's memo key.

    A batch keeps tens of thousands of outcomes in its memos, and the cycle collector goes over every object
    it tracks each time it collects the oldest generation (and collects it sooner the more such objects
    there are): the key's fields are kept as a plain tuple (`printed`; the collector stops tracking a tuple
    of text, never a named tuple) and `key` builds the named tuple when asked."""

    printed: tuple[str | None, ...]  # the `OutcomeKey`'s fields, in order
    weight: Decimal | None
    reported: Decimal | None
    target: ParsedValue
    actual: ParsedValue
    method: str
    computed: Decimal | None
    band: tuple[Decimal, Decimal] | None
    why: str
    category: str | None
    trace: tuple[TraceStep, ...]  # empty unless --explain
    numeric_operator: str | None = None  # a numeric target's operator: what the direction check reads
    by_kind: bool = False  # scored as `=`: the indicator's kind may say what `=` means (scored again with it)
    issue: str | None = None  # a question the scorer cannot settle, for the audit to ask (unit-question)
    # what the audit's per-form checks look for, worked out once per outcome instead of on every row:
    aliased: bool = False  # an operator alias was read in the target or the actual (operator-alias)
    form_checks: bool = False  # a numeric target of 0 or in 万元: checked against the form (cost, absurd target)
    # Not a value: the audit's findings for this outcome with the facts it last saw it with, as (facts,
    # findings) (`perfscore.audit.indicators`), kept here so that they live and die with the outcome. One
    # attribute, set in one store, so that a thread never reads one set's facts with another's findings.
    audit_memo: tuple[object, object] | None = None

    @property
    def key(self) -> OutcomeKey:
        return OutcomeKey._make(self.printed)


class IndicatorSums(NamedTuple):
    """What the total and the audit's total and weight checks add up over a form's indicators: summed
    in the scoring loop, so no other pass over the rows is needed. None where nothing was printed."""

    scored: Decimal | None  # Σ computed scores, the reported one where none was computed
    printed: Decimal | None  # Σ reported scores
    weights: Decimal | None  # Σ weights
    by_label: dict[str | None, Decimal]  # Σ weights per printed 一级指标 label (three or four per form)
    # Σ (band edge − computed) over the qualitative rows whose score the scorer chose inside their band (clamped,
    # or none printed): how far the total moves with every such score at the bottom / top of its band
    band_low: Decimal = Decimal(0)
    band_high: Decimal = Decimal(0)


@dataclass(slots=True)
class ScoredForm:
    """A scored form: its result (``findings`` still empty: the audit fills them) and, row by row, the
    outcome behind each indicator's result, with the sums the total was made of."""

    result: FormResult
    outcomes: list[Outcome]
    sums: IndicatorSums
