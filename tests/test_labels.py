"""Labels compared without whitespace, and the bounded cache of them."""

from __future__ import annotations

from perfscore.labels import CompactLabels, compact


def test_compact_drops_every_kind_of_whitespace():
    assert compact(" 产出\u3000指标\n") == "产出指标"
    assert compact("成本 指标\t") == "成本指标"
    assert compact(None) == compact("") == compact("  ") == ""


def test_compact_labels_caches_and_forgets_its_older_half_when_full():
    labels = CompactLabels(limit=4)
    assert [labels[x] for x in ("a b", "c d", None, "e f")] == ["ab", "cd", "", "ef"]
    assert len(labels) == 4
    assert labels["g h"] == "gh"  # full: the two oldest go first
    assert list(labels) == [None, "e f", "g h"]
