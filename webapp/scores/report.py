"""A document's scores report: figures, sorted rows, people and progress, as JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from webapp.core.models import Document
from webapp.core.states import State
from webapp.core.text import spreadsheet_safe
from webapp.scores import metrics
from webapp.scores.facts import DocumentFacts, RevisionFacts, SegmentFacts, gather
from webapp.scores.store import Cached, cached_figures

# Each sort starts where an editor triaging would: most edited, worst MT, slowest first.
SORTS = {"hter": "desc", "bleu": "asc", "chrf": "asc", "time": "desc", "number": "asc"}
# A progress chart draws a dot per point; a long document's history is thinned to this many.
MAX_PROGRESS_POINTS = 120
CSV_COLUMNS = [
    "number", "segment_id", "state", "post_edited", "mt", "target", "hter", "bleu", "chrf",
    "approved_hter", "approved_bleu", "approved_chrf", "seconds", "editors",
]


@dataclass
class Report:
    """A document's scores as the page, downloads and API show them."""

    doc: Document
    facts: DocumentFacts
    cached: Cached | None
    job_id: int | None

    @property
    def ready(self) -> bool:
        """Return whether the figures match the texts as they are now."""
        return self.job_id is None

    @property
    def figures(self) -> dict | None:
        """Return the corpus figures, fresh or the last ones computed."""
        return self.cached.figures if self.cached is not None else None

    @property
    def rows(self) -> list[SegmentFacts]:
        """Return the segments that have an MT draft to score, in document order."""
        return [s for s in self.facts.segments if s.mt]


def build_report(db: Session, doc: Document, refresh: Callable[[int], int]) -> Report:
    """Return the document's report; when it is out of date, refresh(doc id) starts a job."""
    facts = gather(db, doc.id)
    cached = cached_figures(db, doc.id, facts.fingerprint())
    stale = (cached is None or not cached.fresh
             or any(s.needs_score for s in facts.segments)
             or bool(facts.stale_revisions()))
    return Report(doc, facts, cached, refresh(doc.id) if stale else None)


def sort_rows(rows: list[SegmentFacts], key: str, order: str) -> list[SegmentFacts]:
    """Return rows sorted by a score or time; rows without that figure always come last."""
    def value(seg: SegmentFacts):
        if key == "number":
            return seg.number
        if key == "time":
            return seg.seconds if seg.post_edited else None
        if seg.score is None or not seg.post_edited:
            return None
        return {"hter": seg.score.ter, "bleu": seg.score.bleu, "chrf": seg.score.chrf}[key]

    keyed = [(value(s), s) for s in rows]
    sign = -1 if order == "desc" else 1
    # Ties read in document order whichever way the figures run.
    known = sorted(((v, s) for v, s in keyed if v is not None),
                   key=lambda pair: (sign * pair[0], pair[1].number))
    return [s for _, s in known] + [s for v, s in keyed if v is None]


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


def person_figures(facts: DocumentFacts) -> list[dict]:
    """Return segments, words, seconds and average HTER per person, from their revisions."""
    rows = []
    for seg in facts.segments:
        last_by: dict[str, RevisionFacts] = {}
        seconds: dict[str, float] = {}
        for rev in seg.revisions:
            if not rev.by_person:
                continue
            last_by[rev.author] = rev
            seconds[rev.author] = seconds.get(rev.author, 0.0) + (rev.seconds or 0.0)
        for author, rev in last_by.items():
            scores = facts.revision_scores.get(rev.id)
            hter = scores.against_mt.ter if scores is not None and seg.mt else None
            rows.append((author, seg.words, seconds[author], hter))
    return person_summary(rows)


def progress_points(facts: DocumentFacts) -> list[tuple[datetime, int]]:
    """Return (time, segments translated or approved) after each save or review, thinned out."""
    events = sorted(
        [(rev.created_at, seg.id, rev.state) for seg in facts.segments for rev in seg.revisions]
        + [(moment, seg.id, state) for seg in facts.segments
           for moment, state in seg.state_changes],
        key=lambda event: event[0],
    )
    done: set[int] = set()
    points: list[tuple[datetime, int]] = []
    for moment, seg_id, state in events:
        if state >= State.TRANSLATED:
            done.add(seg_id)
        else:
            done.discard(seg_id)
        points.append((moment, len(done)))
    if len(points) <= MAX_PROGRESS_POINTS:
        return points
    # Keep the last count in each slice of time: the line's shape survives, the dots don't pile.
    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds() or 1.0
    kept: dict[int, tuple[datetime, int]] = {}
    for moment, count in points:
        bucket = min(int((moment - start).total_seconds() / span * (MAX_PROGRESS_POINTS - 1)),
                     MAX_PROGRESS_POINTS - 2)
        kept[bucket] = (moment, count)
    return [points[0], *kept.values()]




def scores_json(score: metrics.SegmentScores | None) -> dict | None:
    """Return segment scores for JSON."""
    return None if score is None else {"bleu": score.bleu, "chrf": score.chrf, "ter": score.ter}


def to_json(rep: Report) -> dict:
    """Return the whole report as one JSON object."""
    ref = rep.facts.reference
    return {
        "document": rep.doc.to_dict(),
        "status": "ready" if rep.ready else "computing",
        "computed_at": rep.cached.computed_at.isoformat() + "Z" if rep.cached else None,
        "figures": rep.figures,
        "reference": None if ref is None else {
            "name": ref.name, "uploaded_by": ref.uploaded_by,
            "uploaded_at": ref.uploaded_at.isoformat() + "Z", "aligned": ref.aligned,
        },
        "segments": [{
            "id": s.id, "number": s.number, "state": State(s.state).slug,
            "post_edited": s.post_edited, "mt": s.mt, "target": s.target,
            "approved": s.approved, "scores": scores_json(s.score if s.post_edited else None),
            "approved_scores": scores_json(s.approved_score), "seconds": s.seconds,
            "editors": s.editors,
        } for s in rep.rows],
        "persons": person_figures(rep.facts),
        "progress": [{"at": moment.isoformat() + "Z", "translated": count}
                     for moment, count in progress_points(rep.facts)],
    }


def to_api_json(rep: Report) -> dict:
    """Return the API's answer: corpus figures and per-segment scores."""
    figures = rep.figures or {}
    # Headline: all MT drafts against the current targets, as sacrebleu would score them.
    main = figures.get("all_drafts") or {}
    return {
        "document_id": rep.doc.id,
        "status": "ready" if rep.ready else "computing",
        "job_id": rep.job_id,
        "bleu": main.get("bleu"),
        "chrf": main.get("chrf"),
        "ter": main.get("ter"),
        "signature": main.get("signature"),
        "post_edited": len([s for s in rep.rows if s.post_edited]),
        "post_edited_figures": figures.get("post_edited"),
        "with_mt": len(rep.rows),
        "approved": figures.get("approved"),
        "reference": figures.get("reference"),
        "segments": [{
            "id": s.id, "number": s.number, "post_edited": s.post_edited,
            **(scores_json(s.score) or {"bleu": None, "chrf": None, "ter": None}),
        } for s in rep.rows],
    }


def _number(value: float | None, places: int = 2) -> str:
    """Return a figure for a CSV cell, or an empty cell."""
    return "" if value is None else f"{value:.{places}f}"


def to_csv(rep: Report) -> str:
    """Return the segment table as CSV in document order, formulas neutralised, with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for seg in rep.rows:
        score = seg.score if seg.post_edited else None
        approved = seg.approved_score
        writer.writerow([spreadsheet_safe(str(v)) for v in (
            seg.number, seg.id, State(seg.state).slug, "yes" if seg.post_edited else "no",
            seg.mt, seg.target,
            _number(score and score.ter), _number(score and score.bleu),
            _number(score and score.chrf), _number(approved and approved.ter),
            _number(approved and approved.bleu), _number(approved and approved.chrf),
            _number(seg.seconds, 1), " ".join(seg.editors),
        )])
    # A BOM so that spreadsheet programs read the German text as UTF-8.
    return "\ufeff" + out.getvalue()


def file_stem(doc: Document) -> str:
    """Return a file-name stem for downloads of this document."""
    stem = doc.name.rsplit(".", 1)[0]
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem) or "document"
