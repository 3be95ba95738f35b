"""Running many files: find inputs, read, score, and summarise incrementally — one document at a time.

Data flows one way: paths → documents (readers) → form results (scorer) → writers. Nothing here keeps
more than one document in memory, so a province's worth of forms runs in flat memory. A file that cannot
be read becomes a `DocumentResult` with an error; the others go on.
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from perfscore import audit
from perfscore.errors import PerfscoreError, ReadError, ScoreError
from perfscore.fileio import Spooled
from perfscore.model import Document, Form
from perfscore.readers import read_documents, supported
from perfscore.readers.limits import DEFAULT_LIMITS, Limits
from perfscore.results import SEVERITY_RANK, FileError, Finding, FormResult, Summary
from perfscore.rules import Rules
from perfscore.scoring import score

STDIN = "-"

# Generation-0 threshold while a batch runs. With CPython's default (700) a collection starts several
# times per form, and the objects it promotes make the older generations run often too: on 100,000
# generated forms, 15 µs a form went to the collector; at 200,000, 0.5 µs, with the same peak RSS.
GC_THRESHOLD = 200_000


def collect_file_garbage() -> None:
    """Collect the garbage cycles a file's reader left, once the file is read.

    The collector counts objects, not bytes: a python-docx document is a few hundred objects in reference
    cycles holding megabytes of lxml trees, so under the batch's threshold (`GC_THRESHOLD`) a folder of
    Word files grew ~5 MB a file, never collected. Collected when the reader is done with the file (its
    generator, which held the document while it yielded, is gone), the cycles are still in the young
    generations: collecting those costs what the file left alive, tens of µs for a YAML file, where a
    full collection (every cache's entries) would cost half its reading time. Never per line of a stream."""
    gc.collect(1)


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """Collect garbage rarely while a batch runs, and restore the collector's state afterwards.

    A run allocates thousands of short-lived objects per form, freed by reference counting; what the
    cycle collector finds is mostly the long-lived rules, caches and memo tables, scanned over and
    over. `gc.freeze` sets what exists at start-up aside (and, forked into workers, keeps their pages
    shared). Scoped here, in the command's pipeline, so the library API never changes global GC state.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


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


def iter_paths(inputs: Iterable[str | Path]) -> Iterator[str | Path]:
    """Files as given; directories walked for every supported file, in a stable order."""
    for item in inputs:
        if str(item) == STDIN:
            yield STDIN
            continue
        if isinstance(item, str) and not item:  # Path("") is the current directory: never read it unasked
            yield item
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and supported(p)
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                yield child
        else:
            yield path


def skipped_files(inputs: Iterable[str | Path]) -> list[FileError]:
    """The files of the folders given that `iter_paths` passes over, each with the reason: nothing in a
    folder scan is skipped silently."""
    skipped: list[FileError] = []
    for item in inputs:
        if str(item) == STDIN or (isinstance(item, str) and not item):
            continue
        path = Path(item)
        if not path.is_dir():
            continue
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
            if hidden:
                skipped.append(FileError(file=str(child), message="hidden file or folder"))
            elif not supported(child):
                skipped.append(FileError(file=str(child), message=f"not a form file ({child.suffix or 'no extension'})"))
    return skipped


def iter_documents(inputs: Iterable[str | Path],
                   limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[str, Document | None, str | None]]:
    """(file, document, error) for every document in every input; errors are one line each."""
    for path in iter_paths(inputs):
        name = str(path)
        try:
            if path == STDIN or Path(path).suffix.lower() == ".jsonl":
                yield from _stream_documents(path)
                continue
            found = False
            for doc in read_documents(path, limits):
                found = True
                yield name, doc, None
            collect_file_garbage()
            if not found:
                yield name, None, f"{name}: no forms found"
        except PerfscoreError as exc:
            yield name, None, str(exc)
        except (OSError, ValueError, LookupError, TypeError, ArithmeticError) as exc:  # a reader bug: still one line
            yield name, None, str(ReadError(name, f"cannot read: {type(exc).__name__}: {exc}"))


def _stream_documents(path: str | Path) -> Iterator[tuple[str, Document | None, str | None]]:
    """JSON Lines, line by line: a bad line is reported and the stream goes on."""
    name = "<stdin>" if path == STDIN else str(path)
    try:
        handle, items = _stream_items(path, name)
    except OSError as exc:
        yield name, None, str(ReadError(name, f"cannot open: {exc.strerror or exc}"))
        return
    with handle:
        for item in items:
            if isinstance(item, ReadError):
                yield name, None, str(item)
            else:
                yield name, item, None


def _stream_items(path: str | Path,
                  name: str) -> tuple[contextlib.AbstractContextManager, Iterator[Document | ReadError]]:
    """The stream to close when done (standard input itself is not closed) and its items. UTF-8 is read
    as bytes (see `structured.byte_items`); standard input in another encoding is read as text."""
    from perfscore.readers import structured

    if path != STDIN:
        handle = structured.open_bytes(path)
        return handle, structured.byte_items(handle, name, bom=True)
    stdin = structured.stdin_bytes()
    if stdin is None:
        return contextlib.nullcontext(), structured.stream_items(structured.stdin_lines(), name)
    handle, bom = stdin
    return handle, structured.byte_items(handle, name, universal=structured.STDIN_UNIVERSAL, bom=bom)


def score_guarded(form: Form, rules: Rules, explain: bool = False, file: str | None = None) -> FormResult | ScoreError:
    """`score`, with anything that goes wrong while scoring or auditing the form given back as a one-line
    `ScoreError` naming its file and form instead of raised: the one guard of every batch (`run`, the
    workers of `--jobs`, `score_many`), so that one form never stops the others, as one file's reader
    never does. A bug or an input nothing else caught (a number no Decimal arithmetic survives)."""
    try:
        return score(form, rules, explain=explain)
    except Exception as exc:  # noqa: BLE001 - whatever it is, it is this form's, not the batch's
        return ScoreError(_form_error(form, file, f"cannot score: {_reason(exc)}"))


def _form_error(form: Form, file: str | None, message: str) -> str:
    """`file, form '…', line 51: message`, as `ReadError` words a form's error; where the form says it
    was read from another file (a transcription's source), that file is named with its place."""
    src = form.source
    file = file or (src.file if src else None) or "<input>"
    if src is None:
        where = None
    elif src.file not in (None, file):
        where = src.describe()
    else:
        where = ", ".join(f"{label} {value}" for label, value in (
            ("page", src.page), ("sheet", src.sheet), ("table", src.table), ("line", src.line))
            if value is not None) or None
    return str(ReadError(file, message, form=form.name, where=where))


def _reason(exc: BaseException) -> str:
    """An exception as one short line: its type, and its text when that says more (decimal's do not)."""
    text = " ".join(str(exc).split())
    if not text or text.startswith("[<class"):
        return type(exc).__name__
    return f"{type(exc).__name__}: {text[:200]}"


def score_document(file: str, doc: Document, rules: Rules, explain: bool = False) -> list[DocumentResult]:
    """The document's scored forms, then one error result per form that could not be scored
    (`score_guarded`): the others' results are kept. The narrative is checked only against a whole
    document, since a missing form would make its counts disagree."""
    results: list[FormResult] = []
    errors: list[DocumentResult] = []
    for form in doc.forms:
        result = score_guarded(form, rules, explain, file)
        if type(result) is ScoreError:
            errors.append(DocumentResult(file, error=str(result)))
        else:
            results.append(result)
    findings: list[Finding] = []
    if not errors:
        try:
            findings = audit.check_document(doc, results, rules)
        except Exception as exc:  # noqa: BLE001 - as in score_guarded: the forms' results are kept
            errors.append(DocumentResult(file, error=f"{file}: cannot check the narrative: {_reason(exc)}"))
    return [DocumentResult(file, results, findings, None, doc), *errors]


def run(inputs: Iterable[str | Path], rules: Rules, *, explain: bool = False,
        keep_documents: bool = False, limits: Limits = DEFAULT_LIMITS) -> Iterator[DocumentResult]:
    for file, doc, error in iter_documents(inputs, limits):
        if error is not None or doc is None:
            yield DocumentResult(file, error=error)
            continue
        for result in score_document(file, doc, rules, explain):
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
    if not select and not ignore:
        return
    for form in doc.forms:
        form.findings = filter_findings(form.findings, select, ignore)
    doc.findings = filter_findings(doc.findings, select, ignore)


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

    def add_error(self, file: str, message: str) -> None:
        self._files.add(file)
        self._unreadable.append(FileError(file=file, message=message))

    def add_findings(self, findings: list[Finding]) -> list[str]:
        """Count findings; their codes, for the caller to look at. (Two `Counter.update`s of lists
        count in C: a third faster than a loop of `+= 1`.)"""
        codes = [f.code for f in findings]
        self._codes.update(codes)
        self._severities.update([f.severity for f in findings])
        return codes

    def add_form(self, result: FormResult, file: str) -> None:
        self._files.add(file)
        self._forms += 1
        if result.reported_grade:
            self._reported[result.reported_grade] += 1
        if result.computed_grade:
            self._computed[result.computed_grade] += 1
        self._grade_changes += "grade-change" in self.add_findings(result.findings)

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
        for mine, theirs in ((self._reported, other._reported), (self._computed, other._computed),
                             (self._codes, other._codes), (self._severities, other._severities)):
            mine.update(theirs)

    def worst(self) -> int:
        """`SEVERITY_RANK` of the worst finding counted so far, -1 for none: the exit code's input."""
        return max((SEVERITY_RANK[s] for s, n in self._severities.items() if n), default=-1)

    def build(self) -> Summary:
        return Summary(
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


def forms_of(documents: Iterable[Document]) -> Iterator[Form]:
    for doc in documents:
        yield from doc.forms
