"""The pipeline: the one way a file goes, in one direction — discover → read → score → audit → select
→ summarise → write — one document at a time.

- discover: `iter_paths` (files as given, folders walked) and `skipped_files` (what a folder scan passes over);
- read: `iter_documents` (the readers, `perfscore.readers`; JSON Lines streamed line by line);
- score and audit: `score_form` composes `scoring.score` and `audit.audit`; `score_guarded` turns a form that
  cannot be scored into a one-line error; `score_document` adds the document's own findings;
- select: `select_document` (the command line's `--select`/`--ignore`, `perfscore.selection`);
- summarise: `results.SummaryBuilder`; write: `perfscore.report`, which reads `perfscore.results` only.

`run` is the serial pipeline; `perfscore.parallel` runs the same stages in worker processes (each worker
calls `run` on a file, or `process_items` on a chunk of a stream) and `perfscore.run` drives either to a
report. Nothing here keeps more than one document in memory, so a province's worth of forms runs in flat
memory. A file that cannot be read becomes a `DocumentResult` with an error; the others go on.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path

from perfscore import audit, scoring
from perfscore.errors import PerfscoreError, ReadError, ScoreError
from perfscore.model import Document, Form
from perfscore.readers import read_documents, supported
from perfscore.readers.limits import DEFAULT_LIMITS, Limits
from perfscore.results import DocumentResult, FileError, Finding, FormResult
from perfscore.rules import Rules
from perfscore.selection import Selection, select_findings

__all__ = ["GC_THRESHOLD", "STDIN", "batch_gc", "collect_file_garbage", "forms_of", "iter_documents", "iter_paths",
           "process_items", "run", "score_document", "score_form", "score_guarded", "select_document",
           "skipped_files"]

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
            yield from sorted(p for p in path.rglob("*") if p.is_file() and supported(p)
                              and not any(part.startswith(".") for part in p.relative_to(path).parts))
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
                skipped.append(FileError(file=str(child),
                                         message=f"not a form file ({child.suffix or 'no extension'})"))
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


def score_form(form: Form, rules: Rules, *, explain: bool = False) -> FormResult:
    """Score a form, then audit it: its result with its findings (as the rule set selects them)."""
    scored = scoring.score(form, rules, explain=explain)
    scored.result.findings.extend(audit.audit(form, scored, rules))  # in place: no pydantic __setattr__
    return scored.result


def score_guarded(form: Form, rules: Rules, explain: bool = False, file: str | None = None) -> FormResult | ScoreError:
    """`score`, with anything that goes wrong while scoring or auditing the form given back as a one-line
    `ScoreError` naming its file and form instead of raised: the one guard of every batch (`run`, the
    workers of `--jobs`, `score_many`), so that one form never stops the others, as one file's reader
    never does. A bug or an input nothing else caught (a number no Decimal arithmetic survives)."""
    try:
        return score_form(form, rules, explain=explain)
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
        if isinstance(result, ScoreError):
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
        keep_documents: bool = False, limits: Limits = DEFAULT_LIMITS) -> Generator[DocumentResult, None, None]:
    """The serial pipeline: every document of every input, scored and audited, in input order."""
    for file, doc, error in iter_documents(inputs, limits):
        if error is not None or doc is None:
            yield DocumentResult(file, error=error)
            continue
        for result in score_document(file, doc, rules, explain):
            if not keep_documents:
                result.document = None
            yield result


def forms_of(documents: Iterable[Document]) -> Iterator[Form]:
    for doc in documents:
        yield from doc.forms


def process_items(items: Iterable[Document | PerfscoreError], name: str, rules: Rules,
                  explain: bool = False) -> Iterator[DocumentResult]:
    """The score and audit stages for documents already read (a chunk of a JSON Lines stream in a worker):
    each document's results, its form models dropped."""
    for item in items:
        if isinstance(item, PerfscoreError):
            yield DocumentResult(name, error=str(item))
        else:
            for result in score_document(name, item, rules, explain):
                result.document = None
                yield result


def select_document(doc: DocumentResult, selection: Selection) -> None:
    """The command line's selection (`--select`/`--ignore`) on a scored document's forms and document
    findings, in place; after the rule set's own, which the audit applied."""
    if not selection or doc.error is not None:
        return
    for form in doc.forms:
        form.findings = select_findings(form.findings, selection)
    doc.findings = select_findings(doc.findings, selection)
