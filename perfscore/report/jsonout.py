"""JSON (`{"forms": [...], "summary": {...}}`, the `Report` model) and JSON Lines (one form per line).

Both stream: forms are written as they are scored, so memory does not grow with the batch. Decimals
are JSON strings, as pydantic serialises them, so no precision is lost.
"""

from __future__ import annotations

import time
from typing import TextIO

from perfscore.batch import DocumentResult, FormDigest
from perfscore.results import Finding, FormResult, Summary


def _json(form: FormResult | FormDigest) -> str:
    return form.json if isinstance(form, FormDigest) else form.model_dump_json()


class JsonWriter:
    def __init__(self, out: TextIO, **_: object):
        self.out = out
        self.first = True
        self.document_findings: list[Finding] = []
        out.write('{"forms": [')

    def document(self, result: DocumentResult) -> None:
        for form in result.forms:
            self.out.write(("\n" if self.first else ",\n") + _json(form))
            self.first = False
        self.document_findings.extend(result.findings)

    def end(self, summary: Summary) -> None:
        findings = ",\n".join(f.model_dump_json() for f in self.document_findings)
        self.out.write(f'\n], "document_findings": [{findings}],\n"summary": {summary.model_dump_json()}}}\n')


class JsonlWriter:
    """One result per line, flushed as results come but at most every FLUSH_EVERY seconds: a reader
    downstream sees lines promptly, and a fast batch does not pay a system call per form."""

    FLUSH_EVERY = 0.1

    def __init__(self, out: TextIO, **_: object):
        self.out = out
        self.flushed = 0.0

    def document(self, result: DocumentResult) -> None:
        for form in result.forms:
            self.out.write(_json(form))
            self.out.write("\n")
        now = time.monotonic()
        if now - self.flushed >= self.FLUSH_EVERY:
            self.out.flush()
            self.flushed = now

    def end(self, summary: Summary) -> None:
        self.out.flush()


def writer_for(fmt: str):
    return JsonlWriter if fmt == "jsonl" else JsonWriter
