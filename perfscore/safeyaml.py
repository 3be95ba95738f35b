"""YAML that cannot cost more than it says: safe constructors, bounded nesting and bounded aliases.

PyYAML composes a document recursively, so `[` × 1000 ends in a `RecursionError` before any check
could look at the result, and a few kilobytes of anchors and aliases (a "billion laughs") expand to
gigabytes once anything walks them. `compose` counts the depth as it composes and raises a
`yaml.YAMLError` with the position of the node that went too deep; `expanded_size` counts the values
as if every alias were expanded, memoised per node so the count itself stays linear. Form files, rule
files, rule tests, the vocabulary and the indicator library all read YAML through here.

Speed: PyYAML's pure-Python scanner and parser cost ~7× what libyaml costs. With libyaml
(``yaml.__with_libyaml__``), ``load`` and ``safe_load`` build a plain document (maps, lists, scalars:
form files) straight from libyaml's events (:func:`~perfscore.yamlplain.from_events`, ~17× the pure loader on a form
file); anything else, and every error, takes the node path: libyaml's events composed into nodes by
:func:`_compose_events` (PyYAML's composer as one loop, same guards and marks), and a file libyaml or
the guards refuse is read again by the pure loader, whose error and position stand. ``compose`` (rule
files, which need every node's position) is the node path. Without libyaml the pure loader is used;
``DEFAULT_LOADER`` names the one in use and tests run both.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from perfscore.yamlplain import MERGE_KEY, DuplicateKey, Plain, TooDeep, construct, from_events

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

SAFE_LOAD_DEPTH = 200  # safe_load: deeper than any real file, far short of a RecursionError
__all__ = ["DEFAULT_LOADER", "LOADERS", "DuplicateKey", "TooBig", "TooDeep", "compose", "expanded_size", "load",
           "safe_load"]


class TooBig(yaml.YAMLError):
    """More values than allowed once aliases are expanded."""


class _Guarded(Composer):
    """Composing with a depth count (and, on request, refusing duplicate keys): mixed into a loader
    whose composer is PyYAML's Python ``Composer``."""

    _max_depth: int
    _unique_keys: bool
    _depth: int

    def _guard(self, max_depth: int, unique_keys: bool) -> None:
        self._max_depth, self._unique_keys, self._depth = max_depth, unique_keys, 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                mark = self.peek_event().start_mark
                raise TooDeep(None, None, f"nested deeper than {self._max_depth} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        if self._unique_keys:
            _unique(node)
        return node


class _PythonLoader(_Guarded, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, guarded."""

    def __init__(self, text: str, max_depth: int, unique_keys: bool):
        super().__init__(text)
        self._guard(max_depth, unique_keys)


LOADERS: dict[str, type] = {"python": _PythonLoader}

if CParser is not None:
    class _LibyamlLoader(_Guarded, Composer, CParser, SafeConstructor, Resolver):
        """libyaml's scanner and parser; the nodes composed from its events by :func:`_compose_events`
        (PyYAML's ``Composer`` written as one loop, with the same guards); the safe constructors."""

        def __init__(self, text: str, max_depth: int, unique_keys: bool):
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._guard(max_depth, unique_keys)

        def get_single_node(self) -> yaml.Node | None:
            return _compose_events(self, self._max_depth, self._unique_keys)

        def construct_document(self, node: yaml.Node) -> Any:
            """The safe constructor's result, a plain tree built in one walk (:func:`_construct`): the
            rule loader constructs what it composed through here."""
            return construct(self, node)

    LOADERS["libyaml"] = _LibyamlLoader


def _unique(node: yaml.MappingNode) -> None:
    """Refuse a mapping with a scalar key written twice (the second is named, with the first's line)."""
    keys = [(k.tag, k.value) for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.tag != MERGE_KEY]
    if len(set(keys)) == len(keys):
        return
    seen: dict[tuple[str, str], yaml.Node] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_KEY:
            continue
        first = seen.setdefault((key.tag, key.value), key)
        if first is not key:
            raise DuplicateKey(None, None, f"duplicate key {key.value[:60]!r} (first at line "
                                           f"{first.start_mark.line + 1})", key.start_mark)


def _compose_events(loader, max_depth: int, unique_keys: bool) -> yaml.Node | None:
    """``Composer.get_single_node`` as a loop over the parser's events instead of one recursive call
    per node: the same nodes, marks, anchors and errors, the depth read off the stack, and each
    distinct plain scalar's tag resolved once (the resolver's regular expressions were a third of
    the cost)."""
    from yaml.events import (
        AliasEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )

    get = loader.get_event
    get()  # stream start
    if loader.check_event(StreamEndEvent):
        get()
        return None
    get()  # document start
    anchors: dict[str, yaml.Node] = {}
    tags: dict[tuple[str, tuple[bool, bool]], str] = {}
    stack: list[list] = []  # [collection node, pending mapping key or None]
    root = None
    nodes = 0
    while root is None:
        event = get()
        kind = event.__class__
        if kind is SequenceEndEvent or kind is MappingEndEvent:
            node = stack.pop()[0]
            node.end_mark = event.end_mark
            if unique_keys and kind is MappingEndEvent:
                _unique(node)
        else:
            if len(stack) >= max_depth:
                raise TooDeep(None, None, f"nested deeper than {max_depth} levels", event.start_mark)
            anchor = event.anchor
            if kind is AliasEvent:
                if anchor not in anchors:
                    raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
                node = anchors[anchor]
                anchor = None
                loader._aliased = True
            elif anchor is not None and anchor in anchors:
                raise ComposerError(f"found duplicate anchor {anchor!r}; first occurrence",
                                    anchors[anchor].start_mark, "second occurrence", event.start_mark)
            if kind is ScalarEvent:
                tag = event.tag
                if tag is None or tag == "!":
                    key = (event.value, event.implicit)
                    tag = tags.get(key)
                    if tag is None:
                        tag = tags[key] = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                tag = event.tag
                cls = yaml.SequenceNode if kind is SequenceStartEvent else yaml.MappingNode
                if tag is None or tag == "!":
                    tag = loader.resolve(cls, None, event.implicit)
                node = cls(tag, [], event.start_mark, None, flow_style=event.flow_style)
            elif kind is not AliasEvent:
                raise ComposerError(None, None, f"unexpected {kind.__name__}", event.start_mark)
            if anchor is not None:
                anchors[anchor] = node
            nodes += 1
            if kind is SequenceStartEvent or kind is MappingStartEvent:
                stack.append([node, None])
                continue
        if not stack:
            root = node
        elif stack[-1][0].__class__ is yaml.SequenceNode:
            stack[-1][0].value.append(node)
        elif stack[-1][1] is None:
            stack[-1][1] = node
        else:
            stack[-1][0].value.append((stack[-1][1], node))
            stack[-1][1] = None
    get()  # document end
    if not loader.check_event(StreamEndEvent):
        event = get()
        raise ComposerError("expected a single document in the stream", root.start_mark,
                            "but found another document", event.start_mark)
    get()  # stream end
    if not getattr(loader, "_aliased", False):
        loader._tree_size = nodes  # without aliases the expanded size is the node count
    return root


DEFAULT_LOADER = "libyaml" if "libyaml" in LOADERS else "python"


def compose(text: str, *, max_depth: int, unique_keys: bool = False) -> tuple[yaml.Node | None, SafeConstructor]:
    """The document's node graph (None for an empty document) and the loader to construct it with.
    Raises `yaml.YAMLError` (`TooDeep`, `DuplicateKey` or a syntax error) with a position. A file libyaml
    refuses is read again by the pure-Python loader, whose verdict, message and position stand: libyaml
    words its errors otherwise and refuses a little more (a lone surrogate escape, which the form reader
    names itself), and an error costs the time it always did."""
    try:
        return _compose(LOADERS[DEFAULT_LOADER], text, max_depth, unique_keys)
    except yaml.YAMLError:
        if DEFAULT_LOADER == "python":
            raise
    return _compose(_PythonLoader, text, max_depth, unique_keys)


def _compose(kind: type, text: str, max_depth: int, unique_keys: bool) -> tuple[yaml.Node | None, SafeConstructor]:
    loader = kind(text, max_depth, unique_keys)
    try:
        return loader.get_single_node(), loader
    finally:
        loader.dispose()


def expanded_size(node: yaml.Node, limit: int) -> int:
    """How many values the document holds with every alias expanded; `TooBig` past `limit`.
    Depth is bounded by `compose`, so the recursion here is too."""
    memo: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        known = memo.get(id(n))
        if known is not None:
            return known
        if isinstance(n, yaml.ScalarNode):
            total = 1
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in n.value)
        else:
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        if total > limit:
            raise TooBig(f"more than {limit:,} values once its aliases are expanded (an alias bomb?)")
        memo[id(n)] = total
        return total

    return size(node)


def load(text: str, *, max_depth: int, max_values: int, unique_keys: bool = True) -> Any:
    """`yaml.safe_load` with bounded depth and alias expansion, refusing duplicate keys."""
    if DEFAULT_LOADER == "libyaml":
        try:
            value, counted = from_events(text, max_depth, unique_keys)
        except (Plain, yaml.YAMLError):  # the node path: its guards, and the pure loader's errors
            pass
        else:
            if counted > max_values:
                raise TooBig(f"more than {max_values:,} values once its aliases are expanded (an alias bomb?)")
            return value
    node, loader = compose(text, max_depth=max_depth, unique_keys=unique_keys)
    if node is None:
        return None
    size = getattr(loader, "_tree_size", None)
    if size is None:
        expanded_size(node, max_values)
    elif size > max_values:
        raise TooBig(f"more than {max_values:,} values once its aliases are expanded (an alias bomb?)")
    return _construct_or_pure(loader, node, text, max_depth, unique_keys)


def _construct_or_pure(loader: SafeConstructor, node: yaml.Node, text: str, max_depth: int, unique_keys: bool) -> Any:
    """Construct; a constructor error met on libyaml's nodes is met again on the pure loader's, whose
    position stands (libyaml marks some scalars, an empty one for instance, a column further)."""
    try:
        return construct(loader, node)
    except yaml.YAMLError:
        if isinstance(loader, _PythonLoader):
            raise
    node, loader = _compose(_PythonLoader, text, max_depth, unique_keys)
    return construct(loader, node)


def safe_load(text: str) -> Any:
    """`yaml.safe_load` through the loader in use, nesting bounded (`TooDeep`, not a RecursionError):
    for the project's own files and rule tests, where aliases and repeated keys are as YAML allows."""
    if DEFAULT_LOADER == "libyaml":
        try:
            return from_events(text, SAFE_LOAD_DEPTH, False)[0]
        except (Plain, yaml.YAMLError):
            pass
    node, loader = compose(text, max_depth=SAFE_LOAD_DEPTH)
    return None if node is None else _construct_or_pure(loader, node, text, SAFE_LOAD_DEPTH, False)
