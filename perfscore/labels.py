"""Labels compared as people read them: without whitespace.

Forms are typed by hand and cells wrap, so "产出 指标" and "产出指标" are the same 一级指标, and a
三级指标 repeated with a stray space is still a duplicate. Every comparison of printed labels (rule-set
groups, indicator kinds, duplicates, funding rows, where a finding goes in a report) goes through here.
"""

from __future__ import annotations

from perfscore.caches import BoundedCache


def compact(text: str | None) -> str:
    """The label without any whitespace; "" for None."""
    return "".join(text.split()) if text else ""


class CompactLabels(BoundedCache[str | None, str]):
    """label → ``compact(label)``, worked out on first sight and then a plain look-up (labels repeat
    from form to form); bounded like the other caches."""

    def __init__(self, limit: int = 65_536):
        super().__init__(limit)

    def __missing__(self, label: str | None) -> str:
        return self.put(label, compact(label))
