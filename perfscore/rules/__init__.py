"""Rule sets: find them by name or path, resolve `extends`, validate, compile formulas once.

`load_rules(name_or_path)` returns `Rules`: the validated `RuleSet` (the YAML as a model) plus the
compiled formulas, the vocabulary with the rule set's additions, and the rounding quantum. The scorer
only reads `Rules`; nothing is parsed again per form.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

import perfscore
from perfscore.caches import forget_oldest
from perfscore.errors import RulesError
from perfscore.labels import compact
from perfscore.rules.formulas import CONDITION, NUMBER, Formula, FormulaError
from perfscore.rules.loader import MAX_PARENTS_DEPTH, VALUE, KeyPath, LoadedFile, Problem, deep_merge, load_file
from perfscore.rules.model import RuleSet

INDICATOR_NAMES = frozenset({"actual", "target", "weight"})
FUNDING_RATE_NAMES = frozenset({"executed", "annual_budget", "initial_budget", "weight"})
FUNDING_NAMES = frozenset({"rate", "executed", "annual_budget", "initial_budget", "weight"})
DEDUCT_NAMES = frozenset({"actual", "target", "weight", "score", "ratio", "direction"})
CAP_NAMES = frozenset({"total", "rate", "funding_score", "weight_sum"})

ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
LEVEL1_CACHE_LIMIT = 10_000  # distinct 一级 labels remembered; a real batch has a few dozen


def indicators_dir() -> Path:
    """The shipped rule sets: inside the wheel as perfscore/_indicators, else the repo's indicators/."""
    here = Path(perfscore.__file__).resolve().parent
    for candidate in (here / "_indicators", here.parent / "indicators"):
        if candidate.is_dir():
            return candidate
    return here.parent / "indicators"


def available() -> dict[str, Path]:
    """Shipped rule sets by name (every *.yaml in indicators/ that is not the vocabulary or a library)."""
    out = {}
    for path in sorted(indicators_dir().glob("*.yaml")):
        if path.stem not in ("vocabulary", "library"):
            out[path.stem] = path
    return out


@dataclass(frozen=True)
class MethodFormulas:
    name: str
    operators: tuple[str, ...]
    formula: Formula
    zero_target: Formula
    cite: str | None


@dataclass(frozen=True)
class CompiledAdjustment:
    name: str
    kind: str
    when: Formula
    value: Formula
    cite: str | None


class Rules:
    """A rule set ready to score with: the resolved model plus everything compiled from it."""

    def __init__(self, spec: RuleSet, origin: str | None = None):
        from perfscore.values import default_vocabulary

        self.spec = spec
        self.name = spec.name
        self.origin = origin
        self.quantum = Decimal(1).scaleb(-spec.rounding.places)
        self.rounding_mode = ROUNDING_MODES[spec.rounding.mode]
        problems: list[str] = []

        def compile_formula(source: str, names: frozenset[str], where: str, result: str = NUMBER) -> Formula:
            try:
                return Formula(source, names, result)
            except FormulaError as exc:
                problems.append(f"{where}: {exc}")
                return Formula("0", frozenset())

        self.funding_rate = compile_formula(spec.funding.rate, FUNDING_RATE_NAMES, "funding.rate")
        self.funding_formula = compile_formula(spec.funding.formula, FUNDING_NAMES, "funding.formula")
        self.methods: dict[str, MethodFormulas] = {}
        self.method_by_operator: dict[str, MethodFormulas] = {}
        for name, method in spec.scoring.methods.items():
            compiled = MethodFormulas(
                name, tuple(method.operators),
                compile_formula(method.formula, INDICATOR_NAMES, f"scoring.methods.{name}.formula"),
                compile_formula(method.zero_target, INDICATOR_NAMES, f"scoring.methods.{name}.zero_target"),
                method.cite)
            self.methods[name] = compiled
            for op in method.operators:
                self.method_by_operator[op] = compiled
        self.plain_method = self.methods.get(spec.scoring.plain)
        self.adjustments = [
            CompiledAdjustment(
                adj.name, adj.kind,
                compile_formula(adj.when, DEDUCT_NAMES if adj.kind == "deduct_indicator" else CAP_NAMES,
                                f"adjustments[{i}].when", CONDITION),
                compile_formula(adj.value, DEDUCT_NAMES if adj.kind == "deduct_indicator" else CAP_NAMES,
                                f"adjustments[{i}].value"),
                adj.cite)
            for i, adj in enumerate(spec.adjustments)]
        self.deductions = [a for a in self.adjustments if a.kind == "deduct_indicator"]
        self.caps = [a for a in self.adjustments if a.kind == "cap_total"]
        if problems:
            raise RulesError([f"{origin or spec.name}: {p}" for p in problems])
        self.bands = sorted(spec.qualitative.bands.items(), key=lambda kv: kv[1].low, reverse=True)
        self.top_band = self.bands[0][0] if self.bands else None
        self.grade_bands = sorted(spec.grades.bands, key=lambda b: b.min, reverse=True)
        self.level1_lookup: dict[str, str] = {}
        for group, variants in spec.level1.aliases.items():
            for variant in variants:
                self.level1_lookup[compact(variant)] = group
        for group in spec.level1.weights:
            self.level1_lookup[compact(group)] = group
        self._level1_cache: dict[str, str | None] = {}
        self.vocabulary = default_vocabulary().extended(spec.vocabulary) if spec.vocabulary else default_vocabulary()
        self.select = frozenset(spec.findings.select)
        self.ignore = frozenset(spec.findings.ignore)
        self.severity = dict(spec.findings.severity)
        self.documents = {doc.id: doc for doc in spec.documents}
        self.library = _library(spec.library, origin)
        self.checked_operators = self.library.checked_operators()
        # memo of the pure per-indicator work, keyed by an indicator's values (scoring.Outcome)
        self.indicator_memo: dict[tuple, object] = {}

    def round(self, value: Decimal) -> Decimal:
        """`value` to the rule set's places. A value too long for the context's precision (a rate of 1e30 %
        from a budget of 0.000…1) cannot be quantized: it is given back as it is, never an exception."""
        try:
            return value.quantize(self.quantum, rounding=self.rounding_mode)
        except ArithmeticError:
            return value

    def grade(self, total: Decimal | None) -> str | None:
        if total is None:
            return None
        for band in self.grade_bands:
            if total >= band.min:
                return band.grade
        return None

    def level1_group(self, label: str | None) -> str | None:
        if not label:
            return None
        try:
            return self._level1_cache[label]
        except KeyError:
            if len(self._level1_cache) >= LEVEL1_CACHE_LIMIT:
                forget_oldest(self._level1_cache)
            group = self._level1_cache[label] = self.level1_lookup.get(compact(label))
            return group

    def cite(self, doc_id: str | None) -> str | None:
        if doc_id is None:
            return None
        doc = self.documents.get(doc_id)
        return f"{doc.id}: {doc.title}" if doc else doc_id


def _library(name: str | None, origin: str | None):
    from perfscore.library import Library, load_library

    if not name:
        return Library()
    candidates = [(indicators_dir() / f"{name}.yaml", indicators_dir())]
    if origin:  # a library in the rule file's folder (or below) first; never a file from elsewhere
        folder = Path(origin).parent
        candidates.insert(0, (folder / (name if name.endswith(".yaml") else f"{name}.yaml"), folder))
    for path, folder in candidates:
        if _within(path, folder) and path.is_file():
            return load_library(str(path.resolve()))
    raise RulesError([f"{origin or name}: library: no indicator library {name!r}"])


# --- loading -------------------------------------------------------------------------------------


def resolve_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise RulesError([f"{path}: no such rule file"])
        return path
    known = available()
    if str(name_or_path) in known:
        return known[str(name_or_path)]
    hint = difflib.get_close_matches(str(name_or_path), list(known), n=1)
    did = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise RulesError([f"rules {str(name_or_path)!r}: no such rule set or file{did}; "
                      f"shipped: {', '.join(known)}"])


def _within(path: Path, folder: Path) -> bool:
    """Whether `path`, symbolic links followed, lies inside `folder`."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _parent_path(parent: str, child_file: str, root: Path) -> Path:
    """`extends` names a shipped set, or a .yaml file relative to the extending file that lies inside
    `root`, the folder of the rule file the user gave (or the shipped sets' folder). Nothing else is
    read: a rule file from elsewhere must not make perfscore open, and quote back, any file it names."""
    folder = Path(child_file).parent
    named = Path(parent)
    if named.suffix not in (".yaml", ".yml") and named.name == parent and (folder / f"{parent}.yaml").is_file() \
            and _within(folder / f"{parent}.yaml", root):
        return folder / f"{parent}.yaml"
    if named.suffix in (".yaml", ".yml") or named.name != parent:  # a path
        candidate = folder / named
        if not (named.suffix in (".yaml", ".yml") and _within(candidate, root)):
            raise RulesError([f"{parent!r} is outside {root}: only shipped rule sets and .yaml files in the "
                              "rule file's folder or below can be extended"])
        if not candidate.is_file():
            raise RulesError([f"{parent!r}: no such rule file"])
        return candidate
    known = available()
    if parent in known:
        return known[parent]
    return resolve_path(parent)  # says which names there are


def _linearize(path: Path, problems: list[Problem], stack: tuple[str, ...],
               files: dict[str, LoadedFile], order: list[str], root: Path | None = None) -> None:
    """Ancestors before descendants, each file once (so a shared grandparent is not re-applied over
    a sibling's overrides): `extends: [a, b]` merges national, a, b, then the file itself."""
    key = str(path.resolve())
    if key in stack:
        chain = " → ".join(Path(s).stem for s in (*stack, key))
        problems.append(Problem(f"circular extends: {chain}", str(path), None, None, ("extends",)))
        return
    if len(stack) > MAX_PARENTS_DEPTH:
        problems.append(Problem("extends nested too deeply", str(path), None, None, ("extends",)))
        return
    if key in files:
        return
    loaded = load_file(path, problems)
    if loaded is None:
        return
    parents = loaded.data.get("extends") or []
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        pos = loaded.positions.get(("extends",), (loaded.file, 0, 0))
        problems.append(Problem("extends must be a rule set name or a list of names", *pos, ("extends",)))
        parents = []
    loaded.data["extends"] = parents
    for parent in parents:
        try:
            parent_path = _parent_path(parent, loaded.file, root or path.resolve().parent)
        except RulesError as exc:
            pos = loaded.positions.get(("extends",), (loaded.file, 0, 0))
            problems.append(Problem(exc.problems[0], *pos, ("extends",)))
            continue
        _linearize(parent_path, problems, (*stack, key), files, order,
                   indicators_dir() if _within(parent_path, indicators_dir()) else root or path.resolve().parent)
    files[key] = loaded
    order.append(key)


def resolve_data(path: Path, problems: list[Problem]
                 ) -> tuple[dict[str, Any], dict[KeyPath, tuple[str, int, int]]]:
    """The file's data with every ancestor merged under it, and where each key was written."""
    files: dict[str, LoadedFile] = {}
    order: list[str] = []
    _linearize(path, problems, (), files, order)
    merged: dict[str, Any] = {}
    positions: dict[KeyPath, tuple[str, int, int]] = {}
    if order and "name" not in files[order[-1]].data:
        problems.append(Problem("required key 'name' is missing (a rule set names itself; it is not inherited)",
                                str(path), 1, 1, ("name",)))
    for key in order:
        merged = deep_merge(merged, files[key].data)
        positions.update(files[key].positions)
    return merged, positions


def _model_at(path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that describes the mapping at `path`, for did-you-mean on unknown keys."""
    model: Any = RuleSet
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


def _position(positions: dict[KeyPath, tuple[str, int, int]], path: KeyPath,
              default_file: str) -> tuple[str, int | None, int | None]:
    """Where `path` (or the nearest key above it) was written."""
    probe = path
    while probe:
        if probe in positions:
            return positions[probe]
        probe = probe[:-1]
    return default_file, None, None


def validation_problems(exc: ValidationError, positions: dict[KeyPath, tuple[str, int, int]],
                        default_file: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        file, line, col = _position(positions, loc, default_file)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            names = sorted({f.alias or n for n, f in model.model_fields.items()}) if model else []
            hint = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
            message = f"unknown key {loc[-1]!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            if names:
                message += f"; allowed here: {', '.join(names)}"
        elif err["type"] == "missing":
            message = "required key is missing"
        problems.append(Problem(message, file, line, col, loc))
    return problems


def semantic_problems(spec: RuleSet, positions: dict[KeyPath, tuple[str, int, int]],
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
            at(("qualitative", "bands", name, "point"), f"band {name}: point {band.point} is outside [{band.low}, {band.high}]")
    for (name_a, a), (name_b, b) in zip(bands, bands[1:]):
        if a.high > b.low:
            at(("qualitative", "bands", name_b), f"bands {name_a} [{a.low}, {a.high}) and {name_b} [{b.low}, {b.high}] overlap")
        elif a.high < b.low:
            at(("qualitative", "bands", name_b), f"bands {name_a} and {name_b} leave a gap between {a.high} and {b.low}")
    if bands and bands[0][1].low != 0:
        at(("qualitative", "bands", bands[0][0], "low"), "the lowest band must start at 0")
    if bands and bands[-1][1].high != 1:
        at(("qualitative", "bands", bands[-1][0], "high"), "the highest band must end at 1")
    mins = [b.min for b in spec.grades.bands]
    if len(set(mins)) != len(mins):
        at(("grades", "bands"), "two grade bands have the same min")
    if spec.grades.bands and min(mins) != 0:
        at(("grades", "bands"), "the lowest grade band must start at 0 so every total gets a grade")
    if spec.scoring.plain not in spec.scoring.methods:
        at(("scoring", "plain"), f"unknown method {spec.scoring.plain!r}; methods: {', '.join(spec.scoring.methods)}")
    seen_ops: dict[str, str] = {}
    for name, method in spec.scoring.methods.items():
        for op in method.operators:
            if op not in (">=", ">", "<=", "<", "="):
                at(("scoring", "methods", name, "operators"), f"unknown operator {op!r}; use >=, >, <=, <, =")
            if op in seen_ops:
                at(("scoring", "methods", name, "operators"), f"operator {op} is already scored by {seen_ops[op]}")
            seen_ops[op] = name
    doc_ids = {d.id for d in spec.documents}

    def check_cites(obj: Any, path: KeyPath) -> None:
        if isinstance(obj, BaseModel):
            cite = getattr(obj, "cite", None)
            if cite is not None and cite not in doc_ids:
                hint = difflib.get_close_matches(cite, sorted(doc_ids), n=1)
                at((*path, "cite"), f"cites unknown document {cite!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
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
    spec = None
    for _ in range(20):  # drop what pydantic refuses and validate again, so all problems show at once
        try:
            spec = RuleSet.model_validate(data)
            break
        except ValidationError as exc:
            new = [p for p in validation_problems(exc, positions, str(path)) if str(p) not in map(str, problems)]
            problems.extend(new)
            stripped = _without(data, [tuple(e["loc"]) for e in exc.errors()])
            if not new or stripped == data:
                break
            data = stripped
    if spec is None:
        return None, problems
    problems.extend(semantic_problems(spec, positions, str(path)))
    formula_problems = _formula_problems(spec, positions, str(path))
    problems.extend(formula_problems)
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


def _formula_problems(spec: RuleSet, positions: dict[KeyPath, tuple[str, int, int]],
                      default_file: str) -> list[Problem]:
    out = []
    checks: list[tuple[KeyPath, str, frozenset[str], str]] = [
        (("funding", "rate"), spec.funding.rate, FUNDING_RATE_NAMES, NUMBER),
        (("funding", "formula"), spec.funding.formula, FUNDING_NAMES, NUMBER),
    ]
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
            file, line, col = positions.get((*path, VALUE)) or positions.get(path, (default_file, None, None))
            out.append(Problem(f"formula {source!r}: {exc}", file, line, col, path))
    return out


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
