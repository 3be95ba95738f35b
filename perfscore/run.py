"""The `score` command: drives the pipeline (`perfscore.pipeline`, in worker processes through
`perfscore.parallel` for a batch) into a report writer (`perfscore.report`), with the summary built as
it goes, and turns the worst finding into the exit code."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Generator, Iterator
from decimal import Decimal
from pathlib import Path

from perfscore.errors import PerfscoreError
from perfscore.fileio import Output
from perfscore.i18n import _, ngettext
from perfscore.pipeline import batch_gc, iter_paths, run, select_document, skipped_files
from perfscore.readers.limits import DEFAULT_LIMITS, Limits
from perfscore.report.safe import term_text
from perfscore.results import DEFAULT_THRESHOLD, SEVERITY_RANK, Digest, DocumentResult, Summary, SummaryBuilder
from perfscore.rules import Rules, load_rules
from perfscore.selection import EVERYTHING, Selection

FILE_FORMATS = {"xlsx"}  # written to a path, not a text stream
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _writer(fmt: str, out, explain: bool, output: Path | None, compact: bool = False):
    if fmt == "table":
        from perfscore.report.table import TableWriter

        return TableWriter(out, explain=explain, compact=compact)
    if fmt == "summary":
        from perfscore.report.summary import SummaryWriter

        return SummaryWriter(out)
    if fmt in ("json", "jsonl"):
        from perfscore.report.jsonout import writer_for

        return writer_for(fmt)(out)
    if fmt == "markdown":
        from perfscore.report.markdown import MarkdownWriter

        return MarkdownWriter(out, explain=explain)
    if fmt == "html":
        from perfscore.report.html import HtmlWriter

        return HtmlWriter(out, explain=explain)
    if fmt == "xlsx":
        from perfscore.report.xlsx import XlsxWriter

        assert output is not None  # run_score refuses xlsx without -o
        return XlsxWriter(output, formulas=True)
    raise PerfscoreError(f"unknown format {fmt!r}")


def run_score(files: list[str], *, rules: str, fmt: str, output: Path | None, fail_on: str,
              select: set[str] | None, ignore: set[str] | None, explain: bool, jobs: int = 1,
              progress: bool | None = None, limits: Limits = DEFAULT_LIMITS,
              threshold: Decimal = DEFAULT_THRESHOLD, compact: bool = False, quiet: bool = False,
              verbose: bool = False) -> int:
    import time

    started = time.monotonic()
    rule_set = load_rules(rules)
    target = Output(output, files, protected=_rule_files(rules)) if output is not None else None
    if fmt in FILE_FORMATS and output is None:
        raise PerfscoreError(_("--format {fmt} writes a file: give it with -o OUT.{fmt}").format(fmt=fmt))
    builder = SummaryBuilder()
    selection = Selection.of(select, ignore)
    # closing: interrupted, the workers are stopped here, not whenever the generator is collected
    with _terminated_as_interrupted(), _destination(fmt, target) as dest, batch_gc(), contextlib.closing(
            _results(files, rule_set, explain, jobs, fmt in ("json", "jsonl"), selection,
                     _temp_of(dest, output), limits)) as results:
        writer = _writer(fmt, dest, explain, dest if fmt in FILE_FORMATS else None, compact)
        for doc in _with_progress(results, progress, files):
            if isinstance(doc, Digest):  # a worker's chunk: selected and counted there
                for error in doc.errors:
                    print(f"perfscore: {term_text(error)}", file=sys.stderr)
                builder.merge(doc.summary)
            else:
                if doc.error:
                    print(f"perfscore: {term_text(doc.error)}", file=sys.stderr)
                else:
                    select_document(doc, selection)
                builder.add(doc)
            writer.document(doc)
        summary = builder.build(threshold)
        summary.skipped = skipped_files(files)
        writer.end(summary)
        if summary.forms == 0 and target is not None:
            target.discard()  # nothing was read: the report already at the path stays as it was
    if summary.forms == 0:
        if summary.unreadable:
            failed = len({error.file for error in summary.unreadable})  # a stream's bad lines are one file
            print("perfscore: " + _("nothing could be read ({n} file(s) failed)").format(n=failed), file=sys.stderr)
        else:
            print("perfscore: " + _("no forms found"), file=sys.stderr)
        return 2
    if verbose:
        for skipped in summary.skipped:
            print(f"perfscore: {_('skipped')} {term_text(skipped.file)}: {term_text(skipped.message)}",
                  file=sys.stderr)
    if not quiet and ((output is not None and sys.stderr.isatty()) or verbose):
        line = closing_line(summary, str(output) if output is not None else None)
        if verbose:
            line += _(" in {seconds:.1f} s").format(seconds=time.monotonic() - started)
        print(term_text(line), file=sys.stderr)
    if fail_on != "never" and builder.worst() >= SEVERITY_RANK[fail_on]:
        return 1
    return 0


def _results(files: list[str], rules: Rules, explain: bool, jobs: int, digest: bool,
             selection: Selection = EVERYTHING, temp: str | None = None,
             limits: Limits = DEFAULT_LIMITS) -> Generator[DocumentResult | Digest, None, None]:
    """Worker processes pay off for batches: a directory, a stream or several files. One small file
    is scored in-process whatever --jobs says, since starting workers would cost more than it saves."""
    batch = len(files) > 1 or any(f == "-" or Path(f).is_dir() or f.endswith(".jsonl") for f in files)
    if jobs != 1 and batch:
        from perfscore.parallel import default_jobs, run_parallel

        jobs = jobs or default_jobs()
        if jobs > 1:
            return run_parallel(files, rules, explain=explain, jobs=jobs, digest=digest, selection=selection,
                                leftovers=(temp,) if temp else (), limits=limits)
    return run(files, rules, explain=explain, limits=limits)


def _rule_files(rules: str) -> list[Path]:
    """The rule file `--rules` names, which `-o` must never overwrite."""
    from perfscore.rules import resolve_path

    with contextlib.suppress(PerfscoreError):
        return [resolve_path(rules)]
    return []


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread as Ctrl-C raises KeyboardInterrupt, so that they unwind
    the same way: workers stopped, spool and temp output removed, one line, exit 130."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """While the command runs, SIGTERM and SIGHUP end it as Ctrl-C does, instead of killing it on the spot
    with its temp output, spool directory and workers left behind. As with Ctrl-C, a second one cuts the
    clean-up short (and SIGKILL, which nothing catches, leaves it to the workers: `parallel`). Only the
    main thread can set handlers: elsewhere (the library called from a thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame) -> None:
        raise Terminated(signum)

    previous = {signum: signal.signal(signum, interrupt) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _temp_of(dest, output: Path | None) -> str | None:
    """The temp file the output is written to before it becomes `output`, if there is one: what the
    worker processes remove should this process be killed."""
    if output is None:
        return None
    name = str(dest) if isinstance(dest, Path) else getattr(dest, "name", None)
    return name if isinstance(name, str) and Path(name) != output and Path(name).is_file() else None


@contextlib.contextmanager
def _destination(fmt: str, target: Output | None):
    if fmt in FILE_FORMATS:
        assert target is not None
        with target.path() as tmp:
            yield tmp
    elif target is None:
        yield _stdout(fmt)
    else:
        with target.text() as fh:
            yield fh


def _stdout(fmt: str):
    """Standard output that can hold the forms' Chinese text: JSON is UTF-8 (RFC 8259) whatever the
    locale says; a report on a terminal that cannot show a character shows its escape, not a traceback."""
    import codecs

    out = sys.stdout
    encoding = getattr(out, "encoding", None)
    if hasattr(out, "reconfigure") and encoding and codecs.lookup(encoding).name != "utf-8":
        if fmt in ("json", "jsonl"):
            out.reconfigure(encoding="utf-8")
        else:
            out.reconfigure(errors="backslashreplace")
    return out


def closing_line(summary: Summary, output: str | None) -> str:
    """`wrote report.xlsx: 1,234 forms, 56 grade changes, 7 errors` (without -o, the counts alone)."""
    errors = summary.findings_by_severity.get("error", 0)
    counts = ", ".join((ngettext("{n} form", "{n} forms", summary.forms).format(n=f"{summary.forms:,}"),
                        ngettext("{n} grade change", "{n} grade changes", summary.grade_changes).format(
                            n=f"{summary.grade_changes:,}"),
                        ngettext("{n} error", "{n} errors", errors).format(n=f"{errors:,}")))
    return _("wrote {output}: {counts}").format(output=output, counts=counts) if output else counts


def _count_files(files: list[str]) -> int | None:
    """How many files the run will read, for the progress bar's total; None for a stream (unknown)."""
    if any(f == "-" or f.endswith(".jsonl") for f in files):
        return None
    return sum(1 for _path in iter_paths(files))


def _with_progress(results: Iterator[DocumentResult | Digest], progress: bool | None,
                   files: list[str] = ()) -> Iterator[DocumentResult | Digest]:  # type: ignore[assignment]
    """A progress bar on a terminal only (never in pipes or CI logs), on stderr: files done of the total,
    percentage and time left when the total is known, and the forms scored so far."""
    import os

    show = progress if progress is not None else (sys.stderr.isatty() and not os.environ.get("CI"))
    if not show:
        yield from results
        return
    try:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
    except ImportError:
        yield from results
        return
    total = _count_files(list(files))
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(_("files")),
               TaskProgressColumn(), TextColumn("{task.fields[forms]} " + _("forms")), TimeElapsedColumn()]
    if total is not None:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(_("scoring"), total=total, forms=0)
        forms, last = 0, None
        for doc in results:
            forms += doc.summary._forms if isinstance(doc, Digest) else len(doc.forms)
            advance = 0
            if isinstance(doc, Digest):
                advance = 0 if total is not None else doc.documents
            elif doc.file != last:
                advance, last = 1, doc.file
            bar.update(task, advance=advance, forms=forms, description=Path(doc.file).name[:30])
            yield doc
