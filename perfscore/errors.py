"""Errors that reach the user as one line: what is wrong and where (file, form, cell or field)."""

from __future__ import annotations


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
        super().__init__(": ".join([", ".join(parts), message]))


class MissingDependency(ReadError):
    """An optional reader's library is not installed."""

    def __init__(self, file: str, package: str, extra: str):
        super().__init__(file, f"reading this format needs {package}: pip install 'perfscore[{extra}]'")


class RulesError(PerfscoreError):
    """A rule set could not be loaded; `problems` lists every problem found, each one line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))
