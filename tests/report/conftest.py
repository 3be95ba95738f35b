"""Fixtures shared by the report writers' tests: the samples scored once, rendered by any writer."""

from __future__ import annotations

import io

import pytest

from perfscore.batch import SummaryBuilder, run
from tests.conftest import SAMPLES

YAML_SAMPLES = sorted(SAMPLES.glob("*.yaml"))  # the transcriptions; other folders hold reader fixtures


def render_with(writer_cls, docs, explain=False) -> str:
    """Feed scored documents to a text writer as the CLI does, summary last; return what it wrote."""
    out = io.StringIO()
    writer = writer_cls(out, explain=explain)
    builder = SummaryBuilder()
    for doc in docs:
        builder.add(doc)
        writer.document(doc)
    writer.end(builder.build())
    return out.getvalue()


@pytest.fixture(scope="module")
def docs():
    from perfscore.rules import load_rules

    return list(run(YAML_SAMPLES, load_rules("national")))
