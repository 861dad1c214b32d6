"""Inline SVG charts drawn on the server (no external assets, no JavaScript): a horizontal
bar chart of the district scores and a small line chart of one district's monthly trend."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR = "#1d5fa8"
BAR_PASS = "#2f7d32"
BAR_LOW = "#b3261e"


def _number(value: Decimal) -> str:
    """80 → "80", 79.50 → "79.5" (the pass score as written in its label)."""
    return f"{value.normalize():f}"


def pass_label(pass_score: Decimal) -> str:
    return _("合格线 %(score)s 分") % {"score": _number(pass_score)}


GRID = "#d9dee4"
INK = "#1f2933"


def bar_chart(
    items: list[tuple[str, Decimal | None]], *, pass_score: Decimal, width: int = 640
) -> SafeString:
    """One bar per (label, score 0–100), in the order given (the ranking); a dashed line at
    the pass score labelled 「合格线 80 分」. A bar at or over the pass score is green (class
    "pass"), under it red ("fail"). A missing score draws no bar and says 无得分."""
    row_h, left, right, top = 30, 120, 60, 26
    plot_w = width - left - right
    height = top + row_h * len(items) + 24
    x = lambda v: left + plot_w * float(v) / 100  # noqa: E731
    title, no_score = escape(_("各区综合得分")), escape(_("无得分"))
    parts = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{title}">'
    ]
    for tick in (0, 20, 40, 60, 80, 100):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{height - 20}" stroke="{GRID}"/>'
            f'<text x="{x(tick):.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{tick}</text>'
        )
    for i, (label, score) in enumerate(items):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 19}" font-size="13" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        if score is None:
            parts.append(f'<text x="{left + 4}" y="{y + 19}" font-size="12" fill="{INK}">{no_score}</text>')
            continue
        below = score < pass_score
        color, cls = (BAR_LOW, "fail") if below else (BAR_PASS, "pass")
        parts.append(
            f'<rect class="{cls}" x="{left}" y="{y + 5}" width="{max(0.0, x(score) - left):.1f}" height="{row_h - 10}" '
            f'fill="{color}"><title>{escape(label)}: {score}</title></rect>'
            f'<text x="{x(score) + 4:.1f}" y="{y + 19}" font-size="12" fill="{INK}">{score}</text>'
        )
    px = x(pass_score)
    line_label = escape(pass_label(pass_score))
    anchor = "end" if px > left + plot_w * 0.8 else "middle"
    parts.append(
        f'<line class="pass-line" x1="{px:.1f}" y1="{top - 6}" x2="{px:.1f}" y2="{height - 20}" '
        f'stroke="{BAR_LOW}" stroke-width="1.5" stroke-dasharray="5 3"><title>{line_label}</title></line>'
        f'<text class="pass-label" x="{px:.1f}" y="{top - 10}" font-size="12" text-anchor="{anchor}" '
        f'fill="{BAR_LOW}">{line_label}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above


def trend_chart(
    points: list[tuple[int, Decimal | None]],
    *,
    pass_score: Decimal,
    label: str,
    width: int = 300,
    height: int = 150,
) -> SafeString:
    """Score by month (1–12) of one district; gaps where a month has no score."""
    left, right, top, bottom = 30, 10, 10, 22
    pw, ph = width - left - right, height - top - bottom
    x = lambda m: left + pw * (m - 1) / 11  # noqa: E731
    y = lambda v: top + ph * (1 - float(v) / 100)  # noqa: E731
    title = escape(_("%(label)s 月度得分走势") % {"label": label})
    parts = [
        f'<svg class="chart trend" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{title}">'
    ]
    for tick in (0, 50, 100):
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{INK}">{tick}</text>'
        )
    month_label = lambda m: escape(_("%(month)s月") % {"month": m})  # noqa: E731
    for m in (1, 3, 6, 9, 12):
        parts.append(
            f'<text x="{x(m):.1f}" y="{height - 6}" font-size="10" text-anchor="middle" '
            f'fill="{INK}">{month_label(m)}</text>'
        )
    parts.append(
        f'<line class="pass-line" x1="{left}" y1="{y(pass_score):.1f}" x2="{width - right}" y2="{y(pass_score):.1f}" '
        f'stroke="{BAR_LOW}" stroke-dasharray="4 3"><title>{escape(pass_label(pass_score))}</title></line>'
        f'<text x="{width - right}" y="{y(pass_score) - 3:.1f}" font-size="9" text-anchor="end" '
        f'fill="{BAR_LOW}">{escape(pass_label(pass_score))}</text>'
    )
    segment: list[str] = []
    segments: list[list[str]] = []
    for month, score in sorted(points):
        if score is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(month):.1f},{y(score):.1f}")
        parts.append(
            f'<circle cx="{x(month):.1f}" cy="{y(score):.1f}" r="3" fill="{BAR}">'
            f"<title>{month_label(month)}: {score}</title></circle>"
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline fill="none" stroke="{BAR}" stroke-width="2" points="{" ".join(seg)}"/>')
    if not points:
        nothing = escape(_("暂无月度快照"))
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{nothing}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
