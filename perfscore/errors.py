"""Errors that reach the user as one line: what is wrong and where (file, form, cell or field)."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Text as one line: each run of line breaks (in a file name, a cell, a library's message) as a space."""
    return _LINE_BREAKS.sub(" ", text)


class PerfscoreError(Exception):
    """Base for every error perfscore reports without a traceback."""


class ReadError(PerfscoreError):
    """A file could not be read as forms. The message names the file and, when known, form and cell."""

    def __init__(self, file: str, message: str, *, form: str | None = None, where: str | None = None):
        self.file, self.form, self.where, self.detail = file, form, where, message
        parts = [str(file)]
        if form:
            parts.append(f"form {form!r}")
        if where:
            parts.append(where)
        super().__init__(one_line(": ".join([", ".join(parts), message])))


class MissingDependency(ReadError):
    """An optional reader's library is not installed."""

    def __init__(self, file: str, package: str, extra: str):
        super().__init__(file, f"reading this format needs {package}: pip install 'perfscore[{extra}]'")


class RulesError(PerfscoreError):
    """A rule set could not be loaded; `problems` lists every problem found, each one line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ScoreError(PerfscoreError):
    """A form was read but could not be scored or audited: one line naming its file and form (see
    `pipeline.score_guarded`). Made of its message alone, so that it pickles back from a worker."""
