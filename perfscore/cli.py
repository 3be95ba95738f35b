"""Command line: `perfscore score | explain | schema | export | rules` (the `rules` commands: `cli_rules`).

Exit codes: 0 clean, 1 findings reached --fail-on, 2 unusable input or usage. Every error is one line
on stderr, never a traceback; a closed pipe (`| head`) ends the command quietly with 0. Heavy modules are
imported inside the commands so `--help` stays fast.

The language (`--lang zh|en`, anywhere on the line, or `PERFSCORE_LANG`; Chinese by default) is set
before the commands are defined, so that their help is in it too (`_language_from_argv`).
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperArgument

from perfscore import i18n
from perfscore.i18n import _


def _language_from_argv(argv: list[str]) -> str:
    """The language a command line asks for (`--lang X`, `--lang=X`), else PERFSCORE_LANG, else Chinese."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg[7:] if arg.startswith("--lang=") \
            else None
        if value is not None:
            try:
                return i18n.set_language(value)
            except ValueError:
                break  # the option's own check reports it
    return i18n.set_language(None)


_language_from_argv(sys.argv[1:])

from perfscore.cli_rules import rules_app  # noqa: E402 - its help is in the language just set


def _argument_type(self, ctx) -> str | None:
    """An argument's help shows its metavar (`FILE...`), not also its Python type (`<list[str]>`), as
    options already do."""
    return None if self.metavar else _TYPE_OF_ARGUMENT(self, ctx)


_TYPE_OF_ARGUMENT = TyperArgument.display_type_rich
TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign]

# The defaults of perfscore.readers.limits.Limits, repeated so that --help does not import the readers
# (a test checks that they agree).
DEFAULT_MAX_CELLS = 1_000_000
DEFAULT_MAX_UNCOMPRESSED_MB = 256

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help=_("Re-score and audit 绩效自评表 (performance self-evaluation forms)."))
app.add_typer(rules_app, name="rules")


class Format(StrEnum):
    table = "table"
    summary = "summary"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


# -o's extension → the format it implies; a --format that says otherwise is a clash
EXTENSION_FORMATS = {".xlsx": "xlsx", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl",
                     ".md": "markdown", ".markdown": "markdown", ".txt": "table"}
TEXT_FORMATS = {"table", "summary"}  # both plain text: either may go to a .txt


def output_format(fmt: str | None, output: Path | None) -> str:
    """The report format: --format, else what -o's extension says, else the table. A --format that
    contradicts the extension (`--format table -o r.xlsx`) is an error, not a file Excel refuses."""
    implied = EXTENSION_FORMATS.get(output.suffix.lower()) if output is not None else None
    if fmt is None:
        return implied or "table"
    if implied is not None and implied != fmt and not {implied, fmt} <= TEXT_FORMATS:
        raise _fail(_("--format {fmt} does not match the extension of -o {output} (which means {implied}); "
                      "change one of them").format(fmt=fmt, output=output, implied=implied))
    return fmt


def _version(value: bool) -> None:
    if value:
        from perfscore import __version__

        typer.echo(f"perfscore {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=_("print the version and exit"))] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="zh|en", envvar=i18n.ENV,
                                             help=_("language of messages and reports (default zh)"))] = None,
) -> None:
    """Re-score and audit 绩效自评表 (performance self-evaluation forms)."""
    if lang is not None:
        try:
            i18n.set_language(lang)
        except ValueError as exc:
            raise _fail(str(exc)) from None


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class SchemaName(StrEnum):
    form = "form"
    result = "result"
    rules = "rules"


class ExportTo(StrEnum):
    xlsx = "xlsx"
    docx = "docx"
    yaml = "yaml"


def _fail(message: str, code: int = 2) -> typer.Exit:
    """One line on stderr, `perfscore: …`; the caller raises the Exit this returns."""
    from perfscore.report.safe import term_text  # a file name or cell in the message must not drive the terminal

    typer.echo(f"perfscore: {term_text(message)}", err=True)
    return typer.Exit(code)


def _codes(values: list[str] | None) -> set[str] | None:
    if not values:
        return None
    out: set[str] = set()
    for value in values:
        out.update(v.strip() for v in value.split(",") if v.strip())
    from perfscore import catalogue

    unknown = sorted(c for c in out if c not in catalogue.CATALOGUE)
    if unknown:
        raise _fail(_("unknown finding code(s): {codes}; see `perfscore explain`").format(codes=", ".join(unknown)))
    return out


def _threshold(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise typer.BadParameter(_("not a number: {value}").format(value=value)) from None
    if not number.is_finite() or number < 0:
        raise typer.BadParameter(_("not a number of points ≥ 0: {value}").format(value=value))
    return number


@app.command(help=_("Re-score forms and report findings.\n\nFiles that would cost far more than their size (a "
                     "zip or decompression bomb, a sheet declared to XFD1048576, a YAML alias bomb) are refused "
                     "with one line before they are read; --max-cells and --max-uncompressed-mb raise the limits."))
def score(
    files: Annotated[list[str], typer.Argument(
        metavar="FILE...", help=_("forms: files, directories, or - for JSON Lines on stdin"))],
    rules: Annotated[str, typer.Option("--rules", "-r", metavar="NAME|PATH",
                                       help=_("rule set name or YAML path"))] = "national",
    fmt: Annotated[Format | None, typer.Option(
        "--format", "-f", help=_("output format (default: from -o's extension, else table)"))] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE",
        help=_("write here (a file atomically; a FIFO or device directly)"))] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help=_("exit 1 when a finding reaches this"))] = FailOn.error,
    select: Annotated[list[str] | None, typer.Option("--select", metavar="CODE,...",
                                                     help=_("only these finding codes"))] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", metavar="CODE,...",
                                                     help=_("drop these finding codes"))] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help=_("show the rule, inputs and formula behind each score"))] = False,
    threshold: Annotated[str, typer.Option(
        "--threshold", metavar="POINTS", help=_("list forms whose total moves by more than this"))] = "1",
    compact: Annotated[bool, typer.Option("--compact", help=_("table: one line per form"))] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, metavar="N",
                                      help=_("worker processes (default 0: one per core)"))] = 0,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help=_("progress bar (default: on a terminal)"))] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=_("no progress and no closing line"))] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=_("also list skipped files and the time taken"))]
    = False,
    max_cells: Annotated[int, typer.Option(
        "--max-cells", min=1, metavar="N", help=_("refuse a sheet spanning more cells (rows × columns from A1), or "
                                                   "a YAML file whose aliases expand to more values"))]
    = DEFAULT_MAX_CELLS,
    max_uncompressed_mb: Annotated[int, typer.Option(
        "--max-uncompressed-mb", min=1, metavar="MB", help=_("refuse an xlsx/docx whose parts declare more "
                                                             "megabytes uncompressed, or a PDF whose streams "
                                                             "inflate to more"))] = DEFAULT_MAX_UNCOMPRESSED_MB,
) -> None:
    """Re-score forms and report findings.

    Files that would cost far more than their size (a zip or decompression bomb, a sheet declared
    to XFD1048576, a YAML alias bomb) are refused with one line before they are read; --max-cells
    and --max-uncompressed-mb raise the limits."""
    from perfscore.errors import PerfscoreError
    from perfscore.readers.limits import Limits
    from perfscore.run import run_score

    select_codes, ignore_codes = _codes(select), _codes(ignore)
    fmt_name = output_format(fmt.value if fmt else None, output)
    if quiet and verbose:
        raise _fail(_("--quiet and --verbose contradict each other"))
    try:
        code = run_score(files, rules=rules, fmt=fmt_name, output=output, fail_on=fail_on.value,
                         select=select_codes, ignore=ignore_codes, explain=explain, jobs=jobs,
                         progress=False if quiet else progress,
                         limits=Limits(max_cells=max_cells, max_uncompressed_mb=max_uncompressed_mb),
                         threshold=_threshold(threshold), compact=compact, quiet=quiet, verbose=verbose)
    except PerfscoreError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _fail(_("interrupted; no partial output written"), 130) from None
    except BrokenPipeError:  # `| head` has what it wanted: not an error
        _quiet_stdout()
        raise typer.Exit(0) from None
    raise typer.Exit(code)


@app.command(help=_("Document a finding code (or list them all)."))
def explain(code: Annotated[str | None, typer.Argument(
        metavar="CODE", help=_("finding code; omit to list all"))] = None) -> None:
    """Document a finding code (or list them all)."""
    from perfscore import catalogue
    from perfscore.i18n import catalogue_text, severity_label

    if code is None:
        from tabulate import tabulate

        typer.echo(tabulate([[s.code, severity_label(s.severity), catalogue_text(s, "title")]
                             for s in catalogue.CATALOGUE.values()],
                            headers=[_("code"), _("severity"), _("title")]))
        return
    spec = catalogue.get(code)
    if spec is None:
        import difflib

        hint = difflib.get_close_matches(code, list(catalogue.CATALOGUE), n=1)
        raise _fail(_("unknown finding code {code!r}").format(code=code)
                    + (_(" (did you mean {hint!r}?)").format(hint=hint[0]) if hint else ""))
    typer.echo(describe(spec))


def describe(spec) -> str:
    """A catalogue entry as `perfscore explain CODE` prints it, in the reader's language."""
    from perfscore.i18n import catalogue_text, severity_label

    return (f"{spec.code} [{severity_label(spec.severity)}] — {catalogue_text(spec, 'title')}\n\n"
            f"{_('What it means:')} {catalogue_text(spec, 'meaning')}\n"
            f"{_('How to fix it:')} {catalogue_text(spec, 'fix')}\n"
            f"{_('Rule:')} {catalogue_text(spec, 'rule')}\n")


@app.command(help=_("Print the JSON Schema of forms, results or rule files (generated from the models)."))
def schema(name: Annotated[SchemaName, typer.Argument(metavar="form|result|rules",
                                                      help=_("which schema"))]) -> None:
    """Print the JSON Schema of forms, results or rule files (generated from the models)."""
    from perfscore.schemas import schema_json

    typer.echo(schema_json(name.value))


@app.command(help=_("Write forms in the standard layout, for round trips and for people."))
def export(
    form_file: Annotated[Path, typer.Argument(metavar="FILE", help=_("a form file any reader understands"))],
    to: Annotated[ExportTo, typer.Option("--to", metavar="xlsx|docx|yaml", help=_("output format"))],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE",
                                         help=_("output file (written atomically)"))],
    rescored: Annotated[bool, typer.Option("--rescored", help=_(
        "write the recomputed 得分/总分/等级 in place of the printed ones and the findings as 复核意见 "
        "(xlsx, docx)"))] = False,
    rules: Annotated[str, typer.Option("--rules", "-r", metavar="NAME|FILE",
                                       help=_("rule set for --rescored"))] = "national",
) -> None:
    """Write forms in the standard layout, for round trips and for people."""
    from perfscore.errors import PerfscoreError
    from perfscore.fileio import Output
    from perfscore.model import Document
    from perfscore.readers import read_documents

    try:
        Output(output, [form_file])  # checked before reading: a wrong -o fails fast
        forms = [form for doc in read_documents(form_file) for form in doc.forms]
        if not forms:
            raise _fail(_("{file}: no forms found").format(file=form_file))
        from perfscore.writers import export as write

        reviews: dict[int, list[str]] = {}
        if rescored:
            if to.value == "yaml":
                raise _fail(_("--rescored writes xlsx or docx, not yaml"))
            from perfscore.api import score
            from perfscore.rules import load_rules
            from perfscore.writers.rescored import rescored as rescore

            rule_set = load_rules(rules)
            for index, form in enumerate(forms):
                forms[index], reviews[index] = rescore(form, score(form, rule_set))
        write(Document(forms=forms), output, to=to.value, source=form_file, reviews=reviews)
    except PerfscoreError as exc:
        raise _fail(str(exc)) from None
    typer.echo(_("wrote {n} form(s) to {output}").format(n=len(forms), output=output))


def _lang_first(argv: list[str]) -> list[str]:
    """`--lang X` given after the command (`perfscore score … --lang en`) moved before it, where the
    group's option is; the language itself was set when this module was imported."""
    out, i = [], 0
    front: list[str] = []
    while i < len(argv):
        if argv[i] == "--lang" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if argv[i].startswith("--lang="):
            front.append(argv[i])
        else:
            out.append(argv[i])
        i += 1
    return front + out


def main() -> None:
    """The `perfscore` command. A reader that stops reading (`perfscore score … | head`) is not an
    error: the broken pipe ends the command quietly with 0, stdout pointed at /dev/null so that the
    interpreter's final flush does not complain either."""
    try:
        app(args=_lang_first(sys.argv[1:]), prog_name="perfscore")
    except KeyboardInterrupt:
        typer.echo(_("perfscore: interrupted"), err=True)
        sys.exit(130)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(0)


def _quiet_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)
