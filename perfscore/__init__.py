"""perfscore: re-score and audit 绩效自评表 (Chinese public-budget performance self-evaluation forms).

The library API — `load_rules`, `read_forms`, `score`, `score_many` — and the models are imported
lazily, so that `perfscore --help` does not pay for pydantic and the readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_rules": "perfscore.api",
    "read_forms": "perfscore.api",
    "score": "perfscore.api",
    "score_many": "perfscore.api",
    "Rules": "perfscore.rules",
    "Form": "perfscore.model",
    "Document": "perfscore.model",
    "Indicator": "perfscore.model",
    "Funding": "perfscore.model",
    "FundingRow": "perfscore.model",
    "FormResult": "perfscore.results",
    "IndicatorResult": "perfscore.results",
    "FundingResult": "perfscore.results",
    "Finding": "perfscore.results",
    "Summary": "perfscore.results",
    "PerfscoreError": "perfscore.errors",
    "ReadError": "perfscore.errors",
    "RulesError": "perfscore.errors",
}

__all__ = [  # literal, so that linters and type checkers read it; a test checks it is _EXPORTS' keys
    "Document",
    "Finding",
    "Form",
    "FormResult",
    "Funding",
    "FundingResult",
    "FundingRow",
    "Indicator",
    "IndicatorResult",
    "PerfscoreError",
    "ReadError",
    "Rules",
    "RulesError",
    "Summary",
    "load_rules",
    "read_forms",
    "score",
    "score_many",
]

if TYPE_CHECKING:
    from perfscore.api import load_rules, read_forms, score, score_many
    from perfscore.errors import PerfscoreError, ReadError, RulesError
    from perfscore.model import Document, Form, Funding, FundingRow, Indicator
    from perfscore.results import Finding, FormResult, FundingResult, IndicatorResult, Summary
    from perfscore.rules import Rules


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'perfscore' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
