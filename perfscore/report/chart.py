"""Charts where people would rather look than read: the distribution of score changes and the grades
before/after, as inline SVG for the HTML report (no script, no network, no font files: text is the
page's own) — the xlsx report draws the same two from its Summary sheet's cells (`report.xlsx`)."""

from __future__ import annotations

from collections.abc import Sequence

from perfscore.i18n import _
from perfscore.report.rows import grade_rows
from perfscore.report.safe import h
from perfscore.results import Summary

WIDTH, HEIGHT, PAD, AXIS = 360, 200, 8, 28
COLOURS = ("#98a2b3", "#175cd3")


def _bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], cls: str) -> str:
    """Grouped vertical bars, one group a label, one colour a series, the count above each bar."""
    top = max((v for _name, values in series for v in values), default=0) or 1
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - AXIS - 2 * PAD - 14
    group = inner_w / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    parts = [f'<svg class="chart {cls}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{h(title)}">'
             f"<title>{h(title)}</title>"]
    base = HEIGHT - AXIS
    for i, label in enumerate(labels):
        x0 = PAD + i * group + group * 0.1
        for j, (name, values) in enumerate(series):
            v = values[i]
            height = inner_h * v / top
            x = x0 + j * bar
            parts.append(f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{bar * 0.92:.1f}" height="{height:.1f}" '
                         f'fill="{COLOURS[j % len(COLOURS)]}"><title>{h(name)} {h(label)}: {v}</title></rect>')
            if v:
                parts.append(f'<text x="{x + bar * 0.46:.1f}" y="{base - height - 3:.1f}" font-size="9" '
                             f'text-anchor="middle">{v}</text>')
        parts.append(f'<text x="{x0 + group * 0.4:.1f}" y="{base + 14}" font-size="10" text-anchor="middle">'
                     f'{h(label)}</text>')
    parts.append(f'<line x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="#667085"/>')
    if len(series) > 1:
        for j, (name, _values) in enumerate(series):
            x = PAD + j * 90
            parts.append(f'<rect x="{x}" y="{HEIGHT - 10}" width="9" height="9" fill="{COLOURS[j % len(COLOURS)]}"/>'
                         f'<text x="{x + 12}" y="{HEIGHT - 2}" font-size="10">{h(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def delta_chart(summary: Summary) -> str:
    """Forms by how far the total moves (recomputed − reported): an empty string when no total was compared."""
    if not summary.delta_bins:
        return ""
    labels = list(summary.delta_bins)
    return _bars(_("Score changes (recomputed − reported, points)"), labels,
                 [(_("forms"), [summary.delta_bins[k] for k in labels])], "delta")


def grade_chart(summary: Summary) -> str:
    grades, rows = grade_rows(summary)
    if not grades:
        return ""
    return _bars(_("Grades: reported vs recomputed"), grades, [(_(label), counts) for label, counts in rows], "grades")


def charts(summary: Summary) -> str:
    """Both charts side by side (stacked on a phone), or nothing."""
    svgs = [svg for svg in (delta_chart(summary), grade_chart(summary)) if svg]
    if not svgs:
        return ""
    return '<div class="charts">' + "".join(f"<figure>{svg}</figure>" for svg in svgs) + "</div>"
