"""A full cache forgets its older half, and keeps what was seen last."""

from perfscore.caches import forget_oldest


def test_forget_oldest_keeps_the_newer_half():
    cache = {i: str(i) for i in range(10)}
    forget_oldest(cache)
    assert list(cache) == [5, 6, 7, 8, 9]
    forget_oldest(cache)
    assert list(cache) == [7, 8, 9]


def test_level1_groups_are_remembered_within_a_bound(monkeypatch, national):
    monkeypatch.setattr(national._level1_cache, "limit", 4)
    national._level1_cache.clear()
    labels = [f"自定义指标{i}" for i in range(9)]
    assert [national.level1_group(x) for x in labels] == [None] * 9
    assert len(national._level1_cache) <= 4
    assert national.level1_group("产出 指标") == "产出指标"  # still read right after forgetting
    national._level1_cache.clear()
