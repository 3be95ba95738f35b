"""The compiled rule set, `Rules`: the validated `RuleSet` plus everything worked out from it once.

Formulas compiled (`perfscore.rules.formulas`), the vocabulary with the rule set's additions, the rounding
quantum, grade and qualitative bands in order, the 一级 label lookup, the finding selection
(`perfscore.selection`) and the indicator library. The scorer and the audit only read `Rules`; nothing is
parsed again per form. Rules are never changed once built (the memos of `perfscore.scoring` and
`perfscore.audit` are kept per `Rules` object).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from perfscore.caches import BoundedCache
from perfscore.data import indicators_dir
from perfscore.errors import RulesError
from perfscore.labels import compact
from perfscore.rules.files import within
from perfscore.rules.formulas import CONDITION, NUMBER, Formula, FormulaError
from perfscore.rules.schema import Band, RuleSet
from perfscore.selection import Selection

if TYPE_CHECKING:
    from perfscore.library import Library
    from perfscore.results import Severity

__all__ = ["CAP_NAMES", "DEDUCT_NAMES", "FUNDING_NAMES", "FUNDING_RATE_NAMES", "INDICATOR_NAMES", "CompiledAdjustment",
           "MethodFormulas", "Rules"]

INDICATOR_NAMES = frozenset({"actual", "target", "weight"})
FUNDING_RATE_NAMES = frozenset({"executed", "annual_budget", "initial_budget", "weight"})
FUNDING_NAMES = frozenset({"rate", "executed", "annual_budget", "initial_budget", "weight"})
DEDUCT_NAMES = frozenset({"actual", "target", "weight", "score", "ratio", "direction"})
CAP_NAMES = frozenset({"total", "rate", "funding_score", "weight_sum"})

ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
LEVEL1_CACHE_LIMIT = 10_000  # distinct 一级 labels remembered; a real batch has a few dozen
_SERIALS = itertools.count(1)



@dataclass(frozen=True)
class MethodFormulas:
    name: str
    operators: tuple[str, ...]
    formula: Formula
    zero_target: Formula
    cite: str | None
    direction: int = 1  # −1 when it scores a ceiling (≤ <): the side a signed value falls short on


@dataclass(frozen=True)
class CompiledAdjustment:
    name: str
    kind: str
    when: Formula
    value: Formula
    cite: str | None


class Rules:
    """A rule set ready to score with: the resolved model plus everything compiled from it."""

    def __init__(self, spec: RuleSet, origin: str | None = None):
        from perfscore.values import default_vocabulary

        self.spec = spec
        self.name = spec.name
        self.origin = origin
        # a number no other rule set of this process has (an id can be reused once an object is gone): what a
        # cache made of numbers and text only names its rule set by (`Outcome.audit_memo`)
        self.serial = next(_SERIALS)
        self.quantum = Decimal(1).scaleb(-spec.rounding.places)
        self.rounding_mode = ROUNDING_MODES[spec.rounding.mode]
        problems: list[str] = []

        def compile_formula(source: str, names: frozenset[str], where: str, result: str = NUMBER) -> Formula:
            try:
                return Formula(source, names, result)
            except FormulaError as exc:
                problems.append(f"{where}: {exc}")
                return Formula("0", frozenset())

        self.funding_rate = compile_formula(spec.funding.rate, FUNDING_RATE_NAMES, "funding.rate")
        self.funding_formula = compile_formula(spec.funding.formula, FUNDING_NAMES, "funding.formula")
        self.methods: dict[str, MethodFormulas] = {}
        self.method_by_operator: dict[str, MethodFormulas] = {}
        for name, method in spec.scoring.methods.items():
            compiled = MethodFormulas(
                name, tuple(method.operators),
                compile_formula(method.formula, INDICATOR_NAMES, f"scoring.methods.{name}.formula"),
                compile_formula(method.zero_target, INDICATOR_NAMES, f"scoring.methods.{name}.zero_target"),
                method.cite, -1 if any(op in ("<=", "<") for op in method.operators) else 1)
            self.methods[name] = compiled
            for op in method.operators:
                self.method_by_operator[op] = compiled
        self.plain_method = self.methods.get(spec.scoring.plain)
        self.signed_shortfall = compile_formula(spec.scoring.signed_shortfall, INDICATOR_NAMES,
                                                "scoring.signed_shortfall")
        self.adjustments = [
            CompiledAdjustment(
                adj.name, adj.kind,
                compile_formula(adj.when, DEDUCT_NAMES if adj.kind == "deduct_indicator" else CAP_NAMES,
                                f"adjustments[{i}].when", CONDITION),
                compile_formula(adj.value, DEDUCT_NAMES if adj.kind == "deduct_indicator" else CAP_NAMES,
                                f"adjustments[{i}].value"),
                adj.cite)
            for i, adj in enumerate(spec.adjustments)]
        self.deductions = [a for a in self.adjustments if a.kind == "deduct_indicator"]
        self.caps = [a for a in self.adjustments if a.kind == "cap_total"]
        if problems:
            raise RulesError([f"{origin or spec.name}: {p}" for p in problems])
        self.bands = sorted(spec.qualitative.bands.items(), key=lambda kv: kv[1].low, reverse=True)
        self.qualitative_bands: dict[str, Band] = {str(name): band for name, band in spec.qualitative.bands.items()}
        self.top_band = self.bands[0][0] if self.bands else None
        self.grade_bands = sorted(spec.grades.bands, key=lambda b: b.min, reverse=True)
        self.level1_lookup: dict[str, str] = {}
        for group, variants in spec.level1.aliases.items():
            for variant in variants:
                self.level1_lookup[compact(variant)] = group
        for group in spec.level1.weights:
            self.level1_lookup[compact(group)] = group
        self._level1_cache: BoundedCache[str, str | None] = BoundedCache(LEVEL1_CACHE_LIMIT)
        self.vocabulary = default_vocabulary().extended(spec.vocabulary) if spec.vocabulary else default_vocabulary()
        self.selection = Selection.of(spec.findings.select, spec.findings.ignore, spec.findings.severity)
        # (code, severity or None for the catalogue's) → the severity the selection keeps it at, or None:
        # filled by the audit as codes come up (a few dozen entries)
        self.final_severities: dict[tuple[str, Severity | None], Severity | None] = {}
        self.documents = {doc.id: doc for doc in spec.documents}
        self.library = _library(spec.library, origin)
        self.checked_operators = self.library.checked_operators()
        self.kinds_by_name = {kind.name: kind for kind in reversed(self.library.kinds)}  # the first of a name
        # kind name → the method `=` is scored by on that kind (cost: `=` is a ceiling, scored as ≤)
        self.equal_by_kind: dict[str, MethodFormulas] = {}
        if spec.scoring.equal_by_kind:
            for kind in self.library.kinds:
                by = self.method_by_operator.get(kind.equal_as) if kind.equal_as else None
                if by is not None and kind.name not in self.equal_by_kind:
                    self.equal_by_kind[kind.name] = by

    def round(self, value: Decimal) -> Decimal:
        """`value` to the rule set's places. A value too long for the context's precision (a rate of 1e30 %
        from a budget of 0.000…1) cannot be quantized: it is given back as it is, never an exception."""
        try:
            return value.quantize(self.quantum, rounding=self.rounding_mode)
        except ArithmeticError:
            return value

    def grade(self, total: Decimal | None) -> str | None:
        if total is None:
            return None
        for band in self.grade_bands:
            if total >= band.min:
                return band.grade
        return None

    def level1_group(self, label: str | None) -> str | None:
        if not label:
            return None
        try:
            return self._level1_cache[label]
        except KeyError:
            return self._level1_cache.put(label, self.level1_lookup.get(compact(label)))

    def cite(self, doc_id: str | None) -> str | None:
        if doc_id is None:
            return None
        doc = self.documents.get(doc_id)
        return f"{doc.id}: {doc.title}" if doc else doc_id


def _library(name: str | None, origin: str | None) -> Library:
    from perfscore.library import Library, load_library

    if not name:
        return Library()
    candidates = [(indicators_dir() / f"{name}.yaml", indicators_dir())]
    if origin:  # a library in the rule file's folder (or below) first; never a file from elsewhere
        folder = Path(origin).parent
        candidates.insert(0, (folder / (name if name.endswith(".yaml") else f"{name}.yaml"), folder))
    for path, folder in candidates:
        if within(path, folder) and path.is_file():
            return load_library(str(path.resolve()))
    raise RulesError([f"{origin or name}: library: no indicator library {name!r}"])
