"""Running many files: find inputs, read, score, and summarise incrementally — one document at a time.

Data flows one way: paths → documents (readers) → form results (scorer) → writers. Nothing here keeps
more than one document in memory, so a province's worth of forms runs in flat memory. A file that cannot
be read becomes a `DocumentResult` with an error; the others go on.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from perfscore import audit
from perfscore.errors import PerfscoreError, ReadError
from perfscore.model import Document, Form
from perfscore.readers import read_documents, supported
from perfscore.results import FileError, Finding, FormResult, Summary
from perfscore.rules import Rules
from perfscore.scoring import score

STDIN = "-"


@dataclass(slots=True)
class FormDigest:
    """A scored form already serialised to JSON, with what the summary and exit code need.

    Worker processes send these instead of result models: a string pickles in microseconds, a
    result model in hundreds, which would eat the gain of a second core."""

    json: str
    name: str
    reported_grade: str | None
    computed_grade: str | None
    severities: list[tuple[str, str]]  # (code, severity) of each finding, after selection

    @classmethod
    def of(cls, result: FormResult) -> FormDigest:
        return cls(result.model_dump_json(), result.name, result.reported_grade, result.computed_grade,
                   [(f.code, f.severity) for f in result.findings])


def form_findings(form: FormResult | FormDigest) -> list[tuple[str, str]]:
    if isinstance(form, FormDigest):
        return form.severities
    return [(f.code, f.severity) for f in form.findings]


@dataclass
class DocumentResult:
    file: str
    forms: list[FormResult | FormDigest] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    document: Document | None = None


def iter_paths(inputs: Iterable[str | Path]) -> Iterator[str | Path]:
    """Files as given; directories walked for every supported file, in a stable order."""
    for item in inputs:
        if str(item) == STDIN:
            yield STDIN
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and supported(p)
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                yield child
        else:
            yield path


def iter_documents(inputs: Iterable[str | Path]) -> Iterator[tuple[str, Document | None, str | None]]:
    """(file, document, error) for every document in every input; errors are one line each."""
    for path in iter_paths(inputs):
        name = str(path)
        try:
            if path == STDIN or Path(path).suffix.lower() == ".jsonl":
                yield from _stream_documents(path)
                continue
            found = False
            for doc in read_documents(path):
                found = True
                yield name, doc, None
            if not found:
                yield name, None, f"{name}: no forms found"
        except PerfscoreError as exc:
            yield name, None, str(exc)
        except (OSError, ValueError, LookupError, TypeError, ArithmeticError) as exc:  # a reader bug: still one line
            yield name, None, str(ReadError(name, f"cannot read: {type(exc).__name__}: {exc}"))


def _stream_documents(path: str | Path) -> Iterator[tuple[str, Document | None, str | None]]:
    """JSON Lines, line by line: a bad line is reported and the stream goes on."""
    from perfscore.readers.structured import stream_items

    if path == STDIN:
        items = stream_items(sys.stdin, "<stdin>")
        name = "<stdin>"
    else:
        name = str(path)
        try:
            handle = Path(path).open(encoding="utf-8-sig")
        except OSError as exc:
            yield name, None, str(ReadError(name, f"cannot open: {exc.strerror or exc}"))
            return
        items = _closing(handle, stream_items(handle, name))
    for item in items:
        if isinstance(item, ReadError):
            yield name, None, str(item)
        else:
            yield name, item, None


def _closing(handle, items):
    with handle:
        yield from items


def score_document(file: str, doc: Document, rules: Rules, explain: bool = False) -> DocumentResult:
    results = [score(form, rules, explain=explain) for form in doc.forms]
    return DocumentResult(file, results, audit.check_document(doc, results, rules), None, doc)


def run(inputs: Iterable[str | Path], rules: Rules, *, explain: bool = False,
        keep_documents: bool = False) -> Iterator[DocumentResult]:
    for file, doc, error in iter_documents(inputs):
        if error is not None or doc is None:
            yield DocumentResult(file, error=error)
            continue
        result = score_document(file, doc, rules, explain)
        if not keep_documents:
            result.document = None
        yield result


def filter_findings(findings: list[Finding], select: set[str] | None, ignore: set[str] | None) -> list[Finding]:
    """Command-line --select / --ignore, applied after the rule set's own selection."""
    if not select and not ignore:
        return findings
    return [f for f in findings if (not select or f.code in select) and not (ignore and f.code in ignore)]


def select_findings(doc: DocumentResult, select: set[str] | None, ignore: set[str] | None) -> None:
    """Apply --select / --ignore to a scored document's forms and document findings, in place."""
    for form in doc.forms:
        if isinstance(form, FormResult):
            form.findings = filter_findings(form.findings, select, ignore)
    doc.findings = filter_findings(doc.findings, select, ignore)


class SummaryBuilder:
    """Counts by grade and by finding, updated one form at a time."""

    def __init__(self) -> None:
        self.summary = Summary()
        self._files: set[str] = set()
        self._reported: Counter[str] = Counter()
        self._computed: Counter[str] = Counter()
        self._codes: Counter[str] = Counter()
        self._severities: Counter[str] = Counter()

    def add_error(self, file: str, message: str) -> None:
        self._files.add(file)
        self.summary.unreadable.append(FileError(file=file, message=message))

    def add_findings(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self._codes[f.code] += 1
            self._severities[f.severity] += 1

    def add_form(self, result: FormResult | FormDigest, file: str) -> None:
        self._files.add(file)
        self.summary.forms += 1
        if result.reported_grade:
            self._reported[result.reported_grade] += 1
        if result.computed_grade:
            self._computed[result.computed_grade] += 1
        pairs = form_findings(result)
        if any(code == "grade-change" for code, _ in pairs):
            self.summary.grade_changes += 1
        for code, severity in pairs:
            self._codes[code] += 1
            self._severities[severity] += 1

    def add(self, doc: DocumentResult) -> None:
        if doc.error:
            self.add_error(doc.file, doc.error)
            return
        for form in doc.forms:
            self.add_form(form, doc.file)
        self.add_findings(doc.findings)

    def build(self) -> Summary:
        s = self.summary
        s.files = len(self._files)
        s.reported_grades = dict(sorted(self._reported.items(), key=lambda kv: _grade_key(kv[0])))
        s.computed_grades = dict(sorted(self._computed.items(), key=lambda kv: _grade_key(kv[0])))
        s.findings_by_code = dict(self._codes.most_common())
        s.findings_by_severity = {k: self._severities[k] for k in ("error", "warning", "info") if self._severities[k]}
        return s


def _grade_key(grade: str) -> int:
    order = "优良中差"
    return order.index(grade) if grade in order else len(order)


def forms_of(documents: Iterable[Document]) -> Iterator[Form]:
    for doc in documents:
        yield from doc.forms
