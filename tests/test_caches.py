"""A full cache forgets its older half, and keeps what was seen last."""

from perfscore.caches import forget_oldest


def test_forget_oldest_keeps_the_newer_half():
    cache = {i: str(i) for i in range(10)}
    forget_oldest(cache)
    assert list(cache) == [5, 6, 7, 8, 9]
    forget_oldest(cache)
    assert list(cache) == [7, 8, 9]
