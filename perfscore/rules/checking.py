"""Checking a rule file: every problem at once, each at its `file:line:col` and key path, like a linter.

Three kinds of problem: what pydantic refuses (`validation_problems`, with did-you-mean on unknown keys),
what pydantic cannot express (`semantic_problems`: band overlaps and gaps, grade order, citations,
operator coverage) and formulas that do not compile (`formula_problems`). `check_rules` loads, resolves
`extends`, validates — dropping what pydantic refused and validating again, so that every problem shows in
one run — and compiles. The vocabulary file is checked the same way (`perfscore.vocabulary`).
"""

from __future__ import annotations

import difflib
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from perfscore.errors import RulesError
from perfscore.rules.compiled import CAP_NAMES, DEDUCT_NAMES, FUNDING_NAMES, FUNDING_RATE_NAMES, INDICATOR_NAMES, Rules
from perfscore.rules.files import resolve_data, resolve_path
from perfscore.rules.formulas import CONDITION, NUMBER, Formula, FormulaError
from perfscore.rules.loader import VALUE, KeyPath, Position, Problem
from perfscore.rules.schema import RuleSet

__all__ = ["MAX_ROUNDS", "check_rules", "formula_problems", "semantic_problems", "validate", "validation_problems"]

MAX_ROUNDS = 20  # validations of one file, each without what the one before refused


def _model_at(root: type[BaseModel], path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that describes the mapping at `path` under `root`, for did-you-mean on unknown keys."""
    model: Any = root
    for part in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        if info is None:
            return None
        model = _inner_model(info.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _position(positions: dict[KeyPath, Position], path: KeyPath,
              default_file: str) -> tuple[str, int | None, int | None]:
    """Where `path` (or the nearest key above it) was written."""
    probe = path
    while probe:
        if probe in positions:
            return positions[probe]
        probe = probe[:-1]
    return default_file, None, None


def validation_problems(exc: ValidationError, positions: dict[KeyPath, Position],
                        default_file: str, root: type[BaseModel] = RuleSet) -> list[Problem]:
    """What pydantic refused in data validated as `root`, each where it was written."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        file, line, col = _position(positions, loc, default_file)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            model = _model_at(root, loc[:-1])
            names = sorted({f.alias or n for n, f in model.model_fields.items()}) if model else []
            hint = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
            message = f"unknown key {loc[-1]!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            if names:
                message += f"; allowed here: {', '.join(names)}"
        elif err["type"] == "missing":
            message = "required key is missing"
        problems.append(Problem(message, file, line, col, loc))
    return problems


def semantic_problems(spec: RuleSet, positions: dict[KeyPath, Position],
                      default_file: str) -> list[Problem]:
    """Checks pydantic cannot express: band overlaps/gaps, grade order, citations, method coverage."""
    out: list[Problem] = []

    def at(path: KeyPath, message: str) -> None:
        out.append(Problem(message, *_position(positions, path, default_file), path))

    bands = sorted(spec.qualitative.bands.items(), key=lambda kv: kv[1].low)
    for name, band in bands:
        if band.low > band.high:
            at(("qualitative", "bands", name), f"band {name}: low {band.low} is above high {band.high}")
        if not band.low <= band.point <= band.high:
            at(("qualitative", "bands", name, "point"),
               f"band {name}: point {band.point} is outside [{band.low}, {band.high}]")
    for (name_a, a), (name_b, b) in pairwise(bands):
        if a.high > b.low:
            at(("qualitative", "bands", name_b),
               f"bands {name_a} [{a.low}, {a.high}) and {name_b} [{b.low}, {b.high}] overlap")
        elif a.high < b.low:
            at(("qualitative", "bands", name_b),
               f"bands {name_a} and {name_b} leave a gap between {a.high} and {b.low}")
    if bands and bands[0][1].low != 0:
        at(("qualitative", "bands", bands[0][0], "low"), "the lowest band must start at 0")
    if bands and bands[-1][1].high != 1:
        at(("qualitative", "bands", bands[-1][0], "high"), "the highest band must end at 1")
    mins = [b.min for b in spec.grades.bands]
    if mins != sorted(mins, reverse=True):
        listed = ", ".join(f"{b.grade} ≥ {b.min}" for b in spec.grades.bands)
        at(("grades", "bands"), f"grade bands must be listed best first, each with a lower min ({listed})")
    if spec.level1.weights:
        indicators = sum(spec.level1.weights.values())
        funding = sum(row.weight for row in spec.funding.rows)
        if indicators + funding != spec.level1.total:
            at(("level1", "weights"), f"level-1 weights ({indicators}) and funding weights ({funding}) add up to "
                                      f"{indicators + funding}, not level1.total {spec.level1.total}")
    if len(set(mins)) != len(mins):
        at(("grades", "bands"), "two grade bands have the same min")
    if spec.grades.bands and min(mins) != 0:
        at(("grades", "bands"), "the lowest grade band must start at 0 so every total gets a grade")
    if spec.scoring.plain not in spec.scoring.methods:
        at(("scoring", "plain"), f"unknown method {spec.scoring.plain!r}; methods: {', '.join(spec.scoring.methods)}")
    seen_ops: dict[str, str] = {}
    for method_name, method in spec.scoring.methods.items():
        for op in method.operators:
            where = ("scoring", "methods", method_name, "operators")
            if op not in (">=", ">", "<=", "<", "="):
                at(where, f"unknown operator {op!r}; use >=, >, <=, <, =")
            if op in seen_ops:
                at(where, f"operator {op} is already scored by {seen_ops[op]}")
            seen_ops[op] = method_name
    doc_ids = {d.id for d in spec.documents}

    def check_cites(obj: Any, path: KeyPath) -> None:
        if isinstance(obj, BaseModel):
            cite = getattr(obj, "cite", None)
            if cite is not None and cite not in doc_ids:
                hint = difflib.get_close_matches(cite, sorted(doc_ids), n=1)
                did = f" (did you mean {hint[0]!r}?)" if hint else ""
                at((*path, "cite"), f"cites unknown document {cite!r}{did}")
            for key, doc in (getattr(obj, "cites", None) or {}).items():
                if key not in type(obj).model_fields:
                    at((*path, "cites", key), f"cites: {key!r} is not a key of this block")
                elif doc not in doc_ids:
                    at((*path, "cites", key), f"cites unknown document {doc!r}")
            for fname in type(obj).model_fields:
                check_cites(getattr(obj, fname), (*path, fname))
        elif isinstance(obj, dict):
            for k, v in obj.items():
                check_cites(v, (*path, k))
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                check_cites(v, (*path, i))

    check_cites(spec, ())
    return out


def check_rules(name_or_path: str | Path) -> tuple[Rules | None, list[Problem]]:
    """Load a rule set and report every problem at once (for `perfscore rules check`)."""
    problems: list[Problem] = []
    try:
        path = resolve_path(name_or_path)
    except RulesError as exc:
        return None, [Problem(p) for p in exc.problems]
    data, positions = resolve_data(path, problems)
    if problems and not data:
        return None, problems
    spec = validate(RuleSet, data, positions, str(path), problems)
    if spec is None:
        return None, problems
    problems.extend(semantic_problems(spec, positions, str(path)))
    problems.extend(formula_problems(spec, positions, str(path)))
    if problems:
        return None, problems
    return Rules(spec, origin=str(path)), problems


def _without(data: Any, locations: list[KeyPath]) -> Any:
    """A copy of the data without the keys at `locations` (those pydantic refused)."""
    import copy

    data = copy.deepcopy(data)
    for loc in locations:
        node = data
        for part in loc[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
                break
        if isinstance(node, dict):
            node.pop(loc[-1], None)
        elif isinstance(node, list) and isinstance(loc[-1], int) and loc[-1] < len(node):
            node[loc[-1]] = None
    return data


def formula_problems(spec: RuleSet, positions: dict[KeyPath, Position],
                      default_file: str) -> list[Problem]:
    out = []
    checks: list[tuple[KeyPath, str, frozenset[str], str]] = [
        (("funding", "rate"), spec.funding.rate, FUNDING_RATE_NAMES, NUMBER),
        (("funding", "formula"), spec.funding.formula, FUNDING_NAMES, NUMBER),
    ]
    checks.append((("scoring", "signed_shortfall"), spec.scoring.signed_shortfall, INDICATOR_NAMES, NUMBER))
    for name, method in spec.scoring.methods.items():
        checks.append((("scoring", "methods", name, "formula"), method.formula, INDICATOR_NAMES, NUMBER))
        checks.append((("scoring", "methods", name, "zero_target"), method.zero_target, INDICATOR_NAMES, NUMBER))
    for i, adj in enumerate(spec.adjustments):
        names = DEDUCT_NAMES if adj.kind == "deduct_indicator" else CAP_NAMES
        checks.append((("adjustments", i, "when"), adj.when, names, CONDITION))
        checks.append((("adjustments", i, "value"), adj.value, names, NUMBER))
    for path, source, names, result in checks:
        try:
            Formula(source, names, result)
        except FormulaError as exc:
            found = positions.get((*path, VALUE)) or positions.get(path)
            file, line, col = found if found is not None else (default_file, None, None)
            hint = ""
            if "never closed" in str(exc) and "," not in source:
                hint = " (inside {…} a comma ends a YAML value: put the formula in quotes)"
            out.append(Problem(f"formula {source!r}: {exc}{hint}", file, line, col, path))
    return out


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, positions: dict[KeyPath, Position], file: str,
             problems: list[Problem]) -> M | None:
    """`data` as `model`, or None; every problem pydantic finds is added to `problems`, at its position.
    What pydantic refuses is dropped and the rest validated again (at most `MAX_ROUNDS` times), so that
    all problems show at once, not one per run."""
    for _ in range(MAX_ROUNDS):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            new = [p for p in validation_problems(exc, positions, file, model) if str(p) not in map(str, problems)]
            problems.extend(new)
            stripped = _without(data, [tuple(e["loc"]) for e in exc.errors()])
            if not new or stripped == data:
                return None
            data = stripped
    return None
