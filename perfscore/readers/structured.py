"""YAML, JSON and JSON Lines forms: the transcriptions in ``samples/`` and what other tools send.

A file holds a document (``forms:`` plus optional ``narrative:``), a single form, or a list of forms;
a ``.jsonl`` stream holds one form or document per line. YAML is read with ``safe_load`` only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import ValidationError

from perfscore.construct import build
from perfscore.errors import ReadError
from perfscore.model import Document, Form, SourceRef


def describe_validation_error(exc: ValidationError) -> str:
    """First problem of a pydantic error as `field a.b[2].c: message`, the way a user reads it."""
    err = exc.errors()[0]
    loc = ""
    for part in err["loc"]:
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    msg = err["msg"]
    if err["type"] == "missing":
        msg = "required field is missing"
    elif err["type"] == "extra_forbidden":
        msg = "unknown field"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"field {loc or '<root>'}: {msg}{more}"


def _form_name(data: Any) -> str | None:
    return data.get("name") if isinstance(data, dict) and isinstance(data.get("name"), str) else None


def document_from_data(data: Any, file: str, line: int | None = None) -> Document:
    """Validate parsed YAML/JSON as a document, a form or a list of forms; one-line error otherwise."""
    where = f"line {line}" if line else None
    if isinstance(data, list):
        data = {"forms": data}
    if not isinstance(data, dict):
        raise ReadError(file, "not a form: expected a mapping with `name` or `forms`", where=where)
    if "forms" in data:
        forms = data.get("forms")
        if not isinstance(forms, list):
            raise ReadError(file, "field forms: expected a list of forms", where=where)
        for index, form in enumerate(forms):
            _validate_form(form, file, f"forms[{index}]", line)
        try:
            doc = Document.model_validate(data)
        except ValidationError as exc:
            raise ReadError(file, describe_validation_error(exc), where=where) from None
    elif "name" in data or "indicators" in data:
        doc = Document(forms=[_validate_form(data, file, None, line)])
    else:
        raise ReadError(file, "not a form: expected a mapping with `name` or `forms`", where=where)
    for index, form in enumerate(doc.forms, start=1):
        if form.source is None:
            form.source = SourceRef(file=file, table=index, line=line)
        elif form.source.file is None:
            form.source.file = file
    if doc.source is None:
        doc.source = SourceRef(file=file)
    return doc


def _validate_form(data: Any, file: str, prefix: str | None, line: int | None) -> Form:
    where = " ".join(p for p in (f"line {line}" if line else None, prefix) if p) or None
    if not isinstance(data, dict):
        raise ReadError(file, "not a form: expected a mapping", where=where)
    try:
        return Form.model_validate(data)
    except ValidationError as exc:
        raise ReadError(file, describe_validation_error(exc), form=_form_name(data), where=where) from None


def read_stream(lines: Iterable[str], file: str) -> Iterator[Document]:
    """JSON Lines: one form or document per non-blank line, validated lazily so memory stays flat.
    The first bad line raises; `stream_items` reports bad lines and goes on."""
    for item in stream_items(lines, file):
        if isinstance(item, ReadError):
            raise item
        yield item


def open_lines(path: Path | str) -> IO[str]:
    """A JSON Lines file as text whose bytes that are not UTF-8 come through as lone surrogates, so
    that `stream_items` reports the line that holds them and goes on, instead of the decoder stopping
    the whole file."""
    return Path(path).open(encoding="utf-8-sig", errors="surrogateescape")


def stdin_lines() -> IO[str]:
    """Standard input, decoded as `open_lines` decodes a file."""
    stdin = sys.stdin
    if hasattr(stdin, "reconfigure") and stdin.errors != "surrogateescape":
        stdin.reconfigure(errors="surrogateescape")
    return stdin


def stream_items(lines: Iterable[str], file: str, first_line: int = 1,
                 *, escaped: bool = True) -> Iterator[Document | ReadError]:
    """Each line's document, or the one-line error for that line: a bad line never stops the stream.
    `escaped`: the lines may hold undecodable bytes as surrogates (see `open_lines`)."""
    for number, text in enumerate(lines, start=first_line):
        if not text.strip():
            continue
        if escaped and _undecodable(text):
            yield ReadError(file, "not UTF-8 text", where=f"line {number}")
            continue
        try:
            fast = _fast_form(text, file, number)
            if fast is not None:
                yield fast
                continue
            yield document_from_data(json.loads(text), file, number)
        except json.JSONDecodeError as exc:
            yield ReadError(file, f"invalid JSON: {exc.msg}", where=f"line {number}")
        except ReadError as exc:
            yield exc


def _undecodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _fast_form(text: str, file: str, line: int) -> Document | None:
    """The common line — one valid form — validated straight from JSON (pydantic's parser is faster
    than json.loads + validation); anything else (documents, errors) takes the path that explains."""
    if '"forms"' in text[:200]:
        return None
    try:
        form = Form.model_validate_json(text)
    except ValidationError:
        return None
    if form.source is None:
        form.source = build(SourceRef, file=file, page=None, sheet=None, table=1, row=None, line=line)
    elif form.source.file is None:
        form.source.file = file
    source = build(SourceRef, file=file, page=None, sheet=None, table=None, row=None, line=None)
    return build(Document, title=None, forms=[form], narrative=None, source=source)


def read(path: Path) -> Iterator[Document]:
    file = str(path)
    if path.suffix.lower() == ".jsonl":
        with open_lines(path) as fh:
            yield from read_stream(fh, file)
        return
    text = _read_text(path)
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ReadError(file, f"invalid JSON: {exc.msg}", where=f"line {exc.lineno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise ReadError(file, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", where=where) from None
    yield document_from_data(data, file)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(str(path), "not UTF-8 text") from None


def read_io(stream: IO[str], name: str = "<stdin>") -> Iterator[Document]:
    yield from read_stream(stream, name)
