"""Command line, `perfscore rules list | show | check | test`: the rule sets shipped, one resolved, rule files
checked, and the auditors' YAML rule tests run. Registered on the main command by `perfscore.cli`, which sets
the language first; heavy modules are imported inside the commands so that `--help` stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from perfscore.i18n import _

__all__ = ["rules_app"]

rules_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                        pretty_exceptions_enable=False, help=_("List, show, check and test rule sets."))


def _fail(message: str, code: int = 2) -> typer.Exit:
    from perfscore.cli import _fail as fail  # (imported when a command runs: `perfscore.cli` is loaded by then)

    return fail(message, code)


@rules_app.command("list", help=_("The shipped rule sets with their metadata."))
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
    typer.echo(tabulate(rows, headers=[_("name"), _("region"), _("years"), _("extends"), _("title")]))


@rules_app.command("show", help=_("Print the fully resolved rule set (after `extends`) as YAML."))
def rules_show(name: Annotated[str, typer.Argument(metavar="NAME|PATH", help=_("rule set name or path"))]) -> None:
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


@rules_app.command("check", help=_("Report every problem in rule files at once, with line, column and suggestions."))
def rules_check(files: Annotated[list[str], typer.Argument(metavar="FILE...", help=_("rule files or names"))]) -> None:
    """Report every problem in rule files at once, with line, column and suggestions."""
    from perfscore.rules import check_rules

    bad = 0
    for file in files:
        _rules, problems = check_rules(file)
        for problem in problems:
            typer.echo(str(problem), err=True)
        bad += len(problems)
        if not problems:
            typer.echo(_("{file}: ok").format(file=file))
    if bad:
        raise _fail(_("{n} problem(s)").format(n=bad))


@rules_app.command("test", help=_("Run the YAML rule tests: expected scores, grades and findings for given inputs."))
def rules_test(paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", help=_("rule test files or directories"))]) -> None:
    """Run the YAML rule tests: expected scores, grades and findings for given inputs."""
    from perfscore.errors import PerfscoreError
    from perfscore.ruletests import run_paths

    try:
        failed, total, lines = run_paths(paths)
    except PerfscoreError as exc:
        raise _fail(str(exc)) from None
    for line in lines:
        typer.echo(line)
    typer.echo(_("{passed} passed, {failed} failed").format(passed=total - failed, failed=failed))
    if failed:
        raise typer.Exit(1)
    if total == 0:
        raise _fail(_("no rule tests found"))
