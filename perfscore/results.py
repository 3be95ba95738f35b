"""Result models: what the scorer returns for a form and what every writer (table, JSON, reports) reads.

Built without validation on the hot path (`perfscore.construct`: the scorer's inputs are already
validated), so these models describe the output and give the JSON Schema, without re-validating every
indicator.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from perfscore.model import FormKind, SourceRef

Severity = Literal["error", "warning", "info"]


SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class TraceStep(BaseModel):
    """One rule that fired: which rule, what it read, the formula and what it gave (``--explain``)."""

    rule: str = Field(description="rule path in the rule set, e.g. scoring.methods.positive")
    cite: str | None = Field(None, description="document the rule comes from")
    inputs: dict[str, str] = Field(default_factory=dict)
    formula: str | None = None
    result: str | None = None
    note: str | None = None


class Finding(BaseModel):
    code: str = Field(description="stable finding code; `perfscore explain CODE` documents it")
    severity: Severity
    message: str
    form: str | None = Field(None, description="form name")
    indicator: str | None = Field(None, description="三级指标 or funding row the finding is about")
    location: SourceRef | None = None
    numbers: dict[str, str] = Field(default_factory=dict, description="the numbers behind the finding")


class IndicatorResult(BaseModel):
    index: int = Field(description="1-based position in the form")
    level1: str | None = None
    level2: str | None = None
    level3: str
    target: str | None = None
    actual: str | None = None
    weight: Decimal | None = None
    reported_score: Decimal | None = None
    computed_score: Decimal | None = None
    method: str = Field(description="positive | reverse | equal | range | qualitative | unscorable | …")
    band: tuple[Decimal, Decimal] | None = Field(None, description="allowed score range for qualitative")
    explanation: str = ""
    trace: list[TraceStep] = Field(default_factory=list)
    source: SourceRef | None = None


class FundingRowResult(BaseModel):
    label: str
    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    execution_rate: Decimal | None = Field(None, description="computed 执行率 in percent")
    reported_rate: Decimal | None = None
    weight: Decimal | None = None
    reported_score: Decimal | None = None
    computed_score: Decimal | None = None


class FundingResult(BaseModel):
    """Funding block: the scored amounts (万元 as printed), computed rate and score."""

    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    execution_rate: Decimal | None = Field(None, description="computed 执行率 (B/A) in percent")
    reported_rate: Decimal | None = Field(None, description="执行率 as printed, in percent")
    weight: Decimal | None = None
    reported_score: Decimal | None = None
    computed_score: Decimal | None = None
    basis: str | None = Field(None, description="which row(s) the amounts come from")
    explanation: str = ""
    rows: list[FundingRowResult] = Field(default_factory=list)
    trace: list[TraceStep] = Field(default_factory=list)


class FormResult(BaseModel):
    name: str
    kind: FormKind
    unit: str | None = None
    year: int | None = None
    source: SourceRef | None = None
    rules: str = Field(description="name of the rule set used")
    funding: FundingResult | None = None
    indicators: list[IndicatorResult] = Field(default_factory=list)
    reported_total: Decimal | None = None
    computed_total: Decimal | None = None
    reported_grade: str | None = None
    computed_grade: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    trace: list[TraceStep] = Field(default_factory=list, description="rules applied to the total")


class FileError(BaseModel):
    file: str
    message: str


class Summary(BaseModel):
    forms: int = 0
    files: int = 0
    unreadable: list[FileError] = Field(default_factory=list)
    skipped: list[FileError] = Field(default_factory=list,
                                     description="files in the folders given that were not read, and why")
    reported_grades: dict[str, int] = Field(default_factory=dict)
    computed_grades: dict[str, int] = Field(default_factory=dict)
    grade_changes: int = 0
    findings_by_code: dict[str, int] = Field(default_factory=dict)
    findings_by_severity: dict[str, int] = Field(default_factory=dict)


class Report(BaseModel):
    """What `perfscore score --format json` prints."""

    forms: list[FormResult] = Field(default_factory=list)
    document_findings: list[Finding] = Field(default_factory=list,
                                             description="findings about a document, e.g. narrative counts")
    summary: Summary = Field(default_factory=Summary)
