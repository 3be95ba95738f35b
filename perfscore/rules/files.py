"""Rule files: find a rule set by name or path, and resolve its `extends` into one mapping.

`resolve_data` gives the file's data with every ancestor merged under it (`loader.deep_merge`) and where
each key was written, for the problems of `perfscore.rules.checking`. Only shipped rule sets and .yaml
files in the given rule file's folder (or below) can be read: a rule file from elsewhere must not make
perfscore open, and quote back, any file it names.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from perfscore.data import NOT_RULE_SETS, indicators_dir
from perfscore.errors import RulesError
from perfscore.rules.loader import MAX_PARENTS_DEPTH, KeyPath, LoadedFile, Position, Problem, deep_merge, load_file

__all__ = ["available", "resolve_data", "resolve_path", "within"]


def available() -> dict[str, Path]:
    """Shipped rule sets by name (every *.yaml in indicators/ that is not the vocabulary or a library)."""
    out = {}
    for path in sorted(indicators_dir().glob("*.yaml")):
        if path.stem not in NOT_RULE_SETS:
            out[path.stem] = path
    return out


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


def within(path: Path, folder: Path) -> bool:
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
            and within(folder / f"{parent}.yaml", root):
        return folder / f"{parent}.yaml"
    if named.suffix in (".yaml", ".yml") or named.name != parent:  # a path
        candidate = folder / named
        if not (named.suffix in (".yaml", ".yml") and within(candidate, root)):
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
                   indicators_dir() if within(parent_path, indicators_dir()) else root or path.resolve().parent)
    files[key] = loaded
    order.append(key)


def resolve_data(path: Path, problems: list[Problem]
                 ) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    """The file's data with every ancestor merged under it, and where each key was written."""
    files: dict[str, LoadedFile] = {}
    order: list[str] = []
    _linearize(path, problems, (), files, order)
    merged: dict[str, Any] = {}
    positions: dict[KeyPath, Position] = {}
    if order and "name" not in files[order[-1]].data:
        problems.append(Problem("required key 'name' is missing (a rule set names itself; it is not inherited)",
                                str(path), 1, 1, ("name",)))
    for key in order:
        merged = deep_merge(merged, files[key].data)
        positions.update(files[key].positions)
    return merged, positions
