"""Parallel scoring with worker processes: bounded, ordered, and interruptible.

Work is cut into tasks — a file to read, or a chunk of JSON Lines — and at most a few tasks per worker
are in flight, so memory stays flat however long the input is (``Pool.imap`` would read the whole input
ahead). Results come back in input order. Each worker loads the rule set once, from its file, in its
initializer; workers ignore SIGINT so that Ctrl-C is handled once, by the parent, which cancels the rest.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from perfscore.batch import STDIN, DocumentResult, FormDigest, iter_paths, run, score_document, select_findings
from perfscore.errors import PerfscoreError
from perfscore.model import Form
from perfscore.results import FormResult
from perfscore.rules import Rules, load_rules

CHUNK_LINES = 256
IN_FLIGHT_PER_WORKER = 4

_rules: Rules | None = None
_explain = False
_digest = False
_select: set[str] | None = None
_ignore: set[str] | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _init(rules_origin: str, explain: bool, digest: bool = False, select: set[str] | None = None,
          ignore: set[str] | None = None) -> None:
    global _rules, _explain, _digest, _select, _ignore
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _rules = load_rules(rules_origin)
    _explain, _digest, _select, _ignore = explain, digest, select, ignore


def _finish(doc: DocumentResult) -> DocumentResult:
    """In the worker: apply the finding selection and, for JSON output, serialise the forms here."""
    if doc.error is None:
        select_findings(doc, _select, _ignore)
        if _digest:
            doc.forms = [FormDigest.of(form) for form in doc.forms]
    return doc


def _score_path(path: str) -> list[DocumentResult]:
    assert _rules is not None
    return [_finish(doc) for doc in run([path], _rules, explain=_explain)]


def _score_lines(lines: list[str], first_line: int, name: str) -> list[DocumentResult]:
    from perfscore.readers.structured import stream_items

    assert _rules is not None
    out = []
    for item in stream_items(lines, name, first_line):
        if isinstance(item, PerfscoreError):
            out.append(DocumentResult(name, error=str(item)))
            continue
        result = score_document(name, item, _rules, _explain)
        result.document = None
        out.append(_finish(result))
    return out


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


def _tasks(inputs: Iterable[str | Path]) -> Iterator[tuple]:
    for path in iter_paths(inputs):
        if path == STDIN:
            yield from _line_tasks(sys.stdin, "<stdin>")
        elif Path(path).suffix.lower() == ".jsonl":
            with Path(path).open(encoding="utf-8-sig") as fh:
                yield from _line_tasks(fh, str(path))
        else:
            yield (_score_path, str(path))


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


def run_parallel(inputs: Iterable[str | Path], rules: Rules, *, explain: bool = False, jobs: int = 0,
                 digest: bool = False, select: set[str] | None = None,
                 ignore: set[str] | None = None) -> Iterator[DocumentResult]:
    """Like `batch.run`, with `jobs` worker processes (0: one per core). Findings are selected in the
    workers; with `digest`, forms come back as `FormDigest` (JSON already written)."""
    jobs = jobs or default_jobs()
    origin = _require_origin(rules)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                             initargs=(origin, explain, digest, select, ignore)) as executor:
        try:
            for batch in _ordered(executor, _tasks(inputs), jobs):
                yield from batch
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
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
            executor.shutdown(wait=False, cancel_futures=True)
            raise
