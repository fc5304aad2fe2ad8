"""Charts drawn by the server as SVG (no chart library, no script): bars by day, and labelled horizontal bars."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

COLORS = ("#0b5cad", "#e0a000", "#a51d24", "#2e7d32")


def day_bars(days: list[str], series: list[tuple[str, list[int]]], height: int = 180) -> Markup:
    """Grouped vertical bars: one group per day, one bar per series (``(label, values)``), with a legend."""
    width = max(320, 28 * len(days) * max(1, len(series)) // 2 + 60)
    top = max([1, *(v for _, values in series for v in values)])
    plot_h, left, bottom = height - 50, 36, height - 30
    group = (width - left - 10) / max(1, len(days))
    bar = max(2.0, group * 0.8 / max(1, len(series)))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{bottom}" x2="{width - 5}" y2="{bottom}" stroke="#999"/>',
        f'<text x="2" y="{bottom - plot_h + 4}">{top}</text><text x="2" y="{bottom}">0</text>',
    ]
    for i, day in enumerate(days):
        x0 = left + i * group + group * 0.1
        for j, (label, values) in enumerate(series):
            h = plot_h * values[i] / top
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{bottom - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                f'fill="{COLORS[j % len(COLORS)]}"><title>{escape(day)}: {values[i]} {escape(label)}</title></rect>'
            )
        if len(days) <= 10 or i % max(1, len(days) // 8) == 0:
            parts.append(f'<text x="{x0:.1f}" y="{bottom + 14}">{escape(day[5:])}</text>')
    for j, (label, _) in enumerate(series):
        parts.append(
            f'<rect x="{left + j * 130}" y="{height - 12}" width="10" height="10" fill="{COLORS[j % len(COLORS)]}"/>'
            f'<text x="{left + j * 130 + 14}" y="{height - 3}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def hbars(rows: list[tuple[str, int]], width: int = 520) -> Markup:
    """Horizontal bars with their label and count (most asked entries, ratings)."""
    if not rows:
        return Markup('<p class="muted">(chưa có dữ liệu)</p>')
    top = max(1, *(v for _, v in rows))
    line, label_w = 24, 210
    height = line * len(rows) + 6
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(rows):
        y = 4 + i * line
        w = (width - label_w - 50) * value / top
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="0" y="{y + 14}">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{line - 8}" fill="{COLORS[i % 2 * 3]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
