"""The report's SVG charts: HTER per segment in bands, and progress over time."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from datetime import datetime

from webapp.core.messages import _l, _ln

# Colours are presentation attributes rather than a <style> element so that a strict
# Content-Security-Policy (no inline styles) still lets them through; the classes let the
# app's stylesheet restyle them.
_WIDTH, _HEIGHT = 480, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 16, 16, 48
_BAR_FILL = "#5b8db8"
_LINE_STROKE = "#3f7a5a"
_AXIS_STROKE = "#6b7280"
_GRID_STROKE = "#e5e7eb"
_TEXT_FILL = "#374151"
_HTER_BINS = [(lower, lower + 10) for lower in range(0, 100, 10)]


def hter_histogram_svg(
    values: Sequence[float],
    *,
    title: str = _l("Distribution of HTER per segment"),
    chart_id: str = "hter-histogram",
) -> str:
    """Draw an SVG histogram of per-segment HTER in bands of 10, with a band for over 100."""
    for value in values:
        if not math.isfinite(value) or value < 0:
            raise ValueError(_l("An HTER must be a finite number of at least 0, not %(value)s.",
                                value=repr(value)))
    labels = [f"{lower}–{upper}" for lower, upper in _HTER_BINS] + [_l("over 100")]
    counts = [0] * len(labels)
    for value in values:
        # TER exceeds 100 when the MT is longer than its post-edit; those get their own band.
        counts[10 if value > 100 else min(int(value // 10), 9)] += 1

    bands = ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))
    description = _ln("%(n)s segment. Segments per HTER band: %(bands)s.",
                      "%(n)s segments. Segments per HTER band: %(bands)s.", len(values),
                      bands=bands)
    parts = _svg_open(chart_id, title, description)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + plot_h
    top_count = _axis_top(max(counts))
    parts += _y_grid(top_count, plot_w, plot_h)
    # Ten bands of width 10 and, after a half-band gap, the open-ended band over 100.
    slot = plot_w / 11.5
    for index, (label, count) in enumerate(zip(labels, counts, strict=True)):
        if count == 0:
            continue
        height = plot_h * count / top_count
        x = _LEFT + (index + (0.5 if index == 10 else 0)) * slot + 2
        tooltip = _esc(_ln("HTER %(band)s: %(n)s segment", "HTER %(band)s: %(n)s segments",
                           count, band=label))
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{bottom - height:.1f}" width="{slot - 4:.1f}" '
            f'height="{height:.1f}" fill="{_BAR_FILL}"><title>{tooltip}</title></rect>'
        )
    for index in range(0, 11, 2):
        parts.append(_text(_LEFT + index * slot, bottom + 16, str(index * 10), anchor="middle"))
    parts.append(_text(_LEFT + 11 * slot, bottom + 16, ">100", anchor="middle"))
    parts += _axes(plot_w, plot_h)
    x_label = _l("HTER (edits per 100 words of the post-edit)")
    parts.append(_text(_LEFT + plot_w / 2, _HEIGHT - 8, x_label, anchor="middle", css="axis-label"))
    parts.append(_y_axis_label(_l("Segments")))
    if not values:
        parts.append(_empty_note(plot_w, plot_h, _l("No segments scored yet")))
    parts.append("</svg>")
    return "".join(parts)


def progress_svg(
    points: Sequence[tuple[datetime, int]],
    *,
    title: str = _l("Progress over time"),
    y_label: str = _l("Segments done"),
    chart_id: str = "progress",
    when: Callable[[datetime], str] | None = None,
) -> str:
    """Draw an SVG step chart of a running count (such as segments done) over time; `when`
    writes a moment (the web layer's is in the reader's language and time zone)."""
    _when = when or _iso_minute
    points = sorted(points, key=lambda point: point[0])
    if points:
        first, last = points[0], points[-1]
        description = _ln(
            "%(label)s: %(first)s at %(start)s, %(last)s at %(end)s, over %(n)s update.",
            "%(label)s: %(first)s at %(start)s, %(last)s at %(end)s, over %(n)s updates.",
            len(points), label=y_label, first=first[1], start=_when(first[0]), last=last[1],
            end=_when(last[0]))
    else:
        description = _l("No progress recorded yet.")
    parts = _svg_open(chart_id, title, description)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + plot_h
    top_value = _axis_top(max([0, *(value for _, value in points)]))
    parts += _y_grid(top_value, plot_w, plot_h)

    if points:
        start = points[0][0]
        span = (points[-1][0] - start).total_seconds()

        def x_of(moment: datetime) -> float:
            if span == 0:
                return _LEFT + plot_w / 2
            return _LEFT + plot_w * (moment - start).total_seconds() / span

        def y_of(value: int) -> float:
            return bottom - plot_h * max(value, 0) / top_value

        # A step line: a count holds its value until the next update changes it.
        path = [f"M{x_of(points[0][0]):.1f},{y_of(points[0][1]):.1f}"]
        for moment, value in points[1:]:
            path.append(f"H{x_of(moment):.1f}V{y_of(value):.1f}")
        parts.append(
            f'<path class="line" d="{"".join(path)}" fill="none" stroke="{_LINE_STROKE}" '
            f'stroke-width="2"/>'
        )
        for moment, value in points:
            parts.append(
                f'<circle class="point" cx="{x_of(moment):.1f}" cy="{y_of(value):.1f}" r="3" '
                'translate="no" '
                f'fill="{_LINE_STROKE}"><title>{_esc(f"{_when(moment)}: {value}")}</title>'
                "</circle>"
            )
        # Moments are data in the locale's format (its "PM" is no text of ours to translate).
        parts.append(_text(_LEFT, bottom + 16, _when(points[0][0]), anchor="start", data=True))
        if span:
            parts.append(_text(_LEFT + plot_w, bottom + 16, _when(points[-1][0]), anchor="end",
                               data=True))
    else:
        parts.append(_empty_note(plot_w, plot_h, _l("No progress recorded yet")))
    parts += _axes(plot_w, plot_h)
    parts.append(_text(_LEFT + plot_w / 2, _HEIGHT - 8, _l("Time"), anchor="middle",
                       css="axis-label"))
    parts.append(_y_axis_label(y_label))
    parts.append("</svg>")
    return "".join(parts)


def _esc(text: str) -> str:
    """Escape text for an SVG element or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def _iso_minute(moment: datetime) -> str:
    """Format a moment for a chart label when no reader's format is given (CLI, tests)."""
    return moment.strftime("%Y-%m-%d %H:%M")



def _svg_open(chart_id: str, title: str, description: str) -> list[str]:
    """Open an accessible SVG element named by its <title> and described by its <desc>."""
    ident = _esc(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'width="{_WIDTH}" height="{_HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f'<title id="{ident}-title">{_esc(title)}</title>',
        f'<desc id="{ident}-desc">{_esc(description)}</desc>',
    ]


def _axis_top(largest: int) -> int:
    """Round a largest count up to where a y axis of whole, evenly spaced ticks ends."""
    return _ticks(largest)[-1]


def _ticks(largest: int) -> list[int]:
    """Return at most six whole ticks from 0, stepping 1, 2 or 5 times a power of ten."""
    # Round steps are what a reader can interpolate between; 0 to 47 in steps of 9.4 is not.
    largest = max(largest, 1)
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(largest / step) <= 5:
                return list(range(0, step * math.ceil(largest / step) + 1, step))
        magnitude *= 10


def _y_grid(top_value: int, plot_w: float, plot_h: float) -> list[str]:
    """Draw labelled horizontal grid lines at round steps from 0 to the top of the axis."""
    parts = []
    for tick in _ticks(top_value):
        y = _TOP + plot_h - plot_h * tick / top_value
        parts.append(
            f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="{_GRID_STROKE}"/>'
        )
        parts.append(_text(_LEFT - 6, y + 4, str(tick), anchor="end"))
    return parts


def _axes(plot_w: float, plot_h: float) -> list[str]:
    """Draw the x and y axis lines."""
    bottom = _TOP + plot_h
    return [
        f'<line class="axis" x1="{_LEFT}" y1="{bottom}" x2="{_LEFT + plot_w}" y2="{bottom}" '
        f'stroke="{_AXIS_STROKE}"/>',
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{bottom}" '
        f'stroke="{_AXIS_STROKE}"/>',
    ]


def _y_axis_label(label: str) -> str:
    """Draw a y-axis label rotated to run up the left edge."""
    y = _TOP + (_HEIGHT - _TOP - _BOTTOM) / 2
    return (
        f'<text class="axis-label" x="14" y="{y:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {y:.1f})" fill="{_TEXT_FILL}">{_esc(label)}</text>'
    )


def _empty_note(plot_w: float, plot_h: float, message: str) -> str:
    """Draw the note in the middle of a chart that has nothing to show."""
    return _text(_LEFT + plot_w / 2, _TOP + plot_h / 2, message, anchor="middle", css="empty")


def _text(x: float, y: float, label: str, *, anchor: str, css: str = "tick",
          data: bool = False) -> str:
    """Draw a text label (`data`: a value such as a moment, not to be translated)."""
    keep = ' translate="no"' if data else ""
    return (
        f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'fill="{_TEXT_FILL}"{keep}>{_esc(label)}</text>'
    )
