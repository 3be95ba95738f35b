"""Bounded caches: what the hot paths remember (parsed values, indicator outcomes, number texts) must
not grow with the batch, nor with adversarial input."""

from __future__ import annotations

import itertools


def forget_oldest(cache: dict) -> None:
    """Make room in a full cache by dropping its older half (a dict keeps insertion order): what a
    batch saw last is what it is likely to see next, and a wholesale clear would start it cold."""
    for key in list(itertools.islice(cache, len(cache) // 2)):
        del cache[key]
