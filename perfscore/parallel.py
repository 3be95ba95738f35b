"""Parallel scoring with worker processes: bounded, ordered, and interruptible.

Work is cut into tasks — a file to read, or a chunk of JSON Lines — and at most a few tasks per worker
are in flight, so memory stays flat however long the input is (``Pool.imap`` would read the whole input
ahead). Results come back in input order. Each worker loads the rule set once, from its file, in its
initializer; workers ignore SIGINT and SIGHUP so that Ctrl-C or a hang-up is handled once, by the parent,
which cancels the rest; and they end when the parent ends, even killed (`_die_with_parent`).

The parent shares the cores with the workers, so it does as little as it can per form: it cuts JSON Lines
into chunks of whole lines as bytes (validated as bytes in the worker), and for JSON output each task comes
back as one `results.Digest`, JSON written and summary counted, which the parent only writes and adds up.
The chunks and the JSON go both ways through files in a spool directory rather than through the
executor's pipes (`fileio.spool`).

Workers run the stages of `perfscore.pipeline` (`run` on a file, `process_items` on a chunk, then
`select_document`); nothing here reads, scores or audits by itself.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import multiprocessing
import os
import shutil
import signal
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from perfscore import signals
from perfscore.errors import PerfscoreError, ScoreError
from perfscore.fileio import Spooled, spool, spool_directory, unspool
from perfscore.model import Form
from perfscore.pipeline import GC_THRESHOLD, STDIN, iter_paths, process_items, run, score_guarded, select_document
from perfscore.readers.limits import DEFAULT_LIMITS, Limits
from perfscore.readers.structured import STDIN_UNIVERSAL, open_lines, stdin_lines
from perfscore.results import Digest, DocumentResult, FormResult
from perfscore.rules import Rules, load_rules
from perfscore.selection import EVERYTHING, Selection

CHUNK_LINES = 256  # lines of a chunk read as text (a stream not in UTF-8)
CHUNK_BYTES = 1 << 20  # bytes of a chunk of UTF-8 JSON Lines, ~250 generated forms
NEWLINE = b"\n"
IN_FLIGHT_PER_WORKER = 4
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL = 0.5  # seconds between a worker's checks that its parent lives, where Linux cannot tell it
ORPHAN_WAIT = 1.0  # seconds a worker signalled by its parent's death waits to see it done (`_orphaned`)

_rules: Rules | None = None
_explain = False
_digest = False
_selection: Selection = EVERYTHING
_spool_dir: str | None = None
_limits: Limits = DEFAULT_LIMITS


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _init(rules_origin: str, explain: bool, digest: bool = False, selection: Selection = EVERYTHING,
          spool_dir: str | None = None, leftovers: tuple[str, ...] = (), limits: Limits = DEFAULT_LIMITS) -> None:
    global _rules, _explain, _digest, _selection, _spool_dir, _limits
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C and a hang-up reach the whole process group:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the parent handles them, once
    _die_with_parent(tuple(p for p in (spool_dir, *leftovers) if p))
    # Signals were held while the parent forked this worker (`signals.held`): a signal handled in the fork's
    # callbacks was lost, and here one would have met the parent's handlers. Its own are set now.
    signals.release()
    _rules = load_rules(rules_origin)
    _explain, _digest, _selection, _spool_dir = explain, digest, selection, spool_dir
    _limits = limits
    gc.freeze()  # a worker lives for the batch: see pipeline.batch_gc
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def _die_with_parent(leftovers: tuple[str, ...]) -> None:
    """End this worker when its parent ends, however that happens, removing what the parent left.

    Workers wait for tasks on a pipe whose writing end they all hold, so a parent killed before it could
    stop them (SIGKILL, or SIGTERM before it was handled) left them waiting forever, holding the caller's
    standard output open. On Linux the kernel sends this worker SIGTERM when the parent dies
    (``prctl(PR_SET_PDEATHSIG)``), elsewhere a thread polls `os.getppid`; then the worker removes the
    spool directory and the output's temp file, which a killed parent cannot, and exits. The worker's
    standard input and output go to the null device: it uses neither, and a pipe it held would keep
    the caller waiting."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    os.close(devnull)
    parent = os.getppid()
    creator = multiprocessing.parent_process()
    if creator is not None and creator.pid and multiprocessing.get_start_method(allow_none=True) != "forkserver":
        parent = creator.pid  # forked or spawned by it: if the parent is another, the creator has died
    signal.signal(signal.SIGTERM, lambda *_: _orphaned(parent, leftovers))
    if not _parent_death_signal(signal.SIGTERM):
        threading.Thread(target=_watch_parent, args=(parent, leftovers), name="perfscore-parent-watch",
                         daemon=True).start()
    if os.getppid() != parent:  # died before the kernel was asked to tell: before this worker started
        _orphaned(parent, leftovers)


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send `signum` to this process when its parent dies; False where that cannot be done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, leftovers: tuple[str, ...]) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    _orphaned(parent, leftovers)


def _orphaned(parent: int, leftovers: tuple[str, ...]) -> None:
    """SIGTERM, or the parent gone: exit now. Orphaned, first remove the parent's leftovers: the spool
    directory, and the output's temp file if it is still one (a regular file, not followed if a link).

    Linux signals the death of the thread that started the worker: the parent's other threads may still
    be ending, and until they have, `os.getppid` names the parent. So a SIGTERM is taken for the
    parent's death if the worker is reparented within ORPHAN_WAIT; otherwise someone else sent it."""
    deadline = time.monotonic() + ORPHAN_WAIT
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.01)
    if os.getppid() != parent:
        for path in leftovers:
            with contextlib.suppress(OSError):
                if stat.S_ISDIR(os.lstat(path).st_mode):
                    shutil.rmtree(path, ignore_errors=True)
                elif stat.S_ISREG(os.lstat(path).st_mode):
                    os.unlink(path)
    os._exit(128 + signal.SIGTERM)


def _finish(docs: Iterable[DocumentResult], name: str) -> list[DocumentResult] | list[Digest]:
    """In the worker: apply the finding selection and, for JSON output, digest the task's documents."""
    if _selection:
        docs = _selected(docs)
    if not _digest:
        return list(docs)
    digest = Digest.of(name, docs)
    assert isinstance(digest.lines, bytes)  # as `Digest.of` writes them
    digest.lines = spool(digest.lines, _spool_dir)
    return [digest]


def _selected(docs: Iterable[DocumentResult]) -> Iterator[DocumentResult]:
    for doc in docs:
        select_document(doc, _selection)
        yield doc


def _score_path(path: str) -> list[DocumentResult] | list[Digest]:
    assert _rules is not None
    return _finish(run([path], _rules, explain=_explain, limits=_limits), path)


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
    assert _rules is not None
    return _finish(process_items(items, name, _rules, _explain), name)


def _byte_lines(chunk: bytes) -> list[bytes]:
    r"""The lines of a chunk, split at \n (without it); a lone \r is for `byte_items` to find."""
    lines = chunk.split(NEWLINE)
    if not lines[-1]:  # the chunk ends with its last line's \n
        lines.pop()
    return lines


def _score_forms(forms: list[Form]) -> list[FormResult | ScoreError]:
    assert _rules is not None
    return [score_guarded(form, _rules, _explain) for form in forms]


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
            with signals.held():  # the first submit forks the workers: see `_init`
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
    (`OSError: [Errno 9] Bad file descriptor`) after the one-line message; exit waits for it anyway.
    Interrupted while the executor was starting that thread, `shutdown` cannot join it yet (`RuntimeError`)
    and the interpreter would hang at exit: it is asked again until the thread has started."""
    deadline = time.monotonic() + 10
    while True:
        try:
            executor.shutdown(wait=True, cancel_futures=True)
            return
        except RuntimeError:  # "cannot join thread before it is started": it is a moment away
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def run_parallel(inputs: Iterable[str | Path], rules: Rules, *, explain: bool = False, jobs: int = 0,
                 digest: bool = False, selection: Selection = EVERYTHING, leftovers: tuple[str, ...] = (),
                 limits: Limits = DEFAULT_LIMITS) -> Generator[DocumentResult | Digest, None, None]:
    """Like `pipeline.run`, with `jobs` worker processes (0: one per core). Findings are selected in the
    workers; with `digest`, each task comes back as one `Digest` (JSON written, summary counted).
    `leftovers`: temp files of the caller's that the workers remove should this process be killed."""
    jobs = jobs or default_jobs()
    origin = _require_origin(rules)
    with spool_directory() as spool_dir, ProcessPoolExecutor(
            max_workers=jobs, initializer=_init,
            initargs=(origin, explain, digest, selection, spool_dir, leftovers, limits)) as executor:
        try:
            for batch in _ordered(executor, _tasks(inputs, spool_dir), jobs):
                yield from batch
        except BaseException:
            _cancel(executor)
            raise


def score_many_parallel(forms: Iterable[Form], rules: Rules, jobs: int,
                        chunk: int = 64) -> Iterator[FormResult | ScoreError]:
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
