"""Shared fixtures: the repo's samples, the seeds beside the repo, the shipped rule sets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests that read output were written in English: they run in English (as `--lang en`), including the
# fixtures built once per module and the commands run as subprocesses; a test marked `zh` runs in Chinese.
os.environ["PERFSCORE_LANG"] = "en"
from pydantic import BaseModel

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


def read_one(path: Path):
    """The one document a reader finds in `path` (the round-trip tests write one per file)."""
    from perfscore.readers import read_documents

    docs = list(read_documents(path))
    assert len(docs) == 1
    return docs[0]


def assert_same(got, want, path: str = "doc") -> None:
    """Equal, and equal in what `==` does not see: fields set, field order, value types, at every level."""
    assert type(got) is type(want), path
    if isinstance(want, BaseModel):
        assert got.model_fields_set == want.model_fields_set, path
        assert list(got.__dict__) == list(want.__dict__), path
        assert got.__pydantic_extra__ == want.__pydantic_extra__, path
        assert got.__pydantic_private__ == want.__pydantic_private__, path
        for name in want.__dict__:
            assert_same(got.__dict__[name], want.__dict__[name], f"{path}.{name}")
    elif isinstance(want, list | dict):
        assert len(got) == len(want), path
        pairs = zip(got, want) if isinstance(want, list) else ((got[k], v) for k, v in want.items())
        for index, (g, w) in enumerate(pairs):
            assert_same(g, w, f"{path}[{index}]")
    else:
        assert got == want, path


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


@pytest.fixture(autouse=True)
def language(request, monkeypatch):
    """English for every test (see PERFSCORE_LANG above), Chinese for a test marked `zh`."""
    from perfscore import i18n

    lang = "zh" if request.node.get_closest_marker("zh") else "en"
    monkeypatch.setenv("PERFSCORE_LANG", lang)
    i18n.set_language(lang)
    yield lang
    i18n.set_language("en")
