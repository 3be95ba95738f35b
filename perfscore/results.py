"""Result types: what the pipeline produces for a form, a document and a run, and what every report reads.

- the models (`FormResult`, `IndicatorResult`, `FundingResult`, `Finding`, `Summary`, `Report`): built
  without validation on the hot path (`perfscore.construct`: the scorer's inputs are already
  validated), so they describe the output and give the JSON Schema, without re-validating every indicator;
- `DocumentResult` (a file's or a document's scored forms, or its error) and `Digest` (a worker's chunk,
  JSON already written), which `perfscore.pipeline` and `perfscore.parallel` produce;
- `SummaryBuilder`, the summary counted one form at a time, and `json_bytes`, a form result's JSON.

`perfscore.report` depends on this module only, never on the pipeline, the workers or the readers.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from perfscore.fileio import Spooled
from perfscore.model import Document, FormKind, SourceRef

__all__ = ["DEFAULT_THRESHOLD", "DELTA_BINS", "SEVERITY_RANK", "Digest", "DocumentResult", "FileError", "Finding",
           "FormChange",
           "FormResult", "FundingResult", "FundingRowResult", "IndicatorResult", "Report", "Severity", "Summary",
           "SummaryBuilder", "TraceStep", "UnitCounts", "delta_bin", "json_bytes"]

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
    budget: str | None = Field(None, description="the amount the rate is on when it is not the 全年预算数: "
                                                 "initial_budget (年初预算数, funding.fallback)")


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


DEFAULT_THRESHOLD = Decimal(1)
CHANGES_KEPT = 2_000  # the change list keeps the forms that moved most: a report lists no more than this
# the distribution of score changes: (label, upper bound) — a delta falls in the first bin whose bound exceeds it
DELTA_BINS: tuple[tuple[str, Decimal | None], ...] = (
    ("≤−10", Decimal(-10) + Decimal("1e-9")), ("−10…−5", Decimal(-5)), ("−5…−2", Decimal(-2)), ("−2…−1", Decimal(-1)),
    ("−1…0", Decimal(0)), ("0", Decimal("1e-9")), ("0…1", Decimal(1) + Decimal("1e-9")), ("1…2", Decimal(2)),
    ("2…5", Decimal(5)), ("5…10", Decimal(10)), ("≥10", None))


_BOUNDS = [bound for _, bound in DELTA_BINS if bound is not None]


def delta_bin(delta: Decimal) -> str:
    """The label of the first bin whose bound `delta` is below (the last bin has none): by bisection, since
    it runs for every form that moved."""
    return DELTA_BINS[bisect.bisect_right(_BOUNDS, delta)][0]


class FormChange(BaseModel):
    """A form whose grade changes under the rules, or whose total moves by more than the threshold: a
    line of the change list at the top of every report, most important first."""

    form: str
    file: str
    unit: str | None = Field(None, description="预算单位 (for a department form, the department)")
    reported_total: Decimal | None = None
    computed_total: Decimal | None = None
    delta: Decimal | None = Field(None, description="computed − reported total, in points")
    reported_grade: str | None = None
    computed_grade: str | None = None
    grade_change: bool = False
    errors: int = 0
    warnings: int = 0


class UnitCounts(BaseModel):
    """One 主管部门/预算单位's forms in the roll-up."""

    forms: int = 0
    grade_changes: int = 0
    moved: int = Field(0, description="forms whose total moves by more than the threshold")
    errors: int = 0
    warnings: int = 0


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
    threshold: Decimal = Field(DEFAULT_THRESHOLD, description="points a total must move to be listed in changes")
    changes: list[FormChange] = Field(default_factory=list, description="grade changes and totals moved by more "
                                      "than the threshold, grade changes first, then by the size of the move")
    by_unit: dict[str, UnitCounts] = Field(default_factory=dict, description="counts by 主管部门/预算单位, most "
                                           "grade changes first")
    delta_bins: dict[str, int] = Field(default_factory=dict, description="forms by how far the total moves "
                                       "(recomputed − reported, points), in DELTA_BINS order")


class Report(BaseModel):
    """What `perfscore score --format json` prints."""

    forms: list[FormResult] = Field(default_factory=list)
    document_findings: list[Finding] = Field(default_factory=list,
                                             description="findings about a document, e.g. narrative counts")
    summary: Summary = Field(default_factory=Summary)


# --- documents, chunks and the summary -------------------------------------------------------------


def json_bytes(result: FormResult) -> bytes:
    """`result.model_dump_json().encode()`, without the round trip through str."""
    return result.__pydantic_serializer__.to_json(result)


@dataclass
class DocumentResult:
    file: str
    forms: list[FormResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    document: Document | None = None


class SummaryBuilder:
    """Counts by grade and by finding, updated one form at a time.

    Plain counters until `build`: setting a field of the `Summary` model goes through pydantic's
    `__setattr__`, a few µs, which adds up at thousands of forms a second."""

    def __init__(self) -> None:
        self._forms = 0
        self._grade_changes = 0
        self._unreadable: list[FileError] = []
        self._files: set[str] = set()
        self._reported: Counter[str] = Counter()
        self._computed: Counter[str] = Counter()
        self._codes: Counter[str] = Counter()
        self._severities: Counter[str] = Counter()
        # the FormChange fields of the CHANGES_KEPT forms that moved most (grade changes first): a bounded heap,
        # so that memory stays flat however many forms are read; `_seq` breaks ties in reading order
        self._moved: list[tuple] = []
        self._seq = 0
        self._units: dict[str, list[int]] = {}  # unit → [forms, grade changes, errors, warnings]
        self._unit_deltas: dict[str, Counter[Decimal]] = {}  # unit → |Δ| → forms (Δ are at most 100, in 0.01s)
        self._bins: Counter[str] = Counter()
        self._unmoved = 0  # forms with both totals, equal

    def add_error(self, file: str, message: str) -> None:
        self._files.add(file)
        self._unreadable.append(FileError(file=file, message=message))

    def add_findings(self, findings: list[Finding]) -> tuple[list[str], list[Severity]]:
        """Count findings; their codes and severities, for the caller to look at. (Two `Counter.update`s of
        lists count in C: a third faster than a loop of `+= 1`.)"""
        codes = [f.code for f in findings]
        severities = [f.severity for f in findings]
        self._codes.update(codes)
        self._severities.update(severities)
        return codes, severities

    def add_form(self, result: FormResult, file: str) -> None:
        self._files.add(file)
        self._forms += 1
        rt, ct, rg, cg = result.reported_total, result.computed_total, result.reported_grade, result.computed_grade
        if rg:
            self._reported[rg] += 1
        if cg:
            self._computed[cg] += 1
        if result.findings:
            codes, severities = self.add_findings(result.findings)
            change = "grade-change" in codes
            errors, warnings = severities.count("error"), severities.count("warning")
        else:
            change, errors, warnings = False, 0, 0
        self._grade_changes += change
        change = change or bool(rg and cg and rg != cg)
        unit = result.unit or (result.name if result.kind == "department" else None) or "—"
        counts = self._units.get(unit)
        if counts is None:
            counts = self._units[unit] = [0, 0, 0, 0]
        counts[0] += 1
        counts[1] += change
        counts[2] += errors
        counts[3] += warnings
        delta = ct - rt if rt is not None and ct is not None else None
        self._unmoved += delta is not None and not delta
        if delta:
            self._bins[delta_bin(delta)] += 1
            deltas = self._unit_deltas.get(unit)
            if deltas is None:
                deltas = self._unit_deltas[unit] = Counter()
            deltas[abs(delta)] += 1
        if change or delta:
            self._keep((result.name, file, unit, rt, ct, delta, rg, cg, change, errors, warnings))

    def _keep(self, moved: tuple) -> None:
        self._seq += 1
        rank = (bool(moved[8]), abs(moved[5]) if moved[5] is not None else Decimal(0), -self._seq)
        if len(self._moved) < CHANGES_KEPT:
            heapq.heappush(self._moved, (rank, moved))
        elif rank > self._moved[0][0]:
            heapq.heapreplace(self._moved, (rank, moved))

    def add(self, doc: DocumentResult) -> None:
        if doc.error:
            self.add_error(doc.file, doc.error)
            return
        for form in doc.forms:
            self.add_form(form, doc.file)
        if doc.findings:
            self.add_findings(doc.findings)

    def merge(self, other: SummaryBuilder) -> None:
        """Add the counts of another builder, e.g. a worker's for a chunk of input."""
        self._forms += other._forms
        self._grade_changes += other._grade_changes
        self._unreadable += other._unreadable
        self._files |= other._files
        for _rank, moved in sorted(other._moved, key=lambda kept: -kept[0][2]):  # in the other's reading order
            self._keep(moved)
        self._bins.update(other._bins)
        for unit, deltas in other._unit_deltas.items():
            self._unit_deltas.setdefault(unit, Counter()).update(deltas)
        self._unmoved += other._unmoved
        for unit, counts in other._units.items():
            own = self._units.setdefault(unit, [0, 0, 0, 0])
            for i, n in enumerate(counts):
                own[i] += n
        for mine, theirs in ((self._reported, other._reported), (self._computed, other._computed),
                             (self._codes, other._codes), (self._severities, other._severities)):
            mine.update(theirs)

    def worst(self) -> int:
        """`SEVERITY_RANK` of the worst finding counted so far, -1 for none: the exit code's input."""
        return max((SEVERITY_RANK[s] for s, n in self._severities.items() if n), default=-1)

    def build(self, threshold: Decimal = DEFAULT_THRESHOLD) -> Summary:
        """The summary; `changes` lists the grade changes and the totals that moved by more than `threshold`."""
        fields = ("form", "file", "unit", "reported_total", "computed_total", "delta", "reported_grade",
                  "computed_grade", "grade_change", "errors", "warnings")
        kept = [m for _rank, m in sorted(self._moved, reverse=True)]  # biggest move first, then reading order
        listed = [m for m in kept if m[8] or (m[5] is not None and abs(m[5]) > threshold)]
        moved: Counter[str] = Counter({unit: sum(n for d, n in deltas.items() if d > threshold)
                                       for unit, deltas in self._unit_deltas.items()})
        bins = Counter(self._bins)
        bins["0"] += self._unmoved
        units = sorted(self._units.items(), key=lambda kv: (-kv[1][1], -moved[kv[0]], -kv[1][2], kv[0]))
        return Summary(
            threshold=threshold,
            changes=[FormChange(**dict(zip(fields, m, strict=True))) for m in listed],
            delta_bins={label: bins[label] for label, _bound in DELTA_BINS} if bins.total() else {},
            by_unit={unit: UnitCounts(forms=c[0], grade_changes=c[1], moved=moved[unit], errors=c[2], warnings=c[3])
                     for unit, c in units},
            forms=self._forms,
            files=len(self._files),
            unreadable=self._unreadable,
            reported_grades=dict(sorted(self._reported.items(), key=lambda kv: _grade_key(kv[0]))),
            computed_grades=dict(sorted(self._computed.items(), key=lambda kv: _grade_key(kv[0]))),
            grade_changes=self._grade_changes,
            findings_by_code=dict(self._codes.most_common()),
            findings_by_severity={k: self._severities[k] for k in ("error", "warning", "info") if self._severities[k]},
        )


@dataclass
class Digest:
    """Scored documents already serialised, with their summary counts: what a worker sends back, a chunk
    of input at a time, when the output is JSON.

    A result model pickles in hundreds of µs; one block of bytes costs a copy. With the JSON written
    and the counts made in the worker, the parent has nothing left to do per form, which leaves the
    workers (nearly) both cores."""

    file: str
    documents: int = 0
    lines: bytes | Spooled = b""  # JSON Lines, UTF-8: each form's JSON and a newline (`fileio.unspool`)
    findings: list[Finding] = field(default_factory=list)  # document findings
    errors: list[str] = field(default_factory=list)  # unreadable files and lines, one line each
    summary: SummaryBuilder = field(default_factory=SummaryBuilder)

    @classmethod
    def of(cls, file: str, docs: Iterable[DocumentResult]) -> Digest:
        digest = cls(file)
        lines: list[bytes] = []
        for doc in docs:
            digest.documents += 1
            digest.summary.add(doc)
            if doc.error:
                digest.errors.append(doc.error)
                continue
            for form in doc.forms:
                lines += (json_bytes(form), b"\n")
            digest.findings += doc.findings
        digest.lines = b"".join(lines)
        return digest


def _grade_key(grade: str) -> int:
    order = "优良中差"
    return order.index(grade) if grade in order else len(order)
