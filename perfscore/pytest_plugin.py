"""pytest collects YAML rule tests (files with `rules:` and `cases:`), one test item per case.

Registered as a pytest11 entry point, so `pytest indicators/` runs a rule set's cases next to the
project's own tests, and an auditor's `pytest my-rules/` runs theirs.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(parent, file_path: Path):
    from perfscore.ruletests import is_test_file

    if file_path.suffix in (".yaml", ".yml") and is_test_file(file_path):
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


class RuleTestFile(pytest.File):
    def collect(self):
        from perfscore.ruletests import load_test_file

        test = load_test_file(self.path)
        for case in test.cases:
            yield RuleTestItem.from_parent(self, name=case.name, case=case, test=test)


class RuleTestItem(pytest.Item):
    def __init__(self, *, case, test, **kwargs):
        super().__init__(**kwargs)
        self.case, self.test = case, test

    def runtest(self) -> None:
        from perfscore.ruletests import _rules_for, run_case

        outcome = run_case(self.case, self.test, _rules_for(self.test, self.path), self.path)
        if not outcome.ok:
            raise RuleCaseFailed(outcome)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, RuleCaseFailed):
            return str(excinfo.value.outcome)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"rule case: {self.name}"


class RuleCaseFailed(Exception):
    def __init__(self, outcome):
        super().__init__(str(outcome))
        self.outcome = outcome
