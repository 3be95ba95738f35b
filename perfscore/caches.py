"""Bounded caches and memos: what the hot paths remember (parsed values, indicator outcomes, findings, number
texts, labels) must not grow with the batch, nor with adversarial input.

Two typed objects, each owned by the module that uses it:

- `BoundedCache` — a dict that forgets its older half when full: for a pure function of one hashable
  value (``decimals.plain``, ``labels.CompactLabels``, the value parser's text → ParsedValue).
- `Memo` — a function memoised per owner (a rule set), keyed by exactly its inputs: the function is called
  with nothing but the key and the owner, so whatever it reads is part of the key. A check that reads one
  more field has to add it to the key's type, and then a stale entry cannot match (``tests/test_caches.py``).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["BoundedCache", "Memo", "MemoTable", "clear_all", "forget_oldest"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
O = TypeVar("O")  # noqa: E741 - the owner

_ALL: list[weakref.ref[BoundedCache] | Memo] = []  # every cache and memo made, for `clear_all`


def forget_oldest(cache: dict) -> None:
    """Make room in a full cache by dropping its older half (a dict keeps insertion order): what a
    batch saw last is what it is likely to see next, and a wholesale clear would start it cold."""
    for key in list(itertools.islice(cache, len(cache) // 2)):
        del cache[key]


class BoundedCache(dict[K, V]):
    """A dict of at most ``limit`` entries; `put` makes room by forgetting the older half. Reading is a plain
    dict look-up (``cache.get(key)``, ``cache[key]``), the hot paths' cost."""

    def __init__(self, limit: int, *, register: bool = True):
        super().__init__()
        self.limit = limit
        if register:
            _ALL[:] = [item for item in _ALL if not isinstance(item, weakref.ref) or item() is not None]
            _ALL.append(weakref.ref(self))

    def put(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            forget_oldest(self)
        self[key] = value
        return value


class MemoTable(BoundedCache[K, V], Generic[K, O, V]):
    """One owner's entries of a `Memo`: ``table.get(key)`` on the hot path, ``table.make(key)`` on a miss."""

    def __init__(self, function: Callable[[K, O], V], owner: O, limit: int):
        super().__init__(limit, register=False)
        self._function = function
        self._owner = weakref.ref(owner)  # not the owner itself: its table would keep it alive

    def make(self, key: K) -> V:
        """The function's value for `key`, computed from the key and the owner alone, and remembered. A named
        tuple key is kept as a plain tuple (equal, hashed alike): the collector stops tracking a plain tuple of
        text and numbers, and a memo of tracked keys makes every full collection of a batch longer."""
        owner = self._owner()
        assert owner is not None  # the owner's table is reached through the owner
        value = self._function(key, owner)
        if len(self) >= self.limit:
            forget_oldest(self)
        self[tuple(key) if type(key) is not tuple and isinstance(key, tuple) else key] = value  # type: ignore[index]
        return value


class Memo(Generic[K, O, V]):
    """``function(key, owner)`` memoised per owner, bounded. The owner (a `Rules`) is held weakly: its table
    goes with it. ``memo.table(owner)`` once per form, then ``table.get(key) or table.make(key)`` per row."""

    def __init__(self, function: Callable[[K, O], V], limit: int):
        self.function = function
        self.limit = limit
        self._tables: weakref.WeakKeyDictionary[O, MemoTable[K, O, V]] = weakref.WeakKeyDictionary()
        self._last: MemoTable[K, O, V] | None = None
        _ALL.append(self)

    def table(self, owner: O) -> MemoTable[K, O, V]:
        last = self._last  # a batch asks for the same owner's table form after form
        if last is not None and last._owner() is owner:
            return last
        table = self._tables.get(owner)
        if table is None:
            table = self._tables[owner] = MemoTable(self.function, owner, self.limit)
        self._last = table
        return table

    def __call__(self, key: K, owner: O) -> V:
        table = self.table(owner)
        value = table.get(key)
        return table.make(key) if value is None else value

    def clear(self) -> None:
        for table in list(self._tables.values()):
            table.clear()


def clear_all() -> None:
    """Empty every cache and memo (a benchmark's cold pass; a test that must not see another's entries)."""
    for item in _ALL:
        cache = item() if isinstance(item, weakref.ref) else item
        if cache is not None:
            cache.clear()
