"""Loading rule files: safe YAML with positions, `extends` resolution and deep merge.

Rule files are untrusted input. They are parsed with PyYAML's safe loader only, after checks that
bound their cost: file size, nesting depth and node count with aliases expanded (a billion-laughs file
is refused before anything walks it). Every key keeps its line and column so that each problem can be
reported where the auditor wrote it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from perfscore import safeyaml
from perfscore.errors import one_line

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 40
MAX_SCALAR = 10_000
MAX_NUMBER = 1e12
MAX_PARENTS_DEPTH = 16

VALUE = "<value>"  # key-path suffix under which a scalar value's own position is kept
Position = tuple[str, int, int]  # file, line, column (1-based)
KeyPath = tuple[Any, ...]


@dataclass
class Problem:
    """One problem in a rule file, reported as `file:line:col: key.path: message`."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: KeyPath = ()

    def __str__(self) -> str:
        where = self.file or "<rules>"
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        key = format_path(self.path)
        return one_line(f"{where}: {key + ': ' if key else ''}{self.message}")


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class LoadedFile:
    file: str
    data: dict[str, Any]
    positions: dict[KeyPath, Position] = field(default_factory=dict)


class _Walker:
    """Walks a composed YAML node graph once, counting nodes as if aliases were expanded."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file, self.problems = file, problems
        self.count = 0
        self.positions: dict[KeyPath, Position] = {}
        self._expanded: dict[int, int] = {}

    def size(self, node: yaml.Node, depth: int = 0) -> int:
        """Node count with aliases expanded, memoised per node so the walk itself stays linear."""
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key in self._expanded:
            return self._expanded[key]
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_SCALAR:
                raise _TooBig(f"a value longer than {MAX_SCALAR} characters at line {node.start_mark.line + 1}")
            total = 1
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(self.size(child, depth + 1) for child in node.value)
        else:
            total = 1 + sum(self.size(k, depth + 1) + self.size(v, depth + 1) for k, v in node.value)
        if total > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} values once aliases are expanded (alias bomb?)")
        self._expanded[key] = total
        return total

    def record(self, node: yaml.Node, path: KeyPath, seen: set[int]) -> None:
        """Positions of every key and duplicate-key problems."""
        if id(node) in seen:
            return
        seen = seen | {id(node)}
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                sub = (*path, key)
                pos = (self.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in keys:
                    first = keys[key].start_mark.line + 1
                    self.problems.append(Problem(f"duplicate key {key!r} (first at line {first})",
                                                 self.file, pos[1], pos[2], sub))
                else:
                    keys[key] = key_node
                self.positions.setdefault(sub, pos)
                if isinstance(value_node, yaml.ScalarNode):  # formulas point at the value, not the key
                    self.positions.setdefault((*sub, VALUE), (self.file, value_node.start_mark.line + 1,
                                                              value_node.start_mark.column + 1))
                self.record(value_node, sub, seen)
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                self.positions.setdefault((*path, index), (self.file, child.start_mark.line + 1,
                                                           child.start_mark.column + 1))
                self.record(child, (*path, index), seen)


class _TooBig(Exception):
    pass


def load_file(path: Path, problems: list[Problem]) -> LoadedFile | None:
    """Parse one rule file safely; append problems and return None when it cannot be used."""
    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(Problem(f"cannot read rule file: {exc.strerror or exc}", file))
        return None
    if size > MAX_FILE_BYTES:
        problems.append(Problem(f"rule file larger than {MAX_FILE_BYTES} bytes", file))
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"cannot read rule file as UTF-8 text: {exc}", file))
        return None
    try:  # depth bounded while composing: PyYAML composes recursively (`[` × 1000 is a RecursionError)
        node, constructor = safeyaml.compose(text, max_depth=MAX_DEPTH + 1)
    except safeyaml.TooDeep as exc:
        mark = exc.problem_mark
        problems.append(Problem(f"rule file refused: nested deeper than {MAX_DEPTH} levels", file,
                                mark.line + 1 if mark else None, mark.column + 1 if mark else None))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file,
                                mark.line + 1 if mark else None, mark.column + 1 if mark else None))
        return None
    if node is None:
        problems.append(Problem("empty rule file", file))
        return None
    walker = _Walker(file, problems)
    try:
        walker.size(node)
    except _TooBig as exc:
        problems.append(Problem(f"rule file refused: {exc}", file))
        return None
    walker.record(node, (), set())
    try:
        data = constructor.construct_document(node)  # same graph, safe constructors
    except (yaml.YAMLError, ValueError, OverflowError) as exc:  # ValueError: an integer of thousands of digits
        problems.append(Problem(f"invalid value: {str(exc).splitlines()[0][:200]}", file))
        return None
    for keys, value in _numbers(data, ()):
        if (isinstance(value, float) and value != value) or abs(value) > MAX_NUMBER:
            at: tuple[str, int | None, int | None] = walker.positions.get(
                (*keys, VALUE), walker.positions.get(keys, (file, None, None)))
            problems.append(Problem(f"number {str(value)[:40]} is out of range (at most {MAX_NUMBER:g})",
                                    file, at[1], at[2], keys))
            return None
    if not isinstance(data, dict):
        problems.append(Problem("a rule file must be a mapping of keys (name:, extends:, …)", file, 1, 1))
        return None
    return LoadedFile(file, data, walker.positions)


def _numbers(data: Any, path: KeyPath):
    """Every number in the data with its key path (bools are not numbers here)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _numbers(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _numbers(value, (*path, index))
    elif isinstance(data, int | float) and not isinstance(data, bool):
        yield path, data


MERGE_BY_KEY = {("documents",): "id", ("adjustments",): "name"}


def deep_merge(base: Any, override: Any, path: KeyPath = ()) -> Any:
    """Child over parent: mappings merge key by key, `null` removes a key, lists replace —
    except `documents` and `adjustments`, which merge by `id` / `name`."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = deep_merge(out[key], value, (*path, key))
            else:
                out[key] = copy.deepcopy(value)
        return out
    merge_key = MERGE_BY_KEY.get(path)
    if merge_key and isinstance(base, list) and isinstance(override, list):
        out_list = list(base)
        index = {item.get(merge_key): i for i, item in enumerate(out_list) if isinstance(item, dict)}
        for item in override:
            key = item.get(merge_key) if isinstance(item, dict) else None
            if key is not None and key in index:
                out_list[index[key]] = deep_merge(out_list[index[key]], item)
            else:
                out_list.append(copy.deepcopy(item))
        return out_list
    return copy.deepcopy(override)
