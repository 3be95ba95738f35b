"""Plain YAML documents (maps, lists, scalars: form files) built straight from libyaml's events, and
node trees of the same built in one walk: what makes :mod:`perfscore.safeyaml` fast. Anything else (an
alias, an anchor, a tag, a merge key, a collection as a key) raises :class:`Plain` and takes the
composer's path, where the guards and the pure loader's error positions stand.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml: from_events is not used
    CParser = None

__all__ = ["MERGE_KEY", "DuplicateKey", "Plain", "TooDeep", "construct", "from_events"]

MERGE_KEY = "tag:yaml.org,2002:merge"


class TooDeep(ComposerError):
    """Nested deeper than allowed (a `yaml.YAMLError`, with `problem_mark` where it happened)."""


class DuplicateKey(ComposerError):
    """A key written twice in one mapping: YAML would silently keep the last value."""


class Plain(Exception):
    """The document needs the full constructor (aliases, merge keys, unusual tags or keys)."""


_STR, _SEQ, _MAP, _VALUE = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map", "value"))


class _Resolving(SafeConstructor, Resolver):
    """The safe loader's resolver and scalar constructors, without a parser."""


_RESOLVER = _Resolving()


def construct(loader: SafeConstructor, node: yaml.Node) -> Any:
    """``construct_document``: for a tree of plain maps, lists and scalars (no aliases), built in one
    recursive walk with the same scalar constructors; anything else goes to the constructor itself.
    Depth is bounded by the composer, so the recursion is too."""
    if getattr(loader, "_tree_size", None) is None:
        return SafeConstructor.construct_document(loader, node)
    scalars = loader.yaml_constructors

    def build(n: yaml.Node) -> Any:
        kind, tag = n.__class__, n.tag
        if kind is yaml.ScalarNode:
            if tag == _STR:
                return n.value
            make = scalars.get(tag)
            if make is None:
                raise Plain
            return make(loader, n)
        if kind is yaml.SequenceNode and tag == _SEQ:
            return [build(child) for child in n.value]
        if kind is not yaml.MappingNode or tag != _MAP:
            raise Plain
        out = {}
        for key_node, value_node in n.value:
            if key_node.tag in (MERGE_KEY, _VALUE):
                raise Plain
            key = build(key_node)
            try:
                out[key] = build(value_node)
            except TypeError:  # an unhashable key: the constructor words the error
                raise Plain from None
        return out

    try:
        return build(node)
    except Plain:
        return SafeConstructor.construct_document(loader, node)


_SCALARS: dict[tuple[str, tuple[bool, bool]], tuple[str, Any]] = {}  # (text, implicit) -> (tag, value)
_KEY = object()  # a mapping waiting for its next key


def _scalar(value: str, implicit: tuple[bool, bool]) -> tuple[str, Any]:
    """A plain or quoted scalar's tag (the resolver's) and value (the safe constructor's); ``Plain``
    for a merge key, a value key, or one the constructor refuses (it words that itself)."""
    if len(_SCALARS) > 100_000:
        _SCALARS.clear()
    resolver = _RESOLVER
    tag = resolver.resolve(yaml.ScalarNode, value, implicit)
    if tag == _STR:
        out: tuple[str, Any] = (tag, value)
    else:
        make = resolver.yaml_constructors.get(tag)
        if make is None or tag in (MERGE_KEY, _VALUE):
            raise Plain
        try:
            out = (tag, make(resolver, yaml.ScalarNode(tag, value)))
        except Exception:  # noqa: BLE001 - the constructor raises it again, in the node path
            raise Plain from None
    if len(value) <= 1_000:
        _SCALARS[(value, implicit)] = out
    return out


def from_events(text: str, max_depth: int, unique_keys: bool) -> tuple[Any, int]:
    """The document's value built straight from libyaml's events, and how many values it holds.

    Why: composing ``Node`` objects and then constructing from them was three quarters of reading a
    form file through libyaml. Here a tree of plain maps, lists and scalars (untagged, no anchors, no
    aliases, scalar keys: what form files are) is built in one loop, each distinct scalar resolved and
    constructed once. Anything else raises ``Plain``, a guard that trips (depth, a repeated key) a
    ``yaml.YAMLError``, and the caller takes the node path, whose errors and positions stand."""
    from yaml.events import MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent

    parser = CParser(text)
    try:
        get = parser.get_event
        get()  # stream start
        event = get()
        if event.__class__ is not yaml.DocumentStartEvent:
            if event.__class__ is yaml.StreamEndEvent:
                return None, 0
            raise Plain
        memo = _SCALARS
        stack: list[list[Any]] = []  # [container, pending key (or _KEY), the keys' (tag, text) if checked]
        nodes = 0
        while True:
            event = get()
            kind = event.__class__
            if kind is SequenceEndEvent or kind is MappingEndEvent:
                value, _, keys = stack.pop()
                if keys is not None and len(set(keys)) != len(keys):
                    raise DuplicateKey(None, None, "duplicate key", event.start_mark)
                key_tag = None
            else:
                if len(stack) >= max_depth:
                    raise TooDeep(None, None, f"nested deeper than {max_depth} levels", event.start_mark)
                if kind is not ScalarEvent and kind is not MappingStartEvent and kind is not SequenceStartEvent:
                    raise Plain  # an alias
                if event.anchor is not None or event.tag is not None:
                    raise Plain  # anchors and explicit tags: the node path
                nodes += 1
                if kind is MappingStartEvent:
                    stack.append([{}, _KEY, [] if unique_keys else None])
                    continue
                if kind is SequenceStartEvent:
                    stack.append([[], None, None])
                    continue
                key_tag, value = memo.get((event.value, event.implicit)) or _scalar(event.value, event.implicit)
            if not stack:
                break
            top = stack[-1]
            container = top[0]
            if container.__class__ is list:
                container.append(value)
            elif top[1] is _KEY:
                if key_tag is None:
                    raise Plain  # a collection as a key
                top[1] = value
                if top[2] is not None and key_tag != MERGE_KEY:
                    top[2].append((key_tag, event.value))
            else:
                container[top[1]] = value
                top[1] = _KEY
        if get().__class__ is not yaml.DocumentEndEvent or get().__class__ is not yaml.StreamEndEvent:
            raise Plain
        return value, nodes
    finally:
        parser.dispose()
