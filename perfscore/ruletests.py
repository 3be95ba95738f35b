"""YAML rule tests: the cases that prove a rule set, run by `perfscore rules test` and collected by pytest.

A test file names a rule set and lists cases. A case gives an input — one indicator, an inline form, or a
form from a file — and what the rule set must make of it: scores, method, funding, total, grade, and
findings that must (or must not) appear, within a margin. See indicators/README.md.

```yaml
rules: national            # name, or a path relative to this file
margin: 0.005              # default for every case
cases:
  - name: positive below target
    indicator: {target: "≥11台", actual: "≥7台", weight: 5}
    expect: {score: 3.18, method: positive}
  - name: 巡察经费
    file: ../../samples/shangdang-2023-xunchaban.yaml
    form: 巡察经费
    expect: {total: 91.75, grade: 优, funding: 4.57, findings: [score-deviation], no_findings: [total-mismatch]}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from perfscore import safeyaml
from perfscore.errors import PerfscoreError, ReadError, RulesError
from perfscore.model import Form, Indicator


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: Decimal | None = Field(None, description="computed score of the (first) indicator")
    scores: list[Decimal | None] | None = Field(None, description="computed score of every indicator, in order")
    method: str | None = None
    funding: Decimal | None = None
    total: Decimal | None = None
    grade: str | None = None
    findings: list[str] = Field(default_factory=list, description="codes that must be reported")
    no_findings: list[str] = Field(default_factory=list, description="codes that must not be reported")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    indicator: dict[str, Any] | None = None
    form: dict[str, Any] | str | None = Field(None, description="an inline form, or a form name in `file`")
    file: str | None = None
    margin: Decimal | None = None
    expect: Expect


class TestFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: str
    margin: Decimal = Decimal("0.005")
    description: str | None = None
    cases: list[Case]


@dataclass
class Outcome:
    file: str
    case: str
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        head = f"{'PASS' if self.ok else 'FAIL'} {self.file} :: {self.case}"
        return head + "".join(f"\n    {f}" for f in self.failures)


def is_test_file(path: Path) -> bool:
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        head = path.read_text(encoding="utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return False
    return "\ncases:" in "\n" + head and "\nrules:" in "\n" + head


def find_test_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*.y*ml")) if is_test_file(p))
        elif path.is_file():
            out.append(path)
        else:
            raise PerfscoreError(f"{path}: no such file or directory")
    return out


def load_test_file(path: Path) -> TestFile:
    try:
        data = safeyaml.safe_load(path.read_text(encoding="utf-8"))
        return TestFile.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise PerfscoreError(f"{path}: cannot read rule tests: {str(exc).splitlines()[0]}") from None
    except ValidationError as exc:
        from perfscore.readers.structured import describe_validation_error

        raise PerfscoreError(f"{path}: {describe_validation_error(exc)}") from None


def _rules_for(test: TestFile, path: Path):
    from perfscore.rules import load_rules

    candidate = path.parent / test.rules
    return load_rules(candidate if candidate.suffix in (".yaml", ".yml") and candidate.is_file() else test.rules)


def _case_form(case: Case, path: Path) -> Form:
    if case.indicator is not None:
        data = dict(case.indicator)
        if "target" in data:
            data["initial_target"] = data.pop("target")
        data.setdefault("level3", case.name)
        for key in ("weight", "score"):
            if key in data and data[key] is not None:
                data[key] = str(data[key])
        return Form(name=case.name, indicators=[Indicator.model_validate(data)])
    if isinstance(case.form, dict):
        return Form.model_validate(case.form)
    if case.file:
        from perfscore.readers import read_documents

        wanted = case.form
        for doc in read_documents(path.parent / case.file):
            for form in doc.forms:
                if wanted is None or form.name == wanted:
                    return form
        raise PerfscoreError(f"{case.file}: no form named {wanted!r}")
    raise PerfscoreError("a case needs `indicator`, `form` or `file`")


def _close(got: Decimal | None, want: Decimal, margin: Decimal) -> bool:
    return got is not None and abs(got - want) <= margin


def run_case(case: Case, test: TestFile, rules, path: Path) -> Outcome:
    from perfscore.pipeline import score_form as score

    failures: list[str] = []
    try:
        form = _case_form(case, path)
        result = score(form, rules)
    except (PerfscoreError, ValidationError, InvalidOperation) as exc:
        return Outcome(str(path), case.name, [f"cannot run: {str(exc).splitlines()[0]}"])
    margin = case.margin if case.margin is not None else test.margin
    exp = case.expect
    first = result.indicators[0] if result.indicators else None
    if exp.score is not None and not _close(first.computed_score if first else None, exp.score, margin):
        failures.append(f"score: expected {exp.score} ± {margin}, got {first.computed_score if first else None}")
    if exp.scores is not None:
        got = [i.computed_score for i in result.indicators]
        if len(got) != len(exp.scores) or any(
                (w is None) != (g is None) or (w is not None and not _close(g, w, margin))
                for g, w in zip(got, exp.scores, strict=False)):
            failures.append(f"scores: expected {[str(s) for s in exp.scores]}, got {[str(g) for g in got]}")
    if exp.method is not None and (first is None or first.method != exp.method):
        failures.append(f"method: expected {exp.method}, got {first.method if first else None}")
    if exp.funding is not None:
        got_f = result.funding.computed_score if result.funding else None
        if not _close(got_f, exp.funding, margin):
            failures.append(f"funding: expected {exp.funding} ± {margin}, got {got_f}")
    if exp.total is not None and not _close(result.computed_total, exp.total, margin):
        failures.append(f"total: expected {exp.total} ± {margin}, got {result.computed_total}")
    if exp.grade is not None and result.computed_grade != exp.grade:
        failures.append(f"grade: expected {exp.grade}, got {result.computed_grade}")
    codes = {f.code for f in result.findings}
    for code in exp.findings:
        if code not in codes:
            failures.append(f"finding {code}: expected, not reported (got {', '.join(sorted(codes)) or 'none'})")
    for code in exp.no_findings:
        if code in codes:
            failures.append(f"finding {code}: reported, expected none")
    return Outcome(str(path), case.name, failures)


def run_file(path: Path) -> list[Outcome]:
    test = load_test_file(path)
    try:
        rules = _rules_for(test, path)
    except RulesError as exc:
        raise PerfscoreError(f"{path}: rules {test.rules!r}: {exc.problems[0]}") from None
    return [run_case(case, test, rules, path) for case in test.cases]


def run_paths(paths: list[Path]) -> tuple[int, int, list[str]]:
    """(failed, total, report lines) for every rule test under `paths`."""
    outcomes: list[Outcome] = []
    for path in find_test_files(paths):
        outcomes.extend(run_file(path))
    lines = [str(o) for o in outcomes if not o.ok]
    return sum(1 for o in outcomes if not o.ok), len(outcomes), lines


__all__ = ["ReadError", "find_test_files", "is_test_file", "run_file", "run_paths"]
