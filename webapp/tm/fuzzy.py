"""Fuzzy matching and concordance over one language pair of the translation memory."""

# The score is OmegaT's: a Levenshtein distance over word and punctuation tokens,
# ``100 × (1 − distance / max(len_a, len_b))``. Tokens rather than characters because a
# translator edits words, and a character score inflates German compounds and inflections
# ("Sicherheitsrates" vs "Sicherheitsrat" would be a 94 % "match" of one wrong word); inline
# codes count as one token each, whatever their number. Only identical token sequences score
# 100; if they differ in spacing or code identity the score is 99, as MateCat does.
#
# Speed comes from prefix filtering (the standard trick of similarity joins): a memory
# segment within the threshold t of a query of n tokens shares at least ⌈t·n⌉ of its tokens,
# so it must contain one of the query's n − ⌈t·n⌉ + 1 *rarest* tokens. Only those tokens'
# postings are read from the inverted index, then candidates outside the length bounds
# are dropped and the rest are scored by rapidfuzz's C Levenshtein on token ids packed
# into strings. No match at or above the threshold is ever missed.

from __future__ import annotations

import bisect
import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from webapp.core.patterns import Matcher
from webapp.core.text import word_diff

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DIFF_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_CODE = re.compile("[\ue000-\uefff]")
# All inline codes are one token: which code it is does not change what must be typed.
_CODE_TOKEN = "\ue000"
# Repeated tokens are indexed as (token, occurrence) so that shared-token counts are
# multiset counts; past this many repeats they share one key, which only adds candidates.
_MAX_OCCURRENCE = 8
# Token ids are stored as characters so rapidfuzz compares them at C speed; the
# surrogate block is skipped because a str cannot hold lone surrogates.
_SURROGATES = 0xE000 - 0xD800


def _char(token_id: int) -> str:
    point = token_id + 1
    if point >= 0xD800:
        point += _SURROGATES
    return chr(point % 0x110000)


def tokenize(text: str) -> list[str]:
    """Return the word, punctuation and code tokens that the score counts."""
    return [_CODE_TOKEN if _CODE.fullmatch(t) else t for t in _TOKEN.findall(text)]


@dataclass(frozen=True)
class Match:
    """A memory segment close to the query, with the word diff of its source against it."""

    score: int  # 0..100
    source: str
    target: str
    origin: object
    # (op, text): 'equal'; 'delete' is only in the memory's source; 'insert' only in the
    # query. equal+delete spells the match source, equal+insert spells the query.
    diff: list[tuple[str, str]]


@dataclass(frozen=True)
class Hit:
    """A concordance hit: a memory segment containing the searched text."""

    source: str
    target: str
    origin: object
    start: int  # where the searched text starts on the searched side
    end: int


class FuzzyIndex:
    """An in-memory index of (source, target, origin) units of one language pair."""

    def __init__(self, units: Iterable[tuple[str, str, object]] = ()) -> None:
        self._sources: list[str] = []
        self._targets: list[str] = []
        self._origins: list[object] = []
        self._packed: list[str] = []
        self._vocabulary: dict[str, int] = {}
        self._postings: dict[int, array] = {}
        self._concordance: dict[str, tuple[str, list[int]] | None] = {
            "source": None,
            "target": None,
        }
        for source, target, origin in units:
            self.add(source, target, origin)

    def __len__(self) -> int:
        return len(self._sources)

    def _ids(self, tokens: list[str], *, grow: bool) -> list[int]:
        ids = []
        for token in tokens:
            token_id = self._vocabulary.get(token)
            if token_id is None:
                if not grow:
                    token_id = -1
                else:
                    token_id = self._vocabulary[token] = len(self._vocabulary)
            ids.append(token_id)
        return ids

    @staticmethod
    def _keys(ids: list[int]) -> list[int]:
        seen: dict[int, int] = {}
        keys = []
        for token_id in ids:
            count = seen[token_id] = seen.get(token_id, 0) + 1
            if token_id >= 0:
                keys.append(token_id * _MAX_OCCURRENCE + min(count, _MAX_OCCURRENCE) - 1)
            else:
                keys.append(-1)
        return keys

    def add(self, source: str, target: str, origin: object = None) -> int:
        """Add one unit and return its position."""
        position = len(self._sources)
        ids = self._ids(tokenize(source), grow=True)
        self._sources.append(source)
        self._targets.append(target)
        self._origins.append(origin)
        self._packed.append("".join(map(_char, ids)))
        for key in set(self._keys(ids)):
            posting = self._postings.get(key)
            if posting is None:
                posting = self._postings[key] = array("i")
            posting.append(position)
        self._concordance = {"source": None, "target": None}
        return position

    def lookup(self, text: str, threshold: float = 0.70, limit: int = 3) -> list[Match]:
        """Return up to `limit` best matches scoring at least `threshold` (0..1), best first."""
        ids = self._ids(tokenize(text), grow=False)
        n = len(ids)
        if n == 0 or not self._sources or limit <= 0:
            return []
        threshold = min(max(threshold, 0.0), 1.0)
        if threshold == 0.0:
            candidates: Iterable[int] = range(len(self._sources))
        else:
            must_share = max(1, math.ceil(threshold * n - 1e-9))
            keys = self._keys(ids)
            # Rarest first; unknown tokens (key -1) have no postings and cost nothing.
            keys.sort(key=lambda k: len(self._postings.get(k, ())) if k >= 0 else 0)
            found: set[int] = set()
            for key in keys[: n - must_share + 1]:
                if key >= 0:
                    found.update(self._postings.get(key, ()))
            # A ratio min/max of lengths below the threshold cannot reach it.
            low, high = threshold * n, n / threshold
            candidates = [p for p in found if low <= len(self._packed[p]) <= high]
        packed_query = "".join(_char(i) if i >= 0 else "\U0010fffe" for i in ids)
        scored = process.extract(
            packed_query,
            {p: self._packed[p] for p in candidates},
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=threshold - 1e-9,
            limit=None,
        )
        # Best score first; among equals the most recently added (newest translation).
        scored.sort(key=lambda item: (-item[1], -item[2]))
        matches = []
        for _, similarity, position in scored[:limit]:
            source = self._sources[position]
            score = math.floor(similarity * 100 + 1e-9)
            if score == 100 and source != text:
                score = 99
            matches.append(
                Match(
                    score,
                    source,
                    self._targets[position],
                    self._origins[position],
                    word_diff(source, text),
                )
            )
        return matches

    def concordance(self, query: str | Matcher, side: str = "source",
                    limit: int = 50) -> list[Hit]:
        """Find units whose source (or target) contains `query` ignoring case, or a Matcher hits."""
        if side not in ("source", "target"):
            raise ValueError("side is 'source' or 'target'")
        if isinstance(query, Matcher):
            return self._concordance_matching(query, side, limit)
        needle = query.strip().casefold()
        if not needle:
            return []
        built = self._concordance[side]
        if built is None:
            # One casefolded string of all units, searched with str.find at C speed; it is
            # rebuilt lazily after additions. Casefolding can change lengths (ß → ss), so
            # offsets are mapped back per unit.
            texts = self._sources if side == "source" else self._targets
            folded = [t.casefold() for t in texts]
            starts, offset = [], 0
            for item in folded:
                starts.append(offset)
                offset += len(item) + 1
            built = self._concordance[side] = ("\0".join(folded), starts)
        haystack, starts = built
        hits: list[Hit] = []
        at = haystack.find(needle)
        while at != -1 and len(hits) < limit:
            position = bisect.bisect_right(starts, at) - 1
            texts = self._sources if side == "source" else self._targets
            original = texts[position]
            local = at - starts[position]
            start = _unfold_offset(original, local)
            end = _unfold_offset(original, local + len(needle))
            hits.append(
                Hit(
                    self._sources[position],
                    self._targets[position],
                    self._origins[position],
                    start,
                    end,
                )
            )
            # One hit per unit: continue after this unit.
            next_start = starts[position + 1] if position + 1 < len(starts) else len(haystack)
            at = haystack.find(needle, next_start)
        return hits


    def _concordance_matching(self, matcher: Matcher, side: str, limit: int) -> list[Hit]:
        """Find the units a compiled search hits on one side, one hit per unit."""
        texts = self._sources if side == "source" else self._targets
        hits: list[Hit] = []
        for position, text in enumerate(texts):
            found = matcher.first(text)
            if found is not None:
                hits.append(Hit(self._sources[position], self._targets[position],
                                self._origins[position], *found))
                if len(hits) == limit:
                    break
        return hits


def _unfold_offset(original: str, folded_offset: int) -> int:
    """Map an offset in original.casefold() back to an offset in original."""
    if len(original.casefold()) == len(original):
        return min(folded_offset, len(original))
    length = 0
    for index, char in enumerate(original):
        if length >= folded_offset:
            return index
        length += len(char.casefold())
    return len(original)
