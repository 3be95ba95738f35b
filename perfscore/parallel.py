"""Parallel scoring with worker processes: bounded, ordered, and interruptible.

Work is cut into tasks — a file to read, or a chunk of JSON Lines — and at most a few tasks per worker
are in flight, so memory stays flat however long the input is (``Pool.imap`` would read the whole input
ahead). Results come back in input order. Each worker loads the rule set once, from its file, in its
initializer; workers ignore SIGINT so that Ctrl-C is handled once, by the parent, which cancels the rest.

The parent shares the cores with the workers, so it does as little as it can per form: it cuts JSON Lines
into chunks of whole lines as bytes (validated as bytes in the worker), and for JSON output each task comes
back as one `batch.Digest`, JSON written and summary counted, which the parent only writes and adds up.
The chunks and the JSON go both ways through files in a spool directory rather than through the
executor's pipes (`fileio.spool`).
"""

from __future__ import annotations

import codecs
import gc
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from perfscore.batch import (GC_THRESHOLD, STDIN, Digest, DocumentResult, iter_paths, run, score_document,
                             select_findings)
from perfscore.errors import PerfscoreError
from perfscore.fileio import Spooled, spool, spool_directory, unspool
from perfscore.model import Document, Form
from perfscore.readers.structured import STDIN_UNIVERSAL, open_lines, stdin_lines
from perfscore.results import FormResult
from perfscore.rules import Rules, load_rules

CHUNK_LINES = 256  # lines of a chunk read as text (a stream not in UTF-8)
CHUNK_BYTES = 1 << 20  # bytes of a chunk of UTF-8 JSON Lines, ~250 generated forms
NEWLINE = b"\n"
IN_FLIGHT_PER_WORKER = 4

_rules: Rules | None = None
_explain = False
_digest = False
_select: set[str] | None = None
_ignore: set[str] | None = None
_spool_dir: str | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _init(rules_origin: str, explain: bool, digest: bool = False, select: set[str] | None = None,
          ignore: set[str] | None = None, spool_dir: str | None = None) -> None:
    global _rules, _explain, _digest, _select, _ignore, _spool_dir
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _rules = load_rules(rules_origin)
    _explain, _digest, _select, _ignore, _spool_dir = explain, digest, select, ignore, spool_dir
    gc.freeze()  # a worker lives for the batch: see batch.batch_gc
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def _finish(docs: Iterable[DocumentResult], name: str) -> list[DocumentResult] | list[Digest]:
    """In the worker: apply the finding selection and, for JSON output, digest the task's documents."""
    if _select or _ignore:
        docs = _selected(docs)
    if not _digest:
        return list(docs)
    digest = Digest.of(name, docs)
    digest.lines = spool(digest.lines, _spool_dir)
    return [digest]


def _selected(docs: Iterable[DocumentResult]) -> Iterator[DocumentResult]:
    for doc in docs:
        if doc.error is None:
            select_findings(doc, _select, _ignore)
        yield doc


def _score_path(path: str) -> list[DocumentResult] | list[Digest]:
    assert _rules is not None
    return _finish(run([path], _rules, explain=_explain), path)


def _score_lines(lines: list[str] | bytes | Spooled, first_line: int, name: str,
                 universal: bool = True) -> list[DocumentResult] | list[Digest]:
    """Score a chunk of JSON Lines: text lines, or whole UTF-8 lines as bytes (perhaps spooled), validated
    as bytes here (`structured.byte_items`) rather than decoded in the parent, with or without universal
    newlines as the stream's text would be read (`structured.STDIN_UNIVERSAL`)."""
    from perfscore.readers.structured import byte_items, stream_items

    if isinstance(lines, list):
        items = stream_items(lines, name, first_line)
    else:
        items = byte_items(_byte_lines(unspool(lines)), name, first_line, universal=universal)
    return _finish(_score_items(items, name), name)


def _byte_lines(chunk: bytes) -> list[bytes]:
    r"""The lines of a chunk, split at \n (without it); a lone \r is for `byte_items` to find."""
    lines = chunk.split(NEWLINE)
    if not lines[-1]:  # the chunk ends with its last line's \n
        lines.pop()
    return lines


def _score_items(items: Iterable[Document | PerfscoreError], name: str) -> Iterator[DocumentResult]:
    assert _rules is not None
    for item in items:
        if isinstance(item, PerfscoreError):
            yield DocumentResult(name, error=str(item))
        else:
            result = score_document(name, item, _rules, _explain)
            result.document = None
            yield result


def _score_forms(forms: list[Form]) -> list[FormResult]:
    from perfscore.scoring import score

    assert _rules is not None
    return [score(form, _rules, explain=_explain) for form in forms]


def _require_origin(rules: Rules) -> str:
    if not rules.origin:
        raise PerfscoreError("parallel scoring needs a rule set loaded from a file or a shipped name")
    return rules.origin


def _ordered(executor: ProcessPoolExecutor, tasks: Iterable[tuple], jobs: int) -> Iterator:
    """Submit tasks with at most jobs × IN_FLIGHT_PER_WORKER pending; yield results in order."""
    pending: deque[Future] = deque()
    limit = max(1, jobs * IN_FLIGHT_PER_WORKER)
    try:
        for task in tasks:
            pending.append(executor.submit(*task))
            while len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def _tasks(inputs: Iterable[str | Path], spool_dir: str | None = None) -> Iterator[tuple]:
    for path in iter_paths(inputs):
        if path == STDIN:
            yield from _stream_tasks(stdin_lines(), "<stdin>", spool_dir, STDIN_UNIVERSAL)
        elif Path(path).suffix.lower() == ".jsonl":
            with open_lines(path) as fh:
                yield from _stream_tasks(fh, str(path), spool_dir)
        else:
            yield (_score_path, str(path))


def _stream_tasks(stream, name: str, spool_dir: str | None = None, universal: bool = True) -> Iterator[tuple]:
    """Chunks of a JSON Lines stream. A UTF-8 stream is cut into whole lines as bytes, so the parent, which
    must leave the workers as much of both cores as it can, neither decodes nor splits the lines."""
    buffer = getattr(stream, "buffer", None)
    encoding = codecs.lookup(stream.encoding).name if getattr(stream, "encoding", None) else None
    if buffer is None or encoding not in ("utf-8", "utf-8-sig"):
        yield from _line_tasks(stream, name)
    else:
        yield from _byte_tasks(buffer, name, encoding == "utf-8-sig", spool_dir, universal)


def _byte_tasks(buffer, name: str, bom: bool, spool_dir: str | None = None,
                universal: bool = True) -> Iterator[tuple]:
    """Chunks of about CHUNK_BYTES of whole lines, passed through the spool. The last line of a chunk is
    completed with `readline`: a copy of the input fewer than cutting at the last newline read and
    carrying the rest over to the next chunk."""
    first = 1
    while data := buffer.read(CHUNK_BYTES):
        if bom:  # utf-8-sig: a BOM at the start of the stream only
            data, bom = data.removeprefix(codecs.BOM_UTF8), False
        if not data.endswith(NEWLINE):
            data += buffer.readline()
        if data:
            yield (_score_lines, spool(data, spool_dir), first, name, universal)
            first += _count_lines(data, universal)


def _count_lines(chunk: bytes, universal: bool = True) -> int:
    r"""Lines of a chunk that ends with \n, as a text stream counts them: \n and \r\n end one, and with
    universal newlines a lone \r too.
    A loop of finds: `bytes.count` scans a byte at a time, five times slower than find's memchr."""
    lines, at = 0, chunk.find(NEWLINE)
    while at >= 0:
        lines, at = lines + 1, chunk.find(NEWLINE, at + 1)
    if universal and b"\r" in chunk:
        lines += chunk.count(b"\r") - chunk.count(b"\r\n")
    return lines


def _line_tasks(stream, name: str) -> Iterator[tuple]:
    chunk: list[str] = []
    first = 1
    for number, line in enumerate(stream, start=1):
        if not chunk:
            first = number
        chunk.append(line)
        if len(chunk) >= CHUNK_LINES:
            yield (_score_lines, chunk, first, name)
            chunk = []
    if chunk:
        yield (_score_lines, chunk, first, name)


def _cancel(executor: ProcessPoolExecutor) -> None:
    """Drop the tasks not started and wait for the executor's manager thread, which ends once the few
    running tasks are done (workers ignore SIGINT). `shutdown(wait=False)` would leave the thread
    running into interpreter exit, where CPython 3.11's exit hook races it and prints a traceback
    (`OSError: [Errno 9] Bad file descriptor`) after the one-line message; exit waits for it anyway."""
    executor.shutdown(wait=True, cancel_futures=True)


def run_parallel(inputs: Iterable[str | Path], rules: Rules, *, explain: bool = False, jobs: int = 0,
                 digest: bool = False, select: set[str] | None = None,
                 ignore: set[str] | None = None) -> Iterator[DocumentResult | Digest]:
    """Like `batch.run`, with `jobs` worker processes (0: one per core). Findings are selected in the
    workers; with `digest`, each task comes back as one `Digest` (JSON written, summary counted)."""
    jobs = jobs or default_jobs()
    origin = _require_origin(rules)
    with spool_directory() as spool_dir, ProcessPoolExecutor(
            max_workers=jobs, initializer=_init,
            initargs=(origin, explain, digest, select, ignore, spool_dir)) as executor:
        try:
            for batch in _ordered(executor, _tasks(inputs, spool_dir), jobs):
                yield from batch
        except BaseException:
            _cancel(executor)
            raise


def score_many_parallel(forms: Iterable[Form], rules: Rules, jobs: int, chunk: int = 64) -> Iterator[FormResult]:
    origin = _require_origin(rules)

    def chunks() -> Iterator[tuple]:
        batch: list[Form] = []
        for form in forms:
            batch.append(form)
            if len(batch) >= chunk:
                yield (_score_forms, batch)
                batch = []
        if batch:
            yield (_score_forms, batch)

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(origin, False)) as executor:
        try:
            for results in _ordered(executor, chunks(), jobs):
                yield from results
        except BaseException:
            _cancel(executor)
            raise
