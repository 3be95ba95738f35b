"""YAML that cannot cost more than it says: safe constructors, bounded nesting and bounded aliases.

PyYAML composes a document recursively, so `[` × 1000 ends in a `RecursionError` before any check
could look at the result, and a few kilobytes of anchors and aliases (a "billion laughs") expand to
gigabytes once anything walks them. `compose` counts the depth as it composes and raises a
`yaml.YAMLError` with the position of the node that went too deep; `expanded_size` counts the values
as if every alias were expanded, memoised per node so the count itself stays linear. Form files and
rule files both read YAML through here.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

MERGE_KEY = "tag:yaml.org,2002:merge"


class TooDeep(ComposerError):
    """Nested deeper than allowed (a `yaml.YAMLError`, with `problem_mark` where it happened)."""


class DuplicateKey(ComposerError):
    """A key written twice in one mapping: YAML would silently keep the last value."""


class TooBig(yaml.YAMLError):
    """More values than allowed once aliases are expanded."""


class _Loader(yaml.SafeLoader):
    """The safe loader, composing with a depth count (and, on request, refusing duplicate keys)."""

    def __init__(self, text: str, max_depth: int, unique_keys: bool):
        super().__init__(text)
        self._max_depth, self._unique_keys, self._depth = max_depth, unique_keys, 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        self._depth += 1
        try:
            if self._depth > self._max_depth:
                mark = self.peek_event().start_mark
                raise TooDeep(None, None, f"nested deeper than {self._max_depth} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor):  # noqa: ANN001, ANN201
        node = super().compose_mapping_node(anchor)
        if self._unique_keys:
            seen: dict[tuple[str, str], yaml.Node] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_KEY:
                    continue
                first = seen.setdefault((key.tag, key.value), key)
                if first is not key:
                    raise DuplicateKey(None, None, f"duplicate key {key.value[:60]!r} (first at line "
                                                   f"{first.start_mark.line + 1})", key.start_mark)
        return node


def compose(text: str, *, max_depth: int, unique_keys: bool = False) -> tuple[yaml.Node | None, yaml.SafeLoader]:
    """The document's node graph (None for an empty document) and the loader to construct it with.
    Raises `yaml.YAMLError` (`TooDeep`, `DuplicateKey` or a syntax error) with a position."""
    loader = _Loader(text, max_depth, unique_keys)
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
    node, loader = compose(text, max_depth=max_depth, unique_keys=unique_keys)
    if node is None:
        return None
    expanded_size(node, max_values)
    return loader.construct_document(node)
