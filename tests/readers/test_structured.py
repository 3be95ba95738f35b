"""The JSON Lines fast path: the same documents as the general path that explains bad lines, and the same errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from perfscore import read_forms
from perfscore.model import Document, SourceRef
from perfscore.readers.structured import _fast_form, document_from_data, stream_items
from tests.conftest import assert_same

REPO = Path(__file__).resolve().parents[2]
FILE = "forms.jsonl"


def explained(text: str, line: int) -> Document:
    """What the general path, the one that explains bad lines, makes of a line: the fast path's reference."""
    return document_from_data(json.loads(text), FILE, line)


def sample_lines() -> list[str]:
    return [form.model_dump_json() for path in sorted((REPO / "samples").glob("*.yaml"))
            for form in read_forms(path)]


@pytest.fixture(scope="module")
def generated_lines() -> list[str]:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return [json.dumps(form, ensure_ascii=False, separators=(",", ":"))
            for form in generate(300, indicators=15, seed=7)]


def check_lines(lines: list[str]) -> None:
    assert lines
    docs = []
    for number, text in enumerate(lines, start=1):
        got, want = _fast_form(text, FILE, number), explained(text, number)
        assert got is not None
        assert got == want
        assert got.model_dump_json() == want.model_dump_json()
        assert_same(got.forms[0].indicators, want.forms[0].indicators)  # fields set and order too
        assert got.forms[0].model_fields_set == want.forms[0].model_fields_set
        docs.append(got)
    # nothing shared between lines: every default list and source is an object of its own
    for attr in ("read_notes", "indicators"):
        values = [getattr(doc.forms[0], attr) for doc in docs]
        assert len({id(v) for v in values}) == len(values)
    assert len({id(doc.source) for doc in docs}) == len(docs)


def test_sample_forms_read_as_before():
    check_lines(sample_lines())


def test_generated_forms_read_as_before(generated_lines):
    check_lines(generated_lines)


def test_form_without_source_gets_one():
    text = json.dumps({"name": "P", "indicators": [{"level3": "L3", "weight": 10, "score": 9}]})
    doc = _fast_form(text, FILE, 12)
    assert doc == explained(text, 12)
    assert doc.forms[0].source == SourceRef(file=FILE, table=1, line=12)
    assert doc.forms[0].model_fields_set == {"name", "indicators", "source"}


GOOD = {"name": "P", "indicators": [{"level3": "L3", "weight": 10, "score": 9}]}


def line(**changes) -> str:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


# The one-line errors of bad lines, as given before the fast path was sped up.
BAD_LINES = [
    (line(colour="red"), "forms.jsonl, form 'P', line 1: field colour: unknown field"),
    (line(year="twenty"),
     "forms.jsonl, form 'P', line 1: field year: Input should be a valid integer, unable to parse string as an integer"),
    (line(indicators=[{"level2": "x"}]),
     "forms.jsonl, form 'P', line 1: field indicators[0].level3: required field is missing"),
    (line(kind="county"),
     "forms.jsonl, form 'P', line 1: field kind: Input should be 'project', 'department' or 'target_report'"),
    (line(indicators=[{"level3": "a"}, {"level3": "b", "extra": 1}]),
     "forms.jsonl, form 'P', line 1: field indicators[1].extra: unknown field"),
    (line(funding={"total": {"label": "T", "executed": "abc"}}),
     "forms.jsonl, form 'P', line 1: field funding.total.executed: Input should be a valid decimal"),
    ("[1, 2]", "forms.jsonl, line 1 forms[0]: not a form: expected a mapping"),
    ("42", "forms.jsonl, line 1: not a form: expected a mapping with `name` or `forms`"),
    ('{"title": "t"}', "forms.jsonl, line 1: not a form: expected a mapping with `name` or `forms`"),
    ("{not json", "forms.jsonl, line 1: invalid JSON: Expecting property name enclosed in double quotes"),
    (json.dumps({"forms": [{"name": "A"}, {"name": "B", "year": "x"}]}),
     ("forms.jsonl, form 'B', line 1 forms[1]: field year: Input should be a valid integer, "
      "unable to parse string as an integer")),
]


@pytest.mark.parametrize(("text", "message"), BAD_LINES)
def test_bad_line_gives_the_same_error_and_the_stream_goes_on(text, message):
    first, second = stream_items([text, "", line()], FILE)
    assert str(first) == message
    assert isinstance(second, Document) and second.forms[0].source.line == 3
