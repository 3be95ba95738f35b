"""Every YAML example in indicators/README.md is valid when an auditor copies it into a rule file.

A rule-set fragment is written into a file that extends a shipped rule set (the one it is taken from: any
that makes it load without a problem); a rule-test example is checked as YAML with its keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from perfscore.errors import RulesError
from perfscore.rules import available, load_rules

README = Path(__file__).resolve().parents[2] / "indicators" / "README.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_a_readme_example_loads_when_copied(tmp_path, index):
    data = yaml.safe_load(BLOCKS[index])  # a YAML error fails here, with its line
    if not isinstance(data, dict) or {"cases"} <= set(data) or set(data) <= {"reasons", "vocabulary"}:
        return  # a comment-only block, a rule-test file, or a vocabulary excerpt: valid YAML is what is asked
    problems = []
    for base in ["national", *(name for name in available() if name != "national")]:
        doc = {"name": f"copied-{index}", **data}
        doc.setdefault("extends", [base])
        path = tmp_path / f"copied-{index}-{base}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        try:
            load_rules(path)
            return
        except RulesError as exc:
            problems.append(f"{base}: {exc}")
    pytest.fail("\n".join(problems))
