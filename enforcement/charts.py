"""Inline SVG charts of the managers' home, drawn on the server (no external assets, no
JavaScript): one horizontal stacked bar per area — its open tasks by status — with the
overdue share marked, so that where the work piles up reads at a glance."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1f2933"
GRID = "#d9dee4"
OVERDUE = "#b3261e"
# One colour per active task status, in ACTIVE_STATUSES order (open → escalated).
STATUS_COLOURS = ("#5b8fd0", "#9c7bc4", "#4f9d69", "#d6a33a", "#d9736a")


def _text_width(text: str, size: int = 12) -> int:
    """About how wide `text` prints at `size` px: a Han character is square, Latin half as wide."""
    return sum(size + 1 if ord(c) > 0x2E7F else size * 6 // 10 for c in text)


def _nice_max(value: int) -> int:
    """The axis' end: the smallest 1, 2 or 5 × 10ⁿ at least `value` (at least 1)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return max(1, m * step)
        step *= 10


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[int], int]],
    *,
    series: Sequence[str],
    title: str,
    overdue_label: str,
    width: int = 720,
) -> SafeString:
    """`rows`: (label, one count per series, overdue). Each row a bar of its series stacked
    left to right with its total at the end; a dark tick under the bar spans the overdue
    count. A legend names the series and the overdue tick."""
    row_h, left, right, top = 26, 150, 70, 34
    plot_w = width - left - right
    height = top + row_h * len(rows) + 26
    peak = _nice_max(max((sum(values) for _, values, _ in rows), default=0))
    x = lambda v: left + plot_w * v / peak  # noqa: E731
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}">'
    ]
    # Legend on the first line.
    lx = 4
    for name, colour in [*zip(series, STATUS_COLOURS, strict=False), (overdue_label, OVERDUE)]:
        parts.append(
            f'<rect x="{lx}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="16" font-size="12" fill="{INK}">{escape(name)}</text>'
        )
        lx += 24 + _text_width(name)
    intervals = 5 if peak % 5 == 0 else 2 if peak % 2 == 0 else 1
    for i in range(intervals + 1):
        tick = peak * i // intervals
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{height - 20}" stroke="{GRID}"/>'
            f'<text x="{x(tick):.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{tick:,}</text>'
        )
    for r, (label, values, overdue) in enumerate(rows):
        y = top + r * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" font-size="12" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        start = 0
        for name, value, colour in zip(series, values, STATUS_COLOURS, strict=False):
            if value:
                parts.append(
                    f'<rect x="{x(start):.1f}" y="{y + 4}" width="{x(start + value) - x(start):.1f}" '
                    f'height="{row_h - 12}" fill="{colour}"><title>{escape(label)} · {escape(name)}: '
                    f"{value:,}</title></rect>"
                )
            start += value
        if overdue:
            parts.append(
                f'<rect x="{left}" y="{y + row_h - 7}" width="{x(overdue) - left:.1f}" height="4" '
                f'fill="{OVERDUE}"><title>{escape(label)} · {escape(overdue_label)}: {overdue:,}</title></rect>'
            )
        parts.append(
            f'<text x="{x(start) + 4:.1f}" y="{y + 16}" font-size="12" fill="{INK}">{start:,}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above
