"""The JSON Lines fast path: the same documents as the general path that explains bad lines, and the same errors."""

from __future__ import annotations

import codecs
import io
import json
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfscore import read_forms
from perfscore.errors import ReadError
from perfscore.model import Document, SourceRef
from perfscore.readers import read_documents
from perfscore.readers.structured import (
    _fast_form,
    byte_items,
    document_from_data,
    stdin_bytes,
    stream_items,
)
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
    (json.dumps({**GOOD, "name": "P\ud800"}),  # ASCII: the lone surrogate as an escape
     "forms.jsonl, line 1: invalid JSON: an escaped lone surrogate (half of a character)"),
    (json.dumps({"forms": [{"name": "A"}, {"name": "B", "year": "x"}]}),
     ("forms.jsonl, form 'B', line 1 forms[1]: field year: Input should be a valid integer, "
      "unable to parse string as an integer")),
]


@pytest.mark.parametrize(("text", "message"), BAD_LINES)
def test_bad_line_gives_the_same_error_and_the_stream_goes_on(text, message):
    first, second = stream_items([text, "", line()], FILE)
    assert str(first) == message
    assert isinstance(second, Document) and second.forms[0].source.line == 3


# JSON Lines read as bytes (`byte_items`): what the text stream would give, line numbers included.

def text_items(data: bytes, universal: bool) -> list:
    """The reference: the bytes read as a text stream, a file (`open_lines`) or standard input."""
    if universal:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="surrogateescape", newline=None)
    else:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape", newline="\n")
    return list(stream_items(text, FILE))


def byte_stream_items(data: bytes, universal: bool) -> list:
    return list(byte_items(io.BytesIO(data), FILE, universal=universal, bom=universal))


def assert_same_items(got: list, want: list) -> None:
    assert [type(item) for item in got] == [type(item) for item in want]
    for g, w in zip(got, want):
        if isinstance(w, Document):
            assert_same(g, w)
        else:
            assert str(g) == str(w)


GOOD_BYTES = line().encode()
EDGE_LINES = [
    codecs.BOM_UTF8 + GOOD_BYTES, b"", b"  \t", "\u3000".encode(), "\xa0".encode(),
    GOOD_BYTES + b"\r",  # \r\n
    GOOD_BYTES + b"\r" + GOOD_BYTES,  # a lone \r between two forms
    GOOD_BYTES + b"\r\r",
    b"{not json", line(colour="red").encode(),
    json.dumps({"forms": [GOOD, GOOD], "narrative": {"forms": 2}}).encode(),
    json.dumps({**GOOD, "source": {"page": 3}}).encode(),
    json.dumps({**GOOD, "source": {"file": "a.xlsx", "sheet": "S"}}).encode(),
    GOOD_BYTES.replace(b"L3", b"L\xff3"),
    b'{"name": "\xe4\xb8"}\r' + GOOD_BYTES,  # a byte that is not UTF-8, then a lone \r
    "\u2028".encode() + GOOD_BYTES, GOOD_BYTES + "\x85".encode(), b"42",
]


@pytest.mark.parametrize("universal", [True, False], ids=["file", "stdin"])
@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_bytes_read_as_the_text_stream_reads_them(universal, end):
    data = end.join(EDGE_LINES) + end
    want = text_items(data, universal)
    assert sum(isinstance(item, Document) for item in want) >= (5 if end != b"\r" or universal else 0)
    assert_same_items(byte_stream_items(data, universal), want)
    assert_same_items(byte_stream_items(data.removesuffix(end), universal), want)  # no final newline


NOT_UTF8 = [b"\xff", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8", b"\xf4\x90\x80\x80", b"\xfe\xff"]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0), st.sampled_from(NOT_UTF8))
def test_a_line_that_is_not_utf8_is_never_validated_as_bytes(where, bad):
    """Validated straight from bytes, a line must still be rejected when it is not UTF-8, wherever the bad
    bytes are: pydantic's parser checks, and this holds it to that."""
    data = json.dumps({**GOOD, "department": "财政局", "reported_total": "9.5"}, ensure_ascii=False).encode()
    where %= len(data) + 1
    data = data[:where] + bad + data[where:]
    got = byte_stream_items(data + b"\n", True)
    assert_same_items(got, text_items(data + b"\n", True))
    assert [str(item) for item in got] == [f"{FILE}, line 1: not UTF-8 text"]


def test_standard_input_hands_on_each_line_as_it_arrives():
    """A large buffer over a pipe must not wait to be filled: a producer may send a line at a time."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as pipe, os.fdopen(write_end, "wb", buffering=0) as producer:
        stdin = io.TextIOWrapper(pipe, encoding="utf-8")
        with mock.patch.object(sys, "stdin", stdin):
            reader, bom = stdin_bytes()
        assert not bom
        producer.write(GOOD_BYTES + b"\n")
        lines = []
        thread = threading.Thread(target=lambda: lines.append(reader.readline()), daemon=True)
        thread.start()
        thread.join(timeout=10)
        assert lines == [GOOD_BYTES + b"\n"]
        producer.write(b"last")
        producer.close()
        assert reader.readline() == b"last"


def test_standard_input_not_in_utf8_is_read_as_text():
    stdin = io.TextIOWrapper(io.BytesIO(b"x"), encoding="latin-1")
    with mock.patch.object(sys, "stdin", stdin):
        assert stdin_bytes() is None
    stdin = io.TextIOWrapper(io.BytesIO(codecs.BOM_UTF8 + GOOD_BYTES), encoding="utf-8-sig")
    with mock.patch.object(sys, "stdin", stdin):
        reader, bom = stdin_bytes()
        assert bom and [type(item) for item in byte_items(reader, FILE, bom=bom)] == [Document]


@pytest.mark.parametrize(("suffix", "text", "error"), [
    (".json", '{"name": "P\\udc00", "indicators": []}', "invalid JSON: an escaped lone surrogate"),
    (".yaml", 'name: "P\\ud800"\nindicators: []\n', "invalid YAML: an escaped lone surrogate"),
    (".yaml", 'name: "P\\U0000DFFF"\nindicators: []\n', "invalid YAML: an escaped lone surrogate"),
    (".json", '{"name": "P\\ud83d\\ude00", "indicators": []}', None),  # a pair: one character, 😀
])
def test_an_escaped_lone_surrogate_is_refused_not_written(tmp_path, suffix, text, error):
    """Half a character cannot be written in any output: refused when read, as the fast path refuses it."""
    from perfscore.readers.structured import read

    path = tmp_path / f"form{suffix}"
    path.write_text(text, encoding="utf-8")
    if error is None:
        assert next(read(path)).forms[0].name == "P\U0001f600"
    else:
        with pytest.raises(ReadError, match=error):
            next(read(path))


# --- hostile structure: deep nesting, alias bombs, repeated keys (issue #12) ----------------------


def _one_line_error(path: Path, **kwargs) -> str:
    from perfscore.readers import read_documents

    with pytest.raises(ReadError) as info:
        list(read_documents(path, **kwargs))
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize(("name", "text"), [("deep.yaml", "[" * 1000 + "]" * 1000),
                                            ("deep.json", "[" * 100_000 + "]" * 100_000),
                                            ("deep-map.yaml", "a:\n" + "".join(" " * i + " b:\n" for i in range(1, 200)))])
def test_deep_nesting_is_one_line_and_the_batch_goes_on(tmp_path, name, text):
    from perfscore.batch import iter_documents

    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    assert "nested deeper than" in _one_line_error(bad)
    good = REPO / "samples" / "shangdang-2023-xunchaban.yaml"
    results = list(iter_documents([bad, good]))
    assert [r[2] is None for r in results] == [False, True]


def test_a_deep_line_of_a_stream_is_one_error_and_the_stream_goes_on():
    line = json.dumps({"name": "ok", "indicators": []})
    items = list(stream_items(["[" * 100_000 + "]" * 100_000, line], "s.jsonl"))
    assert isinstance(items[0], ReadError) and "nested deeper than" in str(items[0]) and "line 1" in str(items[0])
    assert isinstance(items[1], Document)


def _alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\nname: bomb\nindicators: []\nnotes: *a{levels - 1}\n"


def test_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    import time

    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(10), encoding="utf-8")  # 9^10 values from 500 bytes
    start = time.perf_counter()
    message = _one_line_error(path)
    assert time.perf_counter() - start < 2
    assert "alias" in message and "--max-cells" in message


def test_the_alias_limit_is_the_users_to_raise(tmp_path):
    from perfscore.readers.limits import Limits

    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(4), encoding="utf-8")  # ~ 8,000 values
    assert "--max-cells 1,000" in _one_line_error(path, limits=Limits(max_cells=1000))
    # raised, the aliases expand and the file is read as what it is (here: an unknown field)
    assert "unknown field" in _one_line_error(path, limits=Limits(max_cells=100_000))


@pytest.mark.parametrize(("name", "text", "where"), [
    ("dup.yaml", "name: a\nunit: x\nname: b\nindicators: []\n", "line 3"),
    ("dup-nested.yaml", "name: a\nindicators:\n  - level3: x\n    weight: 5\n    weight: 50\n", "line 5"),
    ("dup.json", '{"name": "a", "indicators": [], "name": "b"}', None),
])
def test_duplicate_keys_in_form_files_are_refused(tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    message = _one_line_error(path)
    assert "duplicate key" in message
    assert where is None or where in message


def test_yaml_merge_keys_are_not_duplicates(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {unit: x}\nforms:\n  - <<: *b\n    name: a\n    indicators: []\n", encoding="utf-8")
    assert "duplicate" not in _one_line_error(path)  # fails for the unknown `base:`, not for `<<`


def test_read_forms_of_an_empty_path_is_an_error_not_the_current_directory(tmp_path, monkeypatch):
    import shutil

    shutil.copy(REPO / "samples" / "shangdang-2023-xunchaban.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReadError) as info:
        list(read_forms(""))
    assert "empty file name" in str(info.value)
    assert list(read_forms("", on_error="skip")) == []


def test_failed_files_are_counted_as_files_not_lines(tmp_path):
    from typer.testing import CliRunner

    from perfscore.cli import app

    stream = tmp_path / "bad.jsonl"
    stream.write_text("not json\n{\n[1]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(stream), "--jobs", "1"])
    assert result.exit_code == 2
    assert "(1 file(s) failed)" in result.output


def test_numbers_written_as_printed_are_read_and_said(tmp_path):
    """"10分", "9.5 分", "5.5万元" in a 万元 block: the form is read, each number with a repair-number note."""
    path = tmp_path / "form.yaml"
    path.write_text('name: 测试\nfunding:\n  total: {label: 资金总额, annual_budget: "5.5万元", executed: "5.5"}\n'
                    'indicators:\n  - {level3: 数量, initial_target: "≥1", actual: "1", weight: "10分", score: "9.5 分"}\n',
                    encoding="utf-8")
    (form,) = next(read_documents(path)).forms
    assert (form.indicators[0].weight, form.indicators[0].score) == (Decimal(10), Decimal("9.5"))
    assert form.funding.total.annual_budget == Decimal("5.5")
    assert sorted(n.field for n in form.read_notes if n.code == "repair-number") == [
        "funding.total.annual_budget", "indicators[0].score", "indicators[0].weight"]
    many = tmp_path / "doc.yaml"
    many.write_text('forms:\n  - name: 甲\n    indicators: [{level3: a, weight: "10分"}]\n', encoding="utf-8")
    assert next(read_documents(many)).forms[0].indicators[0].weight == 10


def test_a_unit_that_would_change_the_magnitude_is_still_an_error(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_text('name: 测试\nfunding:\n  total: {label: 资金总额, annual_budget: "55000元"}\n', encoding="utf-8")
    with pytest.raises(ReadError) as err:
        list(read_documents(path))
    assert "funding.total.annual_budget" in str(err.value) and "\n" not in str(err.value)
