"""pdfplumber's table finding and cell text, the same results at a fraction of the cost.

Why: on a one-page form pdfplumber spends as long finding the table's cells and reading their text as
parsing the page. Its cell finder compares every crossing of two ruling lines with every later one
(building sets of edge boxes again for each comparison) and ``Table.extract`` tests every character
of the page against every row. :func:`find_tables` runs pdfplumber's own edge merging, crossings and
table grouping, with the cell search written over precomputed sets and per-line point lists (same
points in the same order, so the same cells); :func:`cell_texts` takes each row's characters by
bisection. ``tests/readers/test_pdf_fast.py`` checks both against pdfplumber on every test PDF.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

__all__ = ["cell_texts", "find_tables"]

Point = tuple[float, float]
Box = tuple[float, float, float, float]


def find_tables(page) -> list:
    """``page.find_tables()`` with the default settings (lines), found faster."""
    from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables

    finder = TableFinder.__new__(TableFinder)
    finder.page, finder.settings = page, TableSettings.resolve(None)
    edges = finder.get_edges()
    points = _crossings(edges, finder.settings.intersection_x_tolerance, finder.settings.intersection_y_tolerance)
    return [Table(page, group) for group in cells_to_tables(_cells(points))]


def _crossings(edges: list[dict], x_tol: float, y_tol: float) -> dict[Point, tuple[set, set]]:
    """pdfplumber's ``edges_to_intersections``, keeping for each point the boxes of its vertical and
    horizontal edges as sets (all the cell search asks of them)."""
    from operator import itemgetter

    from pdfplumber.utils import obj_to_bbox

    vertical = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    horizontal = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    found: dict[Point, tuple[set, set]] = {}
    for v in vertical:
        vx, vtop, vbottom, vbox = v["x0"], v["top"], v["bottom"], obj_to_bbox(v)
        for h in horizontal:
            htop = h["top"]
            if vtop <= htop + y_tol and vbottom >= htop - y_tol and h["x0"] - x_tol <= vx <= h["x1"] + x_tol:
                point = (vx, htop)
                entry = found.get(point)
                if entry is None:
                    entry = found[point] = (set(), set())
                entry[0].add(vbox)
                entry[1].add(obj_to_bbox(h))
    return found


def _cells(found: dict[Point, tuple[set, set]]) -> list[Box]:
    """pdfplumber's ``intersections_to_cells``: for each point in sorted order, the first point below
    and the first to the right (in sorted order) joined to it by an edge whose opposite corner closes
    the cell."""

    def connects(p1: Point, p2: Point) -> bool:
        if p1[0] == p2[0] and not found[p1][0].isdisjoint(found[p2][0]):
            return True
        return p1[1] == p2[1] and not found[p1][1].isdisjoint(found[p2][1])

    points = sorted(found)
    column: dict[float, list[Point]] = defaultdict(list)
    line: dict[float, list[Point]] = defaultdict(list)
    place = {}  # a point's index in its column and in its line: the later points are what follows it
    for p in points:
        down, across = column[p[0]], line[p[1]]
        place[p] = (len(down), len(across))
        down.append(p)
        across.append(p)
    cells: list[Box] = []
    for pt in points[:-1]:
        in_column, in_line = place[pt]
        below = column[pt[0]][in_column + 1:]
        right = line[pt[1]][in_line + 1:]
        cell = _smallest(pt, below, right, found, connects)
        if cell:
            cells.append(cell)
    return cells


def _smallest(pt: Point, below: list[Point], right: list[Point], found: dict, connects) -> Box | None:
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            corner = (right_pt[0], below_pt[1])
            if corner in found and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def cell_texts(table) -> list[list[str | None]]:
    """``table.extract()``, the same text cell for cell, without testing every character of the page
    against every row and cell: the characters are sorted once by their middle height, each row takes
    its band by bisection and each cell its span of the band by middle x (in page order again, as
    ``extract`` keeps it)."""
    from pdfplumber.utils import extract_text

    chars = table.page.chars
    mid_y = [(c["top"] + c["bottom"]) / 2 for c in chars]
    mid_x = [(c["x0"] + c["x1"]) / 2 for c in chars]
    middles = sorted(zip(mid_y, range(len(chars)), strict=True))
    heights = [m for m, _ in middles]
    out: list[list[str | None]] = []
    for row in table.rows:
        _, top, _, bottom = row.bbox
        band = [i for _, i in middles[bisect_left(heights, top):bisect_left(heights, bottom)]]
        # the row's characters by their middle x, each cell taking its span by bisection
        placed = sorted([(mid_x[i], i) for i in band])
        across = [h for h, _ in placed]
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            x0, c_top, x1, c_bottom = cell
            span = placed[bisect_left(across, x0):bisect_left(across, x1)]
            if c_top == top and c_bottom == bottom:  # the row's band: every character is inside
                inside = sorted([i for _, i in span])
            else:
                inside = sorted([i for _, i in span if c_top <= mid_y[i] < c_bottom])
            texts.append(text_of([chars[i] for i in inside], extract_text) if inside else "")
        out.append(texts)
    return out


def _clusters(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: each distinct value to the index of its run of sorted values
    no further apart than the tolerance."""
    index: dict[float, int] = {}
    last: float | None = None
    k = -1
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            k += 1
        index[v] = k
        last = v
    return index


def _one_word(chars: list[dict]) -> list[str] | None:
    """The texts of a cell's characters when they make one word on one line (most cells): upright, on
    the same top, left to right in page order (so sorting them by x changes nothing), no blank, no
    empty text and no gap over 3 points. None otherwise."""
    first = chars[0]
    top, texts = first["top"], [first["text"]]
    prev = first
    for c in chars[1:]:
        x0 = c["x0"]
        if c["top"] != top or x0 < prev["x0"] or x0 > prev["x1"] + 3 or not c["upright"]:
            return None
        texts.append(c["text"])
        prev = c
    if not first["upright"] or any(t == "" or t.isspace() for t in texts):
        return None
    return texts


def text_of(chars: list[dict], extract_text) -> str:
    """``extract_text(chars)`` with pdfplumber's defaults (lines clustered by top within 3 points, words
    split at blanks and at gaps over 3 points, ligatures expanded), written out for upright text;
    anything else goes to ``extract_text`` itself."""
    from pdfplumber.utils.text import LIGATURES

    one = _one_word(chars)
    if one is not None:
        return "".join(LIGATURES.get(t, t) for t in one)
    if not all(c["upright"] for c in chars):
        return extract_text(chars)
    line_of = _clusters([c["top"] for c in chars], 3)
    lines: dict[int, list[dict]] = {}
    for c in chars:
        lines.setdefault(line_of[c["top"]], []).append(c)
    words: list[tuple[float, str]] = []  # (top, text)

    def close(word: list[dict]) -> None:
        if word:
            words.append((min(c["top"] for c in word),
                          "".join(LIGATURES.get(c["text"], c["text"] or "") for c in word)))

    for k in sorted(lines):
        word: list[dict] = []
        for c in sorted(lines[k], key=lambda c: c["x0"]):
            text = c["text"]
            if text.isspace():
                close(word)
                word = []
            elif text == "":  # pdfplumber's `text in split_at_punctuation` with the default ""
                close(word)
                close([c])
                word = []
            elif word and (c["x0"] < word[-1]["x0"] or c["x0"] > word[-1]["x1"] + 3
                           or abs(c["top"] - word[-1]["top"]) > 3):
                close(word)
                word = [c]
            else:
                word.append(c)
        close(word)
    row_of = _clusters([top for top, _ in words], 3)
    rows: dict[int, list[str]] = {}
    for top, text in words:
        rows.setdefault(row_of[top], []).append(text)
    return "\n".join(" ".join(rows[k]) for k in sorted(rows))
