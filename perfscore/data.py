"""Where perfscore's shipped data is: the one place that knows it.

The rule sets, the value vocabulary and the indicator library ship in ``indicators/``: inside the wheel
as ``perfscore/_indicators`` (see pyproject's force-include), in a checkout as the repository's
``indicators/``. Everything that reads shipped data asks here (`perfscore.rules.files`,
`perfscore.vocabulary`, `perfscore.rules.compiled` for the library).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["NOT_RULE_SETS", "indicators_dir", "shipped_file"]

NOT_RULE_SETS = frozenset({"vocabulary", "library"})  # YAML in indicators/ that is not a rule set


def indicators_dir() -> Path:
    """The shipped data's folder: inside the wheel as perfscore/_indicators, else the repo's indicators/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_indicators", here.parent / "indicators"):
        if candidate.is_dir():
            return candidate
    return here.parent / "indicators"


def shipped_file(name: str) -> Path:
    """A shipped data file by name, e.g. ``vocabulary.yaml``."""
    return indicators_dir() / name
