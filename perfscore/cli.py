"""Command line: `perfscore score | explain | schema | export | rules`.

Exit codes: 0 clean, 1 findings reached --fail-on, 2 unusable input or usage. Every error is one line
on stderr, never a traceback. Heavy modules are imported inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

# The defaults of perfscore.readers.limits.Limits, repeated so that --help does not import the readers
# (a test checks that they agree).
DEFAULT_MAX_CELLS = 1_000_000
DEFAULT_MAX_UNCOMPRESSED_MB = 256

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="Re-score and audit 绩效自评表 (performance self-evaluation forms).")
rules_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                        pretty_exceptions_enable=False, help="List, show, check and test rule sets.")
app.add_typer(rules_app, name="rules")


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


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
        raise _fail(f"unknown finding code(s): {', '.join(unknown)}; see `perfscore explain`")
    return out


@app.command()
def score(
    files: Annotated[list[str], typer.Argument(help="forms: files, directories, or - for JSON Lines on stdin")],
    rules: Annotated[str, typer.Option("--rules", "-r", help="rule set name or YAML path")] = "national",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="output format")] = Format.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="write here (a file atomically; a FIFO or device directly)")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="exit 1 when a finding reaches this")] = FailOn.error,
    select: Annotated[list[str] | None, typer.Option("--select", help="only these finding codes")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="drop these finding codes")] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="show the rule, inputs and formula behind each score")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="worker processes (default 0: one per core)")] = 0,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help="progress bar (default: on a terminal)")] = None,
    max_cells: Annotated[int, typer.Option(
        "--max-cells", min=1, help="refuse a sheet spanning more cells (rows × columns from A1), or a YAML "
        "file whose aliases expand to more values")] = DEFAULT_MAX_CELLS,
    max_uncompressed_mb: Annotated[int, typer.Option(
        "--max-uncompressed-mb", min=1, help="refuse an xlsx/docx whose parts declare more megabytes "
        "uncompressed, or a PDF whose streams inflate to more")] = DEFAULT_MAX_UNCOMPRESSED_MB,
) -> None:
    """Re-score forms and report findings.

    Files that would cost far more than their size (a zip or decompression bomb, a sheet declared
    to XFD1048576, a YAML alias bomb) are refused with one line before they are read; --max-cells
    and --max-uncompressed-mb raise the limits."""
    from perfscore.errors import PerfscoreError
    from perfscore.readers.limits import Limits
    from perfscore.run import run_score

    select_codes, ignore_codes = _codes(select), _codes(ignore)
    try:
        code = run_score(files, rules=rules, fmt=fmt.value, output=output, fail_on=fail_on.value,
                         select=select_codes, ignore=ignore_codes, explain=explain, jobs=jobs, progress=progress,
                         limits=Limits(max_cells=max_cells, max_uncompressed_mb=max_uncompressed_mb))
    except PerfscoreError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted; no partial output written", 130) from None
    raise typer.Exit(code)


@app.command()
def explain(code: Annotated[str | None, typer.Argument(help="finding code; omit to list all")] = None) -> None:
    """Document a finding code (or list them all)."""
    from perfscore import catalogue

    if code is None:
        from tabulate import tabulate

        typer.echo(tabulate([[s.code, s.severity, s.title] for s in catalogue.CATALOGUE.values()],
                            headers=["code", "severity", "title"]))
        return
    spec = catalogue.get(code)
    if spec is None:
        import difflib

        hint = difflib.get_close_matches(code, list(catalogue.CATALOGUE), n=1)
        raise _fail(f"unknown finding code {code!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    typer.echo(catalogue.describe(spec))


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="form | result | rules")]) -> None:
    """Print the JSON Schema of forms, results or rule files (generated from the models)."""
    from perfscore.schemas import schema_json

    typer.echo(schema_json(name.value))


@app.command()
def export(
    form_file: Annotated[Path, typer.Argument(help="a form file any reader understands")],
    to: Annotated[ExportTo, typer.Option("--to", help="xlsx | docx | yaml")],
    output: Annotated[Path, typer.Option("--output", "-o", help="output file (written atomically)")],
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
            raise _fail(f"{form_file}: no forms found")
        from perfscore.writers import export as write

        write(Document(forms=forms), output, to=to.value, source=form_file)
    except PerfscoreError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"wrote {len(forms)} form(s) to {output}")


@rules_app.command("list")
def rules_list() -> None:
    """The shipped rule sets with their metadata."""
    from tabulate import tabulate

    from perfscore.rules import available, load_rules

    rows = []
    for name in available():
        r = load_rules(name).spec
        years = ""
        if r.years:
            years = f"{r.years.start or ''}–{r.years.end or ''}"
        rows.append([name, r.region or "", years, ", ".join(r.extends), r.title or ""])
    typer.echo(tabulate(rows, headers=["name", "region", "years", "extends", "title"]))


@rules_app.command("show")
def rules_show(name: Annotated[str, typer.Argument(help="rule set name or path")]) -> None:
    """Print the fully resolved rule set (after `extends`) as YAML."""
    import yaml

    from perfscore.errors import RulesError
    from perfscore.rules import load_rules

    try:
        spec = load_rules(name).spec
    except RulesError as exc:
        raise _fail(str(exc)) from None
    data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110))


@rules_app.command("check")
def rules_check(files: Annotated[list[str], typer.Argument(help="rule files or names")]) -> None:
    """Report every problem in rule files at once, with line, column and suggestions."""
    from perfscore.rules import check_rules

    bad = 0
    for file in files:
        _, problems = check_rules(file)
        for problem in problems:
            typer.echo(str(problem), err=True)
        bad += len(problems)
        if not problems:
            typer.echo(f"{file}: ok")
    if bad:
        raise _fail(f"{bad} problem(s)")


@rules_app.command("test")
def rules_test(paths: Annotated[list[Path], typer.Argument(help="rule test files or directories")]) -> None:
    """Run the YAML rule tests: expected scores, grades and findings for given inputs."""
    from perfscore.errors import PerfscoreError
    from perfscore.ruletests import run_paths

    try:
        failed, total, lines = run_paths(paths)
    except PerfscoreError as exc:
        raise _fail(str(exc)) from None
    for line in lines:
        typer.echo(line)
    typer.echo(f"{total - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)
    if total == 0:
        raise _fail("no rule tests found")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("perfscore: interrupted", err=True)
        sys.exit(130)
