"""The rule-set language as pydantic models: the one description of a rule file and its JSON Schema.

(`perfscore.rules.schema`; `perfscore.rules.model` is its former name.)

Every rule carries ``cite``: the id of a document in ``documents`` it comes from, so a rule set reads
as law written as data. Formulas are strings in the simpleeval expression language, compiled by
``perfscore.rules.formulas`` once when the rule set loads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Adjustment", "Band", "Citation", "Cited", "FindingsConfig", "Funding", "FundingRowRule", "GradeBand",
           "Grades", "Level1", "Method", "Num", "Qualitative", "QualitativeCategory", "Reasons", "Rounding", "RuleSet",
           "Scoring", "Severity", "Tolerance", "YearRange"]

Severity = Literal["error", "warning", "info"]
# Numbers in rule files are untrusted: finite and of a sane size, whatever YAML type they arrive as.
Num = Annotated[Decimal, Field(ge=Decimal("-1e12"), le=Decimal("1e12"), allow_inf_nan=False)]
QualitativeCategory = Literal["achieved", "partial", "not_achieved"]
FormKindName = Literal["project", "department", "target_report"]
Arithmetic = Literal["printed_rate", "rounded_rate", "truncated"]  # funding 得分 worked out otherwise, accepted


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cited(_Rule):
    cite: str | None = Field(None, description="id of the document (in `documents`) this rule comes from")
    cites: dict[str, str] = Field(default_factory=dict, description=(
        "key → document id, for a key of this block that comes from another document than `cite`"))

    def cite_of(self, key: str) -> str | None:
        """The document `key` of this block comes from: its own entry in `cites`, else the block's."""
        return self.cites.get(key, self.cite)


class Citation(_Rule):
    id: str
    title: str
    issuer: str | None = None
    url: str | None = None
    note: str | None = None


class YearRange(_Rule):
    start: int | None = Field(None, alias="from")
    end: int | None = Field(None, alias="to")


class Rounding(Cited):
    places: int = Field(2, ge=0, le=6, description="decimal places of every indicator score and sum")
    mode: Literal["half_up", "half_even", "down", "up"] = "half_up"


class Tolerance(Cited):
    """Reported-vs-recomputed differences up to these are not findings (forms print 0–2 decimals)."""

    score: Num = Field(Decimal("0.05"), ge=0)
    total: Num = Field(Decimal("0.05"), ge=0)
    rate: Num = Field(Decimal("0.01"), ge=0, description="percentage points")
    funding: Num = Field(Decimal("0.005"), ge=0, description="funding score: printed with 2 decimals")
    weight: Num = Field(Decimal("0.01"), ge=0)


class Level1(Cited):
    """Weights of the level-1 groups and the names each group is printed under."""

    weights: dict[str, Num] = Field(default_factory=dict)
    aliases: dict[str, list[str]] = Field(default_factory=dict,
                                          description="group name → other spellings found on forms")
    total: Num = Field(Decimal(100), description="weights incl. funding must add up to this")
    above_total: Literal["report", "cap", "rescale"] = Field(
        "report", description="a computed total above `total` (weights adding up to more): report it only "
                              "(the weights-sum finding), cap it at `total`, or rescale it to `total`")
    kinds: list[FormKindName] = Field(
        default_factory=lambda: list[FormKindName](["project"]),
        description="form kinds whose level-1 weights are checked")


class FundingRowRule(_Rule):
    match: list[str] = Field(description="row labels scored by this rule; `total` is the 资金总额 row")
    weight: Num
    label: str | None = None


class Funding(Cited):
    rate: str = Field("executed / annual_budget", description="formula for the execution rate (fraction)")
    formula: str = Field("min(rate, 1) * weight", description="formula for a funding row's score")
    rows: list[FundingRowRule] = Field(default_factory=lambda: [FundingRowRule(match=["total"], weight=Decimal(10))])
    use_breakdown_when_total_blank: bool = Field(
        True, description="score the 其中 rows when the 资金总额 row is 0 or blank")
    budget_change_share: Num | None = Field(
        Decimal("0.2"), ge=0, description="warn when 全年预算数 differs from 年初预算数 by more than this share")
    fallback: Literal["initial_budget", "none"] = Field(
        "initial_budget", description="a row with no 全年预算数 is rated on its 年初预算数 (with the "
                                      "funding-fallback finding), or left unscored (funding-unscored)")
    accepted_arithmetic: list[Arithmetic] = Field(
        default_factory=lambda: list[Arithmetic](["printed_rate", "rounded_rate", "truncated"]),
        description="other ways of working out the funding 得分 that are accepted (an info finding naming "
                    "the one used) instead of a funding-score-mismatch error")


class Method(Cited):
    operators: list[str] = Field(description="canonical operators scored by this method (>=, >, <=, <, =)")
    formula: str = Field(description="score when the target is not zero; names: actual, target, weight")
    zero_target: str = Field(description="score when the target is zero")


class Scoring(Cited):
    methods: dict[str, Method] = Field(default_factory=dict)
    plain: str = Field("equal", description="method for a number printed without an operator")
    negative_actual_as_zero: bool = Field(
        False, description="older behaviour: a negative actual counts as 0 (wrong for 增长率/下降率)")
    signed_shortfall: str = Field(
        "max(1 - abs(actual - target) / abs(target), 0) * weight",
        description="score of a target or actual below 0 that falls short in its method's direction "
                    "(one on the right side scores the weight); names: actual, target, weight")
    equal_by_kind: bool = Field(
        True, description="`=` on an indicator whose library kind says what `=` means (cost: ≤) is scored "
                          "by that operator's method")
    cap_at_weight: bool = True


class Band(_Rule):
    low: Num = Field(ge=0, le=1, description="lower edge as a fraction of the weight (inclusive)")
    high: Num = Field(ge=0, le=1, description="upper edge as a fraction of the weight (inclusive)")
    point: Num = Field(ge=0, le=1, description="point chosen when no reported score is usable")


class Qualitative(Cited):
    bands: dict[QualitativeCategory, Band] = Field(default_factory=dict)
    keep_reported_in_band: bool = Field(True, description="keep the hand score when it lies in the band")


class GradeBand(_Rule):
    grade: str
    min: Num


class Grades(Cited):
    bands: list[GradeBand] = Field(default_factory=list, description="highest first; the first whose min ≤ total")


class Reasons(Cited):
    """When 偏差原因分析 must be filled."""

    shortfall: bool = Field(True, description="a score below the weight needs a reason")
    over_achievement: Num | None = Field(
        Decimal("1.3"), description="actual/target ratio from which an over-achievement needs a reason")
    low_execution: Num | None = Field(
        None, ge=0, le=1, description="execution rate (a fraction) below which the funding row needs a reason")


class FindingsConfig(_Rule):
    select: list[str] = Field(default_factory=list, description="only these codes (empty: all)")
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict, description="code → severity override")


class Adjustment(Cited):
    """A post-total rule: a deduction per indicator or a cap on the total."""

    name: str
    kind: Literal["deduct_indicator", "cap_total"]
    when: str = Field(description="boolean formula. deduct_indicator sees actual, target, weight, score, "
                                  "ratio (actual/target), direction (1 for ≥ > =, −1 for ≤ <); cap_total sees "
                                  "total, rate (execution rate as a fraction), funding_score, weight_sum")
    value: str = Field(description="points to deduct, or the cap on the total")


class RuleSet(_Rule):
    name: str
    title: str | None = None
    region: str | None = None
    years: YearRange | None = None
    description: str | None = None
    documents: list[Citation] = Field(default_factory=list)
    extends: list[str] = Field(default_factory=list)
    rounding: Rounding = Field(default_factory=Rounding)
    tolerance: Tolerance = Field(default_factory=Tolerance)
    level1: Level1 = Field(default_factory=Level1)
    funding: Funding = Field(default_factory=Funding)
    scoring: Scoring = Field(default_factory=Scoring)
    qualitative: Qualitative = Field(default_factory=Qualitative)
    grades: Grades = Field(default_factory=Grades)
    reasons: Reasons = Field(default_factory=Reasons)
    findings: FindingsConfig = Field(default_factory=FindingsConfig)
    library: str | None = Field("library", description="indicator library (kinds and their directions)")
    adjustments: list[Adjustment] = Field(default_factory=list)
    vocabulary: dict = Field(default_factory=dict, description="additions to indicators/vocabulary.yaml")
