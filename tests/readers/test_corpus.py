"""The real-form corpus beside the repo (../shared/corpus): how much of it the readers read right.

A ratchet, not a target: the share measured by the corpus's own ``check.py`` may only go up. The wider set
of published forms that judges the readers is not shared, so nothing here names one corpus file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FLOOR_FIELDS = 85.0
FLOOR_FORMS = 19


@pytest.mark.skipif(not (CORPUS / "check.py").exists(), reason="no corpus beside the repo")
def test_corpus_share_does_not_fall():
    exe = shutil.which("perfscore") or str(Path(sys.executable).parent / "perfscore")
    out = subprocess.run([sys.executable, str(CORPUS / "check.py"), "--perfscore", exe], capture_output=True,
                         text=True, timeout=600).stdout
    m = re.search(r"\(([\d.]+) %\); forms found (\d+)/", out)
    assert m, out
    assert float(m.group(1)) >= FLOOR_FIELDS and int(m.group(2)) >= FLOOR_FORMS, out.splitlines()[-1]


def _pipe_forms() -> list[tuple[str, str]]:
    import yaml

    out = []
    for path in sorted((CORPUS / "forms").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))["raw"]
        if raw.count("|") >= 10:
            out.append((path.stem, raw))
    return out


def _relayout(raw: str, how: str) -> str:
    lines = []
    for line in raw.splitlines():
        if "|" not in line:
            lines.append(line)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if how == "tabs":
            lines.append("\t".join(cells))
        elif how == "spaces":
            lines.append("   ".join(c for c in cells if c))
        else:
            lines.extend(c for c in cells if c)
    return "\n".join(lines) + "\n"


def _fields(text: str) -> list:
    from perfscore.readers.text import read_text

    form = read_text(text, "form.txt").forms[0]
    total = form.funding.total if form.funding and form.funding.total else None
    return [form.name, form.reported_total, total and (total.annual_budget, total.executed),
            [(i.level3, i.weight, i.score, i.initial_target, i.actual) for i in form.indicators]]


@pytest.mark.skipif(not (CORPUS / "forms").is_dir(), reason="no corpus beside the repo")
@pytest.mark.parametrize("how", ["tabs", "spaces", "lines"])
def test_a_pipe_table_reads_the_same_with_other_separators(how):
    """Every real form printed as a pipe table reads the same with its cells between tabs, between wide
    spaces, or one per line (as other pages and PDF extractions print them)."""
    forms = _pipe_forms()
    assert forms
    for name, raw in forms:
        assert _fields(_relayout(raw, how)) == _fields(raw), name
