"""The `score` command's pipeline: inputs → reader → scorer → writer, with the summary built as it goes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from perfscore.batch import Digest, DocumentResult, SummaryBuilder, batch_gc, run, select_findings
from perfscore.errors import PerfscoreError
from perfscore.fileio import atomic_path, atomic_text, check_not_input
from perfscore.results import SEVERITY_RANK
from perfscore.rules import load_rules

FILE_FORMATS = {"xlsx"}  # written to a path, not a text stream


def _writer(fmt: str, out, explain: bool, output: Path | None):
    if fmt == "table":
        from perfscore.report.table import TableWriter

        return TableWriter(out, explain=explain)
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

        return XlsxWriter(output)
    raise PerfscoreError(f"unknown format {fmt!r}")


def run_score(files: list[str], *, rules: str, fmt: str, output: Path | None, fail_on: str,
              select: set[str] | None, ignore: set[str] | None, explain: bool, jobs: int = 1,
              progress: bool | None = None) -> int:
    rule_set = load_rules(rules)
    if output is not None:
        check_not_input(output, files)
    if fmt in FILE_FORMATS and output is None:
        raise PerfscoreError(f"--format {fmt} writes a file: give it with -o OUT.{fmt}")
    results = _results(files, rule_set, explain, jobs, fmt in ("json", "jsonl"), select, ignore)
    builder = SummaryBuilder()
    # closing: interrupted, the workers are stopped here, not whenever the generator is collected
    with _destination(fmt, output) as dest, batch_gc(), contextlib.closing(results):
        writer = _writer(fmt, dest, explain, dest if fmt in FILE_FORMATS else None)
        for doc in _with_progress(results, progress):
            if isinstance(doc, Digest):  # a worker's chunk: selected and counted there
                for error in doc.errors:
                    print(f"perfscore: {error}", file=sys.stderr)
                builder.merge(doc.summary)
            else:
                if doc.error:
                    print(f"perfscore: {doc.error}", file=sys.stderr)
                elif select or ignore:
                    select_findings(doc, select, ignore)
                builder.add(doc)
            writer.document(doc)
        summary = builder.build()
        writer.end(summary)
    if summary.forms == 0:
        if summary.unreadable:
            print(f"perfscore: nothing could be read ({len(summary.unreadable)} file(s) failed)", file=sys.stderr)
        else:
            print("perfscore: no forms found", file=sys.stderr)
        return 2
    if fail_on != "never" and builder.worst() >= SEVERITY_RANK[fail_on]:
        return 1
    return 0


def _results(files: list[str], rules, explain: bool, jobs: int, digest: bool,
             select: set[str] | None, ignore: set[str] | None) -> Iterator[DocumentResult | Digest]:
    """Worker processes pay off for batches: a directory, a stream or several files. One small file
    is scored in-process whatever --jobs says, since starting workers would cost more than it saves."""
    batch = len(files) > 1 or any(f == "-" or Path(f).is_dir() or f.endswith(".jsonl") for f in files)
    if jobs != 1 and batch:
        from perfscore.parallel import default_jobs, run_parallel

        jobs = jobs or default_jobs()
        if jobs > 1:
            return run_parallel(files, rules, explain=explain, jobs=jobs, digest=digest, select=select,
                                ignore=ignore)
    return run(files, rules, explain=explain)


@contextlib.contextmanager
def _destination(fmt: str, output: Path | None):
    if fmt in FILE_FORMATS:
        assert output is not None
        with atomic_path(output) as tmp:
            yield tmp
    elif output is None:
        yield _stdout(fmt)
    else:
        with atomic_text(output) as fh:
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


def _with_progress(results: Iterator[DocumentResult | Digest],
                   progress: bool | None) -> Iterator[DocumentResult | Digest]:
    """A progress bar on a terminal only: never in pipes or CI logs."""
    import os

    show = progress if progress is not None else (sys.stderr.isatty() and not os.environ.get("CI"))
    if not show:
        yield from results
        return
    try:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    except ImportError:
        yield from results
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} files"),
                  TimeElapsedColumn(), transient=True, console=None) as bar:
        task = bar.add_task("scoring", total=None)
        for doc in results:
            bar.update(task, advance=doc.documents if isinstance(doc, Digest) else 1,
                       description=Path(doc.file).name[:40])
            yield doc
