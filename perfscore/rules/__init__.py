"""Rule sets: the rule-set language and everything that turns a rule file into `Rules`.

Split by job:

- `schema` — the rule-set language as pydantic models (and so its JSON Schema);
- `loader` — one rule file as safe YAML, with the line and column of every key; `Problem`;
- `files` — finding a rule set by name or path, and resolving `extends` (where shipped data is:
  `perfscore.data`);
- `checking` — every problem of a rule file at once, at `file:line:col`;
- `compiled` — `Rules`: the validated rule set plus everything compiled from it once;
- `formulas` — the formula language, compiled to closures.

`load_rules(name_or_path)` returns `Rules`, loaded once per file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from perfscore.data import indicators_dir
from perfscore.errors import RulesError
from perfscore.rules.checking import check_rules, semantic_problems, validation_problems
from perfscore.rules.compiled import CompiledAdjustment, MethodFormulas, Rules
from perfscore.rules.files import available, resolve_data, resolve_path
from perfscore.rules.loader import Problem

__all__ = ["CompiledAdjustment", "MethodFormulas", "Problem", "Rules", "available", "check_rules",
           "indicators_dir", "load_rules", "resolve_data", "resolve_path", "semantic_problems",
           "validation_problems"]


@cache
def _load_cached(key: str) -> Rules:
    rules, problems = check_rules(key)
    if problems or rules is None:
        raise RulesError([str(p) for p in problems] or [f"{key}: cannot load rules"])
    return rules


def load_rules(name_or_path: str | Path = "national") -> Rules:
    """A shipped rule set by name (`national`, `finance-system`, …) or a rule file by path."""
    if isinstance(name_or_path, Rules):
        return name_or_path
    path = resolve_path(name_or_path)
    return _load_cached(str(path.resolve()))
