"""The library API: what other tools import. Nothing of the command line is needed to use it.

    from perfscore import load_rules, read_forms, score, score_many
    rules = load_rules("national")
    for result in score_many(read_forms("samples/"), rules, jobs=2):
        print(result.name, result.computed_total, result.computed_grade)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Literal

from perfscore.errors import PerfscoreError, ReadError, ScoreError
from perfscore.model import Form
from perfscore.pipeline import iter_documents, score_form, score_guarded
from perfscore.results import FormResult
from perfscore.rules import Rules, load_rules

__all__ = ["load_rules", "read_forms", "score", "score_many"]


def read_forms(source: str | Path | IO[str], *, on_error: Literal["raise", "skip"] = "raise") -> Iterator[Form]:
    """Every form in a file, a directory (recursively) or an open JSON Lines text stream, lazily.

    With ``on_error="raise"`` the first unreadable file raises `ReadError` (one line, naming the
    file); with ``"skip"`` unreadable files are passed over.
    """
    if hasattr(source, "read"):
        from perfscore.readers.structured import read_io

        name = getattr(source, "name", "<stream>")
        try:
            for document in read_io(source, str(name)):  # type: ignore[arg-type]
                yield from document.forms
        except PerfscoreError:
            if on_error == "raise":
                raise
        return
    for file, doc, error in iter_documents([source]):
        if error is not None:
            if on_error == "raise":
                raise ReadError(file or '""', error.split(": ", 1)[-1])
            continue
        if doc is not None:
            yield from doc.forms


def score(form: Form, rules: Rules | str | Path = "national", *, explain: bool = False) -> FormResult:
    """Re-score and audit one form: a pure function of (form, rules). The result's findings are the audit's
    (`perfscore.audit.audit`); `perfscore.scoring.score` alone gives the scores without them."""
    return score_form(form, rules if isinstance(rules, Rules) else load_rules(rules), explain=explain)


def score_many(forms: Iterable[Form], rules: Rules | str | Path = "national", *, jobs: int = 1,
               on_error: Literal["raise", "skip"] = "raise") -> Iterator[FormResult]:
    """Score forms lazily, in order; ``jobs > 1`` uses that many worker processes (0: one per core).

    A form that cannot be scored (`pipeline.score_guarded`) raises `ScoreError`, one line naming its file and
    form, with ``on_error="raise"``; with ``"skip"`` it is passed over and the others are scored."""
    rule_set = rules if isinstance(rules, Rules) else load_rules(rules)
    if jobs == 1:
        results: Iterable[FormResult | ScoreError] = (score_guarded(form, rule_set) for form in forms)
    else:
        from perfscore.parallel import default_jobs, score_many_parallel

        results = score_many_parallel(forms, rule_set, jobs or default_jobs())
    for result in results:
        if isinstance(result, ScoreError):
            if on_error == "raise":
                raise result
            continue
        yield result
