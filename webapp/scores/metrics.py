"""BLEU, chrF and TER of MT drafts against post-edits via sacrebleu, and the report's charts."""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER

# Metric objects are built once per process: building them compiles the tokenisers' regular
# expressions, and their tokenisers memoise segments, so re-scoring a document after a save
# only re-tokenises the segments that changed. sacrebleu's defaults are kept so that every
# figure can be reproduced with the plain `sacrebleu` command line.
_CORPUS_BLEU = BLEU()
# A single sentence rarely has a matching 4-gram; sacrebleu recommends effective order for
# sentence-level BLEU so that such a sentence is not scored 0 outright.
_SENTENCE_BLEU = BLEU(effective_order=True)
_CHRF = CHRF()
_TER = TER()

# Part of every fingerprint: bump it whenever a metric setting above changes, so that cached
# scores computed with the old settings are no longer found.
_SCORING_SCHEME = "bleu13a-exp/chrf6-0-2/ter-default/1"


@dataclass(frozen=True)
class SegmentScores:
    """Sentence-level BLEU, chrF and TER of one hypothesis against one reference (0-100 scale)."""

    bleu: float
    chrf: float
    ter: float


@dataclass(frozen=True)
class CorpusScores:
    """Corpus-level BLEU, chrF and TER with the sacrebleu signature of each metric."""

    bleu: float
    chrf: float
    ter: float
    signature: dict[str, str]
    n_segments: int


@dataclass(frozen=True)
class RevisionScores:
    """A revision scored against the revision before it and against the MT draft."""

    against_previous: SegmentScores
    against_mt: SegmentScores


class ReferenceMismatchError(ValueError):
    """An uploaded reference whose segment count differs from the document's."""

    def __init__(self, found: int, expected: int):
        self.found = found
        self.expected = expected
        super().__init__(
            f"The reference has {_count(found, 'segment')}; the document has {expected}."
        )


def score_segment(hypothesis: str, reference: str) -> SegmentScores:
    """Score one hypothesis against one reference exactly as sacrebleu's sentence_score does."""
    return SegmentScores(
        bleu=_SENTENCE_BLEU.sentence_score(hypothesis, [reference]).score,
        chrf=_CHRF.sentence_score(hypothesis, [reference]).score,
        ter=_TER.sentence_score(hypothesis, [reference]).score,
    )


def score_corpus(
    hypotheses: Sequence[str],
    references: Sequence[str],
    *,
    more_references: Sequence[Sequence[str]] = (),
) -> CorpusScores:
    """Score aligned hypotheses against references with sacrebleu's corpus_score."""
    hypotheses = list(hypotheses)
    streams = [list(references), *(list(stream) for stream in more_references)]
    if not hypotheses:
        raise ValueError("A document without segments has no corpus score.")
    for stream in streams:
        if len(stream) != len(hypotheses):
            raise ValueError(
                f"{_count(len(hypotheses), 'hypothesis', 'hypotheses')} "
                f"but {_count(len(stream), 'reference')}."
            )
    bleu = _CORPUS_BLEU.corpus_score(hypotheses, streams)
    chrf = _CHRF.corpus_score(hypotheses, streams)
    ter = _TER.corpus_score(hypotheses, streams)
    return CorpusScores(
        bleu=bleu.score,
        chrf=chrf.score,
        ter=ter.score,
        signature={
            "bleu": _signature(_CORPUS_BLEU, len(streams)),
            "chrf": _signature(_CHRF, len(streams)),
            "ter": _signature(_TER, len(streams)),
        },
        n_segments=len(hypotheses),
    )


def score_revision(text: str, previous_text: str | None, mt_text: str) -> RevisionScores:
    """Score a revision against the previous revision (or the MT draft if first) and the MT."""
    # The older text is the hypothesis and the newer the reference, as MT against post-edit,
    # so TER reads as the share of the new text that this pass had to change.
    if previous_text is None:
        previous_text = mt_text
    return RevisionScores(
        against_previous=score_segment(previous_text, text),
        against_mt=score_segment(mt_text, text),
    )


def parse_reference(text: str, expected_segments: int) -> list[str]:
    """Split a plain-text reference into one segment per line, or refuse a miscount."""
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text) if text else []
    # A final line break ends the last line rather than starting an empty segment.
    if lines and lines[-1] == "":
        lines.pop()
    # Editors often leave blank lines at the end of a file; forgive them, but never drop text.
    while len(lines) > expected_segments and lines[-1].strip() == "":
        lines.pop()
    if len(lines) != expected_segments:
        raise ReferenceMismatchError(found=len(lines), expected=expected_segments)
    return lines


def score_against_reference(
    mt: Sequence[str], post_edited: Sequence[str], reference: Sequence[str]
) -> dict[str, CorpusScores]:
    """Score the MT drafts and the post-edited targets each against an uploaded reference."""
    if len(mt) != len(post_edited):
        raise ValueError(
            f"{_count(len(mt), 'MT draft')} but {_count(len(post_edited), 'post-edited target')}."
        )
    if len(reference) != len(mt):
        raise ReferenceMismatchError(found=len(reference), expected=len(mt))
    return {
        "mt": score_corpus(mt, reference),
        "post_edited": score_corpus(post_edited, reference),
    }


def document_fingerprint(pairs: Iterable[tuple[str, str]]) -> str:
    """Return a stable hash of a document's (MT, target) pairs to key its cached scores."""
    digest = hashlib.sha256()
    # The sacrebleu version is hashed in because an upgrade may change the figures.
    digest.update(f"{_SCORING_SCHEME}|sacrebleu {sacrebleu.__version__}|".encode())
    for mt, target in pairs:
        for text in (mt, target):
            data = text.encode("utf-8")
            # Length prefixes keep ("ab", "c") and ("a", "bc") from hashing alike.
            digest.update(b"%d:" % len(data))
            digest.update(data)
    return digest.hexdigest()


def person_summary(
    rows: Iterable[tuple[str, int, float | None, float | None]],
) -> list[dict]:
    """Total segments, words and seconds and average HTER per author, from segment rows."""
    totals: dict[str, dict] = {}
    for author, words, seconds, hter in rows:
        entry = totals.setdefault(
            author,
            {"author": author, "segments": 0, "words": 0, "seconds": 0.0, "_hters": []},
        )
        entry["segments"] += 1
        entry["words"] += words
        if seconds is not None:
            entry["seconds"] += seconds
        if hter is not None:
            entry["_hters"].append(hter)
    summary = []
    for entry in totals.values():
        hters = entry.pop("_hters")
        entry["average_hter"] = sum(hters) / len(hters) if hters else None
        summary.append(entry)
    summary.sort(key=lambda entry: (str(entry["author"]).casefold(), str(entry["author"])))
    return summary


# Charts. Colours are presentation attributes rather than a <style> element so that a strict
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
    title: str = "Distribution of HTER per segment",
    chart_id: str = "hter-histogram",
) -> str:
    """Draw an SVG histogram of per-segment HTER in bands of 10, with a band for over 100."""
    for value in values:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"An HTER must be a finite number of at least 0, not {value!r}.")
    labels = [f"{lower}–{upper}" for lower, upper in _HTER_BINS] + ["over 100"]
    counts = [0] * len(labels)
    for value in values:
        # TER exceeds 100 when the MT is longer than its post-edit; those get their own band.
        counts[10 if value > 100 else min(int(value // 10), 9)] += 1

    description = (
        f"{_count(len(values), 'segment')}. Segments per HTER band: "
        + ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))
        + "."
    )
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
        tooltip = _esc(f"HTER {label}: {_count(count, 'segment')}")
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{bottom - height:.1f}" width="{slot - 4:.1f}" '
            f'height="{height:.1f}" fill="{_BAR_FILL}"><title>{tooltip}</title></rect>'
        )
    for index in range(0, 11, 2):
        parts.append(_text(_LEFT + index * slot, bottom + 16, str(index * 10), anchor="middle"))
    parts.append(_text(_LEFT + 11 * slot, bottom + 16, ">100", anchor="middle"))
    parts += _axes(plot_w, plot_h)
    x_label = "HTER (edits per 100 words of the post-edit)"
    parts.append(_text(_LEFT + plot_w / 2, _HEIGHT - 8, x_label, anchor="middle", css="axis-label"))
    parts.append(_y_axis_label("Segments"))
    if not values:
        parts.append(
            _text(
                _LEFT + plot_w / 2,
                _TOP + plot_h / 2,
                "No segments scored yet",
                anchor="middle",
                css="empty",
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def progress_svg(
    points: Sequence[tuple[datetime, int]],
    *,
    title: str = "Progress over time",
    y_label: str = "Segments done",
    chart_id: str = "progress",
) -> str:
    """Draw an SVG step chart of a running count (such as segments done) over time."""
    points = sorted(points, key=lambda point: point[0])
    if points:
        first, last = points[0], points[-1]
        description = (
            f"{y_label}: {first[1]} at {_when(first[0])}, "
            f"{last[1]} at {_when(last[0])}, over {_count(len(points), 'update')}."
        )
    else:
        description = "No progress recorded yet."
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
                f'fill="{_LINE_STROKE}"><title>{_esc(f"{_when(moment)}: {value}")}</title>'
                "</circle>"
            )
        parts.append(_text(_LEFT, bottom + 16, _when(points[0][0]), anchor="start"))
        if span:
            parts.append(_text(_LEFT + plot_w, bottom + 16, _when(points[-1][0]), anchor="end"))
    else:
        parts.append(
            _text(
                _LEFT + plot_w / 2,
                _TOP + plot_h / 2,
                "No progress recorded yet",
                anchor="middle",
                css="empty",
            )
        )
    parts += _axes(plot_w, plot_h)
    parts.append(_text(_LEFT + plot_w / 2, _HEIGHT - 8, "Time", anchor="middle", css="axis-label"))
    parts.append(_y_axis_label(y_label))
    parts.append("</svg>")
    return "".join(parts)


def _signature(metric: BLEU | CHRF | TER, n_references: int) -> str:
    """Return a metric's sacrebleu signature string for the given number of references."""
    signature = metric.get_signature()
    # The metric objects are shared, so another thread may have scored with a different
    # number of references since this call did; state this call's count explicitly.
    signature.update("nrefs", n_references)
    return signature.format()


def _count(number: int, singular: str, plural: str | None = None) -> str:
    """Return "1 segment" or "12 segments"."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _esc(text: str) -> str:
    """Escape text for an SVG element or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def _when(moment: datetime) -> str:
    """Format a moment for a chart label."""
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


def _text(x: float, y: float, label: str, *, anchor: str, css: str = "tick") -> str:
    """Draw a text label."""
    return (
        f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'fill="{_TEXT_FILL}">{_esc(label)}</text>'
    )
