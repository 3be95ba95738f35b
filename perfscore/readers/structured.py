"""YAML, JSON and JSON Lines forms: the transcriptions in ``samples/`` and what other tools send.

A file holds a document (``forms:`` plus optional ``narrative:``), a single form, or a list of forms;
a ``.jsonl`` stream holds one form or document per line. YAML is read with safe constructors only
(:mod:`perfscore.safeyaml`). Whatever the syntax, a file nested deeper than `MAX_DEPTH`, a YAML file whose
aliases expand past ``--max-cells`` values, and a mapping that repeats a key are refused with one line:
YAML and JSON would silently keep the last of two values, and a form must not say two things at once.
"""

from __future__ import annotations

import codecs
import copy
import io
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import ValidationError

from perfscore import safeyaml
from perfscore.construct import constructor
from perfscore.errors import ReadError
from perfscore.model import Document, Form, SourceRef
from perfscore.readers.limits import DEFAULT_LIMITS, Limits
from perfscore.readers.numbers import parse_decimal

MAX_DEPTH = 64  # a form is ~6 levels deep (document, forms, form, indicators, indicator, value)


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
        # each form validated once, with its numbers written as printed read (the document keeps them)
        data = {**data, "forms": [_validate_form(form, file, f"forms[{index}]", line)
                                  for index, form in enumerate(forms)]}
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
        fixed = with_printed_numbers(data, exc)
        if fixed is None:
            raise ReadError(file, describe_validation_error(exc), form=_form_name(data), where=where) from None
    try:
        return Form.model_validate(fixed)
    except ValidationError as exc:
        raise ReadError(file, describe_validation_error(exc), form=_form_name(data), where=where) from None


def with_printed_numbers(data: dict[str, Any], exc: ValidationError) -> dict[str, Any] | None:
    """A copy of a form whose only faults are numbers written as printed (``"10分"``, ``"95%"``,
    ``"5.5万元"`` in a 万元 block, ``"1,035.8"``), each read by the one number parser and said in a
    ``repair-number`` note; None when anything else is wrong or a unit would change the magnitude."""
    fixed = copy.deepcopy(data)
    notes = []
    unit = (data.get("funding") or {}).get("unit", "万元") if isinstance(data.get("funding"), dict) else "万元"
    for err in exc.errors():
        text, loc = err.get("input"), err["loc"]
        if err["type"] != "decimal_parsing" or not isinstance(text, str):
            return None
        tail = re.search(r"(万元|元|万|分|%|％|‰|个百分点|百分点)\s*$", text.strip())
        allowed = ("分", "%", "％") + ((unit,) if loc[0] == "funding" else ())
        value, _status = parse_decimal(text)
        if value is None or (tail and tail.group(1) not in allowed):
            return None
        target: Any = fixed
        for part in loc[:-1]:
            target = target[part]
        target[loc[-1]] = str(value)
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        notes.append({"code": "repair-number", "field": field, "message": f"{text!r} read as {value}"})
    fixed["read_notes"] = [*(fixed.get("read_notes") or []), *notes]
    return fixed


def read_stream(lines: Iterable[str], file: str) -> Iterator[Document]:
    """JSON Lines: one form or document per non-blank line, validated lazily so memory stays flat.
    The first bad line raises; `stream_items` reports bad lines and goes on."""
    yield from _raising(stream_items(lines, file))


def _raising(items: Iterable[Document | ReadError]) -> Iterator[Document]:
    for item in items:
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


def stream_items(lines: Iterable[str], file: str, first_line: int = 1) -> Iterator[Document | ReadError]:
    """Each line's document, or the one-line error for that line: a bad line never stops the stream.
    The lines may hold undecodable bytes as surrogates (see `open_lines`)."""
    for number, text in enumerate(lines, start=first_line):
        if not text.strip():
            continue
        if _undecodable(text):
            yield ReadError(file, "not UTF-8 text", where=f"line {number}")
            continue
        try:
            fast = _fast_form(text, file, number)
            if fast is not None:
                yield fast
                continue
            data = load_json(text)
            _refuse_lone_surrogates(text, data, "JSON", file, f"line {number}")
            yield document_from_data(data, file, number)
        except json.JSONDecodeError as exc:
            yield ReadError(file, f"invalid JSON: {exc.msg}", where=f"line {number}")
        except (DuplicateKeyError, TooDeepError) as exc:
            yield ReadError(file, f"invalid JSON: {exc}", where=f"line {number}")
        except ReadError as exc:
            yield exc


_SURROGATE_ESCAPE = re.compile(r"\\(u|U0000)[dD][89a-fA-F]")  # \ud800 … \udfff: a character in two halves


def _refuse_lone_surrogates(text: str, data: Any, syntax: str, file: str, where: str | None) -> None:
    """JSON and YAML write a character beyond U+FFFF as two escapes; `json.loads` and PyYAML read one
    escape alone as a lone surrogate, which no output can encode: a crash when the result is written,
    unless refused here like any other bad input (pydantic's JSON parser, the fast path, refuses it)."""
    if _SURROGATE_ESCAPE.search(text) and _undecodable(json.dumps(data, ensure_ascii=False, default=str)):
        raise ReadError(file, f"invalid {syntax}: an escaped lone surrogate (half of a character)", where=where)


def _undecodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# JSON Lines as bytes: the fast way in. A text stream decodes every line (~6 µs for a 4 KB form) and
# `stream_items` encodes it again to find undecodable bytes (~4 µs); pydantic validates UTF-8 bytes
# directly, and rejects any that are not UTF-8, so a line is decoded only when it fails to validate —
# and then `stream_items` explains it exactly as it explains a line of a text stream.

READ_BUFFER = 1 << 20  # a line is ~4 KB: one system call per ~250 forms
# Standard input is read without universal newlines on POSIX, as `sys.stdin` reads it (a lone \r ends
# no line); files always are. One rule for every reader of the stream, with or without --jobs.
STDIN_UNIVERSAL = sys.platform == "win32"


def open_bytes(path: Path | str) -> IO[bytes]:
    """A JSON Lines file as bytes, for `byte_items(..., bom=True)`."""
    return Path(path).open("rb", buffering=READ_BUFFER)


def stdin_bytes() -> tuple[IO[bytes], bool] | None:
    """Standard input as bytes and whether a BOM is to be skipped (a `utf-8-sig` stream), when its
    text would be UTF-8; None otherwise (a stream in another encoding is read as text, `stdin_lines`)."""
    stdin = sys.stdin
    buffer = getattr(stdin, "buffer", None)
    encoding = getattr(stdin, "encoding", None)
    if buffer is None or not hasattr(buffer, "readinto1") or not encoding:
        return None
    name = codecs.lookup(encoding).name
    if name not in ("utf-8", "utf-8-sig"):
        return None
    return io.BufferedReader(_ReadOnce(buffer), READ_BUFFER), name == "utf-8-sig"


class _ReadOnce(io.RawIOBase):
    """A buffered stream read as a raw one, one read at a time: under a large `BufferedReader`, lines
    from a pipe come through as they arrive (`readinto` would wait to fill the buffer), and whatever the
    stream had already buffered comes first."""

    def __init__(self, buffer: io.BufferedIOBase):
        super().__init__()
        self._buffer = buffer

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        return self._buffer.readinto1(b)


def byte_items(lines: Iterable[bytes], file: str, first_line: int = 1, *, universal: bool = True,
               bom: bool = False) -> Iterator[Document | ReadError]:
    r"""`stream_items` for lines of UTF-8 bytes split at \n: the same documents, errors and line numbers
    as for the text stream those bytes decode to.

    `universal`: a lone \r ends a line too, as in a text file read with universal newlines (standard
    input on POSIX is read without them); `bom`: skip a UTF-8 BOM before the first line."""
    lines = iter(lines)
    if bom:
        first = next(lines, None)
        if first is None:
            return
        lines = itertools.chain((first.removeprefix(codecs.BOM_UTF8),), lines)
    number = first_line - 1
    for line in lines:
        number += 1
        if not (universal and b"\r" in line and _lone_cr(line)):
            doc = _fast_form(line, file, number)
            if doc is not None:
                yield doc
                continue
        texts = _text_lines(line, universal)
        yield from stream_items(texts, file, number)
        number += len(texts) - 1


def _lone_cr(line: bytes) -> bool:
    r"""Whether a text stream with universal newlines would end a line at a \r of this line: at any
    but the last byte of the line before its \n (the \r of \r\n, or of a last line ending in \r)."""
    return 0 <= line.find(b"\r") < len(line) - 1 - line.endswith(b"\n")


def _text_lines(line: bytes, universal: bool) -> list[str]:
    r"""A line of bytes as the text stream has it: undecodable bytes as surrogates (`open_lines`), and
    with universal newlines cut at each \r."""
    text = line.decode("utf-8", "surrogateescape")
    return list(io.StringIO(text, newline=None)) if universal and "\r" in text else [text]


_validate_form_json = Form.__pydantic_validator__.validate_json
_source = constructor(SourceRef)
_document = constructor(Document)


def _fast_form(data: str | bytes, file: str, line: int) -> Document | None:
    """The common line — one valid form — validated straight from JSON (pydantic's parser is faster
    than json.loads + validation); anything else (documents, errors) takes the path that explains."""
    try:
        form = _validate_form_json(data)
    except ValidationError:
        return None
    if form.source is None:
        form.source = _source({"file": file, "page": None, "sheet": None, "table": 1, "row": None, "line": line})
    elif form.source.file is None:
        form.source.file = file
    source = _source({"file": file, "page": None, "sheet": None, "table": None, "row": None, "line": None})
    return _document({"title": None, "forms": [form], "narrative": None, "source": source})


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Document]:
    file = str(path)
    if path.suffix.lower() == ".jsonl":
        with open_bytes(path) as fh:
            yield from _raising(byte_items(fh, file, bom=True))
        return
    text = _read_text(path)
    is_json = path.suffix.lower() == ".json"
    try:
        data = load_json(text) if is_json else load_yaml(text, limits)
    except json.JSONDecodeError as exc:
        raise ReadError(file, f"invalid JSON: {exc.msg}", where=f"line {exc.lineno}") from None
    except (DuplicateKeyError, TooDeepError) as exc:
        raise ReadError(file, f"invalid JSON: {exc}") from None
    except safeyaml.TooBig:
        raise ReadError(file, limits.alias_bomb()) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise ReadError(file, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", where=where) from None
    _refuse_lone_surrogates(text, data, "JSON" if is_json else "YAML", file, None)
    yield document_from_data(data, file)


class DuplicateKeyError(ValueError):
    """A JSON object that repeats a key."""


class TooDeepError(ValueError):
    """JSON nested deeper than `MAX_DEPTH`."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(f"duplicate key {key[:60]!r} in one object")
            seen.add(key)
    return out


def load_json(text: str | bytes) -> Any:
    """`json.loads`, refusing repeated keys and nesting deeper than `MAX_DEPTH` (never a RecursionError)."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except RecursionError:
        raise TooDeepError(f"nested deeper than {MAX_DEPTH} levels") from None
    if _deeper_than(data, MAX_DEPTH):
        raise TooDeepError(f"nested deeper than {MAX_DEPTH} levels")
    return data


def load_yaml(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """YAML with safe constructors, bounded depth and alias expansion, no repeated keys."""
    return safeyaml.load(text, max_depth=MAX_DEPTH, max_values=limits.max_cells)


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (iteratively: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return False


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(str(path), "not UTF-8 text") from None


def read_io(stream: IO[str], name: str = "<stdin>") -> Iterator[Document]:
    yield from read_stream(stream, name)
