"""``word.table_grid`` keeps the merge boxes per merged cell instead of per grid position: the same rows
and merges as the position-by-position reading it replaced (kept here as the reference), on random
tables with horizontal and vertical merges, ``gridBefore``, rows of different lengths and
continuations of nothing."""

from __future__ import annotations

import random

import pytest

from perfscore.readers import word

docx = pytest.importorskip("docx")
from docx.oxml import parse_xml  # noqa: E402

_NS = word._NS
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def reference_grid(table) -> tuple[list[list[str]], list]:
    """The previous implementation: every grid position mapped to its origin, boxes from all positions."""
    rows: list[list[str]] = []
    origin_of: dict = {}
    for r, tr in enumerate(el for el in table._tbl if el.tag == word._TR):
        c = word._int_prop(tr.find(word._TRPR), "gridBefore", 0)
        row: list[str] = [""] * c
        for tc in (el for el in tr if el.tag == word._TC):
            props = tc.find(word._TCPR)
            span = max(1, word._int_prop(props, "gridSpan", 1))
            vmerge = props.find(f"{_NS}vMerge") if props is not None else None
            if vmerge is not None and vmerge.get(word._VAL, "continue") != "restart" and r > 0:
                origin = origin_of.get((r - 1, c), (r - 1, c))
                text = ""
            else:
                origin = (r, c)
                text = word._cell_text(tc)
            for k in range(span):
                origin_of[(r, c + k)] = origin
            row.extend([text] + [""] * (span - 1))
            c += span
        rows.append(row)
    boxes: dict = {}
    for (r, c), origin in origin_of.items():
        box = boxes.setdefault(origin, [r, c, r, c])
        box[0], box[1] = min(box[0], r), min(box[1], c)
        box[2], box[3] = max(box[2], r), max(box[3], c)
    return rows, [(b[0], b[1], b[2], b[3]) for b in boxes.values() if b[2] > b[0] or b[3] > b[1]]


def _random_table(rng: random.Random):
    """A w:tbl written by hand: python-docx's merge() never makes the odd shapes real files have."""
    rows = []
    for r in range(rng.randint(1, 9)):
        before = rng.choice([0, 0, 0, 1, 2])
        tr = f"<w:trPr><w:gridBefore w:val='{before}'/></w:trPr>" if before else ""
        for k in range(rng.randint(1, 6)):
            props = []
            if rng.random() < 0.3:
                props.append(f"<w:gridSpan w:val='{rng.choice(['2', '3', 'x', '0'])}'/>")
            if rng.random() < 0.35:
                props.append(rng.choice(["<w:vMerge/>", "<w:vMerge w:val='continue'/>", "<w:vMerge w:val='restart'/>"]))
            tc_pr = f"<w:tcPr>{''.join(props)}</w:tcPr>" if props else ""
            tr += f"<w:tc>{tc_pr}<w:p><w:r><w:t>r{r}c{k}</w:t></w:r></w:p></w:tc>"
        rows.append(f"<w:tr>{tr}</w:tr>")
    return type("T", (), {"_tbl": parse_xml(f"<w:tbl {_W}>{''.join(rows)}</w:tbl>")})()


@pytest.mark.parametrize("seed", range(300))
def test_table_grid_is_the_position_by_position_reading(seed):
    table = _random_table(random.Random(seed))
    assert word.table_grid(table) == reference_grid(table)
