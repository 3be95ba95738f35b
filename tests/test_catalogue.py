"""Every code the engine can emit is documented in the catalogue, and every entry is complete."""

from __future__ import annotations

import re

from perfscore.batch import run
from perfscore.catalogue import CATALOGUE
from perfscore.rules import available, indicators_dir, load_rules
from tests.conftest import REPO, SAMPLES, SEEDS


def test_every_entry_is_complete():
    for spec in CATALOGUE.values():
        assert spec.title and spec.meaning and spec.fix and spec.rule
        assert spec.severity in ("error", "warning", "info")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", spec.code)


def test_every_code_in_the_source_is_documented():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "perfscore").rglob("*.py"))
    used = set(re.findall(r'sink\.add\(\s*"([a-z0-9-]+)"', source))
    used |= set(re.findall(r'code="([a-z0-9-]+)"', source))
    used |= set(re.findall(r'ReadNote\(\s*"([a-z0-9-]+)"', source))
    used |= set(re.findall(r'\.note\(\s*"([a-z0-9-]+)"', source))
    assert used, "no codes found: the pattern is out of date"
    assert used - set(CATALOGUE) == set()


def test_every_emitted_code_is_documented():
    inputs = [SAMPLES, indicators_dir() / "tests" / "forms"]
    if SEEDS.is_dir():
        inputs.append(SEEDS)
    emitted = set()
    for name in available():
        for doc in run(inputs, load_rules(name)):
            for form in doc.forms:
                emitted |= {f.code for f in form.findings}
            emitted |= {f.code for f in doc.findings}
    assert emitted - set(CATALOGUE) == set()
    assert {"total-mismatch", "rate-mismatch", "score-deviation", "operator-alias"} <= emitted
