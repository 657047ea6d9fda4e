"""The translation memory's table searched through cached fuzzy indexes: lookup, concordance, pairs."""

# Every approved segment is mirrored by one ``MemoryUnit`` (webapp.tm.feed); when the segment
# changes or loses its approval, its unit is replaced or removed. Units are never updated in
# place, only added and deleted, so a per-pair ``FuzzyIndex`` can follow the table by its
# highest id: ``MemoryCache`` adds the rows above the id it has seen, and rebuilds from the
# table when deletions have left too many stale entries (hits are always re-read from the
# table, so a stale entry is never shown). Several processes (gunicorn workers, queue
# workers) each keep their own cache and all of them stay right, at the cost of one index
# seek per lookup (and a count now and then). A pair too big to index within a request is
# indexed on a thread.

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from webapp.core.models import MemoryUnit, Segment
from webapp.core.patterns import Matcher, parse_query
from webapp.core.text import primary_language, word_diff
from webapp.interchange import codes as tags
from webapp.interchange.formats import tmx
from webapp.tm.fuzzy import FuzzyIndex, Hit, Match

# Where the app keeps this process's MemoryCache (app.extensions).
CACHE_KEY = "webapp.tm_cache"
logger = logging.getLogger(__name__)


def cache_of(app) -> MemoryCache:
    """Return the app's memory cache (any object with Flask's `extensions`)."""
    return app.extensions[CACHE_KEY]


def digest(source_key: str, target_key: str, source: str, target: str) -> str:
    """Return the fingerprint two identical units share."""
    raw = "\x1f".join((source_key, target_key, source, target)).encode("utf-8")
    return hashlib.sha1(raw).hexdigest()


# --- The in-process cache of fuzzy indexes ---------------------------------------------


@dataclass
class _PairIndex:
    index: FuzzyIndex | None = None  # None until first built
    max_id: int = 0
    counted_at: float = float("-inf")
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class MemoryCache:
    """One FuzzyIndex per language pair, kept in step with the tm_unit table."""

    # An index whose entries outnumber the table's rows by this share is rebuilt.
    STALE_SHARE = 0.2
    # Deletions are rare and their entries are filtered out anyway, so rows are counted
    # (a scan) at most this often; the highest id (an index seek) is read on every lookup.
    COUNT_EVERY = 30.0

    def __init__(self, factory: sessionmaker[Session] | None = None,
                 inline_rows: int = 20_000) -> None:
        # A pair bigger than `inline_rows` is indexed on a thread with its own session
        # (100,000 units take seconds), so no request waits for it; until then it offers
        # no matches. Without a factory every build happens in the caller.
        self.factory = factory
        self.inline_rows = inline_rows
        self._pairs: dict[tuple[str, str], _PairIndex] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every index (they rebuild on the next lookup)."""
        with self._lock:
            self._pairs.clear()

    def ready(self, source_key: str, target_key: str) -> bool:
        """Tell whether the pair's index has been built (it may still lag a little)."""
        entry = self._pairs.get((source_key, target_key))
        return entry is not None and entry.index is not None

    def index(
        self, db: Session, source_key: str, target_key: str, *, wait: bool = False
    ) -> _PairIndex | None:
        """Return the pair's index brought up to date, or None while a big one is being built."""
        key = (source_key, target_key)
        pair = MemoryUnit.source_key == source_key, MemoryUnit.target_key == target_key
        max_id = db.scalar(select(func.coalesce(func.max(MemoryUnit.id), 0)).where(*pair))
        with self._lock:
            entry = self._pairs.get(key)
            if entry is None:
                entry = self._pairs[key] = _PairIndex()
        with entry.lock:
            now = time.monotonic()
            rebuild = entry.index is None
            if rebuild or max_id != entry.max_id or now - entry.counted_at > self.COUNT_EVERY:
                count = db.scalar(select(func.count()).select_from(MemoryUnit).where(*pair))
                entry.counted_at = now
                if entry.index is not None:
                    stale = len(entry.index) - count
                    rebuild = stale > max(50, self.STALE_SHARE * count) or max_id < entry.max_id
                if rebuild:
                    if entry.building:
                        return entry if entry.index is not None else None
                    if count > self.inline_rows and not wait and self.factory is not None:
                        # The old index (if any) goes on serving; its stale hits are dropped.
                        entry.building = True
                        threading.Thread(target=self._build, args=(entry, source_key, target_key),
                                         name="webapp-tm-index", daemon=True).start()
                        return entry if entry.index is not None else None
                    entry.index, entry.max_id = FuzzyIndex(), 0
            if max_id > entry.max_id:
                entry.max_id = _load(db, entry.index, pair, entry.max_id)
        return entry

    def _build(self, entry: _PairIndex, source_key: str, target_key: str) -> None:
        """Build a pair's index on this thread and put it in place."""
        pair = MemoryUnit.source_key == source_key, MemoryUnit.target_key == target_key
        try:
            with self.factory() as db:
                index = FuzzyIndex()
                last = _load(db, index, pair, 0)
            with entry.lock:
                entry.index, entry.max_id, entry.counted_at = index, last, time.monotonic()
        except Exception:  # noqa: BLE001 - a failed build is retried by the next lookup
            logger.exception("indexing the %s→%s memory failed", source_key, target_key)
        finally:
            with entry.lock:
                entry.building = False


def _load(db: Session, index: FuzzyIndex, pair: tuple, after: int) -> int:
    """Add the pair's rows with an id above `after` to the index; return the highest id."""
    last = after
    rows = db.execute(
        select(MemoryUnit.id, MemoryUnit.source, MemoryUnit.target)
        .where(*pair, MemoryUnit.id > after).order_by(MemoryUnit.id)
        .execution_options(yield_per=5000)
    )
    for unit_id, source, target in rows:
        index.add(source, target, unit_id)
        last = unit_id
    return last


# --- Lookup and concordance ------------------------------------------------------------


@dataclass
class MemoryMatch:
    """A fuzzy match with the unit it came from."""

    score: int
    unit: MemoryUnit
    # Word diff of the unit's source against the query (see webapp.tm.fuzzy.Match.diff).
    diff: list[tuple[str, str]]


def _units(db: Session, ids: Iterable[int]) -> dict[int, MemoryUnit]:
    ids = list(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.scalars(select(MemoryUnit).where(MemoryUnit.id.in_(ids)))}


def _region_ok(unit: MemoryUnit, source_lang: str, target_lang: str) -> bool:
    return tmx.lang_matches(unit.source_lang, source_lang) and tmx.lang_matches(
        unit.target_lang, target_lang
    )


def lookup(
    db: Session, cache: MemoryCache, text: str, source_lang: str, target_lang: str,
    threshold: float = 0.70, limit: int = 3,
) -> list[MemoryMatch]:
    """Return up to `limit` matches for text at or above threshold (0..1), best first."""
    if not text.strip() or limit <= 0:
        return []
    entry = cache.index(db, primary_language(source_lang), primary_language(target_lang))
    if entry is None:
        return []
    with entry.lock:
        # Extra candidates make up for stale entries and for units of another region.
        found: list[Match] = entry.index.lookup(text, threshold, limit * 3 + 5)
    units = _units(db, (m.origin for m in found))
    out = []
    for match in found:
        unit = units.get(match.origin)
        if unit is None or not _region_ok(unit, source_lang, target_lang):
            continue
        out.append(MemoryMatch(match.score, unit, match.diff))
        if len(out) == limit:
            break
    return out


@dataclass
class ConcordanceHit:
    """A unit containing the searched text, with where it is on the searched side."""

    unit: MemoryUnit
    start: int
    end: int


def concordance(
    db: Session, cache: MemoryCache, query: str, source_lang: str, target_lang: str,
    side: str = "source", limit: int = 50, *, regex: bool = False, case: bool = False,
    word: bool = False,
) -> list[ConcordanceHit]:
    """Return units whose source (or target) the query hits, read as the editor's search."""
    # `/…/` is a regex, plain text ignores case; a bad pattern raises PatternError.
    parsed = parse_query(query, regex=regex, case=case, word=word)
    # Plain text ignoring case is the index's own casefolded search (the Matcher's plain
    # mode is the same); anything else runs the compiled search over the units.
    search = (parsed.body if not (parsed.regex or parsed.case or parsed.word)
              else Matcher(parsed))
    entry = cache.index(db, primary_language(source_lang), primary_language(target_lang))
    if entry is None:
        return []
    with entry.lock:
        hits: list[Hit] = entry.index.concordance(search, side, limit * 2)
    units = _units(db, (h.origin for h in hits))
    out = []
    for hit in hits:
        unit = units.get(hit.origin)
        if unit is not None:
            out.append(ConcordanceHit(unit, hit.start, hit.end))
        if len(out) == limit:
            break
    return out



def glossary_hits(glossary_cache, db: Session, query: str, lang: str) -> list:
    """Return (entry, language) for glossary entries containing the query, if a glossary searches."""
    # The glossary feature is optional here: any cache whose snapshot offers search() will do.
    if glossary_cache is None or not hasattr(glossary_cache, "get"):
        return []
    snapshot = glossary_cache.get(db)
    glossary = getattr(snapshot, "glossary", snapshot)
    search = getattr(glossary, "search", None)
    if search is None:
        return []
    short = primary_language(lang)
    return [(entry, short) for entry in search(query, short)[:20]]

@dataclass
class Pair:
    """A language pair of the memory and how many units it holds."""

    source_key: str
    target_key: str
    units: int
    source_tags: list[str]
    target_tags: list[str]


def pairs(db: Session) -> list[Pair]:
    """Return the memory's language pairs, the biggest first."""
    out: dict[tuple[str, str], Pair] = {}
    rows = db.execute(
        select(MemoryUnit.source_key, MemoryUnit.target_key, MemoryUnit.source_lang,
               MemoryUnit.target_lang, func.count())
        .group_by(MemoryUnit.source_key, MemoryUnit.target_key, MemoryUnit.source_lang,
                  MemoryUnit.target_lang)
    )
    for skey, tkey, stag, ttag, n in rows:
        pair = out.setdefault((skey, tkey), Pair(skey, tkey, 0, [], []))
        pair.units += n
        if stag not in pair.source_tags:
            pair.source_tags.append(stag)
        if ttag not in pair.target_tags:
            pair.target_tags.append(ttag)
    return sorted(out.values(), key=lambda p: (-p.units, p.source_key, p.target_key))



def segment_matches(
    db: Session, cache: MemoryCache, seg: Segment, source_lang: str, target_lang: str,
    threshold: float, limit: int = 3,
) -> list[dict]:
    """Return a segment's fuzzy matches with the codes carried over, as the editor shows them."""
    found = lookup(db, cache, seg.source, source_lang, target_lang, threshold, limit)
    seg_codes = tags.of(seg)
    out = []
    for n, match in enumerate(found, 1):
        unit_codes = tags.of(match.unit)
        target = tags.carry_over(match.unit.target, match.unit.source, unit_codes,
                                 seg.source, seg_codes) if (unit_codes or seg_codes) \
            else match.unit.target
        diff = [(op, tags.render_codes_html(text, unit_codes if op == "delete" else seg_codes))
                for op, text in word_diff(match.unit.source, seg.source)]
        out.append({
            "n": n, "score": match.score, "diff": diff, "unit": match.unit,
            "target_html": tags.render_codes_html(target, seg_codes),
            "insert": tags.to_tokens(target, seg_codes),
        })
    return out
