"""Shared fixtures: the repo's samples, the seeds beside the repo, the shipped rule sets."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SEEDS = REPO.parent / "shared" / "seeds"


def strip_meta(value):
    """model_dump without where-read information (source, read_notes) nor printed repairs (raw)."""
    if isinstance(value, dict):
        return {k: strip_meta(v) for k, v in value.items() if k not in ("source", "read_notes", "raw")}
    if isinstance(value, list):
        return [strip_meta(v) for v in value]
    return value


@pytest.fixture(scope="session")
def national():
    from perfscore.rules import load_rules

    return load_rules("national")


@pytest.fixture(scope="session")
def sample_forms():
    """Every transcribed form by name (names are unique across the samples)."""
    from perfscore.readers import read_documents

    forms = {}
    for path in sorted(SAMPLES.glob("*.yaml")):
        for doc in read_documents(path):
            for form in doc.forms:
                forms[form.name] = form
    return forms


@pytest.fixture
def seeds():
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present beside the repo")
    return SEEDS
