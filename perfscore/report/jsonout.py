"""JSON (`{"forms": [...], "summary": {...}}`, the `Report` model) and JSON Lines (one form per line).

Both stream: forms are written as they are scored, so memory does not grow with the batch. Decimals
are JSON strings, as pydantic serialises them, so no precision is lost.
"""

from __future__ import annotations

import codecs
import os
import time
from typing import TextIO

from perfscore.fileio import unspool
from perfscore.results import Digest, DocumentResult, Finding, Summary, json_bytes


class _Blocks:
    """UTF-8 bytes gathered into blocks of about BLOCK bytes, one write each.

    A form's JSON is ~7 KB: written one by one, each would be a system call of its own. The blocks go
    straight to the stream's binary buffer when the stream is UTF-8 with no newline translation
    (stdout on POSIX, fileio's atomic files), which saves decoding the JSON and encoding it again;
    any other stream gets text."""

    BLOCK = 1 << 18

    def __init__(self, out: TextIO):
        self.out = out
        self.parts: list[bytes] = []
        self.size = 0
        buffer = getattr(out, "buffer", None)
        encoding = getattr(out, "encoding", None)
        if buffer is not None and encoding and codecs.lookup(encoding).name == "utf-8" and os.linesep == "\n":
            out.flush()  # what was written as text before goes first
            self._write = buffer.write
        else:
            self._write = lambda data: out.write(data.decode("utf-8"))

    def add(self, data: bytes) -> None:
        if len(data) >= self.BLOCK:  # a worker's chunk of lines: written as it is, not copied into a block
            self.write()
            self._write(data)
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.BLOCK:
            self.write()

    def write(self) -> None:
        if self.parts:
            self._write(b"".join(self.parts))
            self.parts.clear()
            self.size = 0

    def flush(self) -> None:
        self.write()
        self.out.flush()


class JsonWriter:
    def __init__(self, out: TextIO, **_: object):
        self.blocks = _Blocks(out)
        self.first = True
        self.document_findings: list[Finding] = []
        self.blocks.add(b'{"forms": [')

    def document(self, result: DocumentResult | Digest) -> None:
        add = self.blocks.add
        if isinstance(result, Digest):
            lines = unspool(result.lines)
            if lines:  # JSON has no raw newline: the lines' ends are the places for commas
                add(b"\n" if self.first else b",\n")
                add(lines[:-1].replace(b"\n", b",\n"))
                self.first = False
        else:
            for form in result.forms:
                add(b"\n" if self.first else b",\n")
                add(json_bytes(form))
                self.first = False
        self.document_findings.extend(result.findings)

    def end(self, summary: Summary) -> None:
        findings = ",\n".join(f.model_dump_json() for f in self.document_findings)
        self.blocks.add(f'\n], "document_findings": [{findings}],\n"summary": {summary.model_dump_json()}}}\n'
                        .encode())
        self.blocks.flush()


class JsonlWriter:
    """One result per line, written in blocks and flushed as results come but at most every FLUSH_EVERY
    seconds: a reader downstream sees lines promptly, and a fast batch does not pay a system call per
    form. (Lines are flushed when a document arrives ≥ FLUSH_EVERY after the last flush, or at the end.)"""

    FLUSH_EVERY = 0.1

    def __init__(self, out: TextIO, **_: object):
        self.blocks = _Blocks(out)
        self.flushed = 0.0

    def document(self, result: DocumentResult | Digest) -> None:
        add = self.blocks.add
        if isinstance(result, Digest):
            add(unspool(result.lines))
        else:
            for form in result.forms:
                add(json_bytes(form))
                add(b"\n")
        now = time.monotonic()
        if now - self.flushed >= self.FLUSH_EVERY:
            self.blocks.flush()
            self.flushed = now

    def end(self, summary: Summary) -> None:
        self.blocks.flush()


def writer_for(fmt: str):
    return JsonlWriter if fmt == "jsonl" else JsonWriter
