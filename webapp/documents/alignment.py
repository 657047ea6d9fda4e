"""Sentence alignment of an original with a document's segments: Gale–Church lengths, anchors, a band."""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# Gale & Church (1993): -log of each link type's prior relative to 1:1 (their 100ths become nats),
# and the variance of the length difference per character.
PENALTY = {"1:1": 0.0, "1:2": 2.30, "2:1": 2.30, "1:0": 3.0, "0:1": 3.0}
VARIANCE = 6.8
# The most a sentence's length adds to the cost of leaving it unpaired.
UNPAIRED_CAP = 2.0
# Nats taken off a link's cost per unit of anchor weight that both sides share.
ANCHOR_GAIN = 1.2
# English words of a back-translation count for less than a number or a name: many are shared
# by chance.
BACK_GAIN = 0.25
# Half the width of the band of English positions tried around the length-predicted one; it
# doubles while the best path touches the band's edge.
BAND = 24
# Below this confidence a link is shown as "check".
LOW_CONFIDENCE = 0.8

# Move kinds, as stored in the back pointers: (German taken, English taken).
MOVES = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))
KIND_BY_MOVE = {move: f"{move[0]}:{move[1]}" for move in MOVES}

_NUMBER = re.compile(r"\d+(?:[.,'\u2019\u202f\u00a0 ]\d{3})*(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_QUOTES = re.compile(r"[„“”\"«»‚‘’‹›]")
_NOT_DIGIT = re.compile(r"\D")
_STOP = frozenset("""the and that this with from have has had were was will would which their there
    they them than then been into also said says about after over more most some such what when
    where while who whom whose other only could should these those very just""".split())


@dataclass(frozen=True)
class Link:
    """German segment indexes and English sentence indexes that belong together."""

    de: tuple[int, ...]
    en: tuple[int, ...]
    confidence: float

    @property
    def kind(self) -> str:
        """Return "German:English" counts, such as "1:2"."""
        return f"{len(self.de)}:{len(self.en)}"

    @property
    def low(self) -> bool:
        """Tell whether a person should check this link."""
        return self.confidence < LOW_CONFIDENCE


TermFinder = Callable[[str, str], Iterable[str]]


def _name_key(word: str) -> str:
    """Return a capitalised word folded so "Putins", "Putin's" and "Putin" meet."""
    key = word.casefold()
    if key.endswith(("'s", "’s")):
        key = key[:-2]
    return key[:-1] if len(key) > 4 and key.endswith("s") else key


def anchors(text: str, lang: str, terms: TermFinder | None = None) -> Counter:
    """Return what survives translation in a sentence: numbers, names, glossary terms, quotes."""
    found = Counter(["#" + (_NOT_DIGIT.sub("", number).lstrip("0") or "0")
                     for number in _NUMBER.findall(text)])
    # A sentence's first word is capitalised in any language; German nouns always are, but
    # they rarely spell the same in English, so only shared spellings ever match.
    found.update(["N" + _name_key(word) for word in _WORD.findall(text)[1:]
                  if len(word) >= 3 and word[0].isupper()])
    if terms is not None:
        found.update(["G" + key.casefold() for key in terms(text, lang)])
    quotes = len(_QUOTES.findall(text))
    if quotes:
        found["Q"] += (quotes + 1) // 2
    return found


def content_words(text: str) -> Counter:
    """Return the content words of an English text, for comparing it with a back-translation."""
    return Counter("W" + _name_key(w) for w in _WORD.findall(text)
                   if len(w) >= 3 and w.casefold() not in _STOP)


def _log_erfc(x: np.ndarray) -> np.ndarray:
    """Return log(erfc(x)) for x >= 0 without underflow (Abramowitz & Stegun 7.1.26)."""
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                          + t * 1.061405429))))
    return np.log(poly) - x * x


def _length_cost(de_len: np.ndarray | float, en_len: np.ndarray | float, ratio: float) -> np.ndarray:
    """Return -log P(length difference) of Gale & Church for German and English lengths."""
    mean = np.maximum((de_len + np.asarray(en_len) / ratio) / 2.0, 1.0)
    z = np.abs(ratio * de_len - en_len) / np.sqrt(VARIANCE * mean)
    return -_log_erfc(z / math.sqrt(2.0))


def _unpaired_cost(length: np.ndarray) -> np.ndarray:
    """Return the length part of a sentence's cost when nothing pairs with it."""
    # Gale & Church's difference against zero grows without bound, so that a long German
    # line the original does not have (a caption, "Lesen Sie auch") would rather pull its
    # neighbours out of place than stand alone; a capped cost lets it stand alone.
    return np.minimum(np.sqrt(length) / 8.0, UNPAIRED_CAP)


def _shifted(row: np.ndarray, offset: int, size: int) -> np.ndarray:
    """Return out[k] = row[k + offset] where that exists, else infinity."""
    out = np.full(size, np.inf)
    start, stop = max(0, -offset), min(size, len(row) - offset)
    if start < stop:
        out[start:stop] = row[start + offset : stop + offset]
    return out


class _Problem:
    """One alignment problem over a band, each link's cost computed once for both passes."""

    def __init__(self, de_len: np.ndarray, en_len: np.ndarray, de_anchors: list[Counter],
                 en_anchors: list[Counter], weights: dict[str, float]):
        self.de_len, self.en_len = de_len, en_len
        self.de_anchors, self.weights = de_anchors, weights
        self.n, self.m = len(de_len), len(en_len)
        total_de, total_en = float(de_len.sum()), float(en_len.sum())
        self.ratio = total_en / total_de if total_de > 0 and total_en > 0 else 1.0
        # Where each English anchor occurs, in order, so a segment looks only inside its band.
        self.postings: dict[str, tuple[list[int], list[int]]] = {}
        for j, found in enumerate(en_anchors):
            for key, count in found.items():
                if key in weights:
                    idx, counts = self.postings.setdefault(key, ([], []))
                    idx.append(j)
                    counts.append(count)

    def band(self, width: int) -> tuple[np.ndarray, int]:
        """Return each row's lowest English boundary and the band's width around the diagonal."""
        # The diagonal is where the cumulative lengths predict each row's English boundary.
        n, m = self.n, self.m
        cum_de = np.concatenate(([0.0], np.cumsum(self.de_len)))
        cum_en = np.concatenate(([0.0], np.cumsum(self.en_len)))
        if cum_de[-1] > 0 and cum_en[-1] > 0:
            centre = np.searchsorted(cum_en, cum_de * (cum_en[-1] / cum_de[-1]))
        else:
            centre = np.round(np.arange(n + 1) * (m / max(n, 1))).astype(int)
        centre = np.clip(centre, 0, m)
        centre[0], centre[-1] = 0, m
        before = np.concatenate(([0], centre[:-1]))
        after = np.concatenate((centre[1:], [m]))
        lo = np.clip(np.minimum(before, centre) - width, 0, m)
        hi = np.clip(np.maximum(after, centre) + width, 0, m)
        return lo, int((hi - lo).max()) + 1

    def _gains(self, lo: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the anchor weight each 1:1, 1:2 and 2:1 link ending in a cell shares."""
        gains = [np.zeros((self.n + 1) * size) for _ in range(3)]
        cells: list[list[int]] = [[], [], []]
        values: list[list[float]] = [[], [], []]
        weights, postings = self.weights, self.postings

        def add(which: int, found: Counter, row: int, pair: bool) -> None:
            low, high = int(lo[row]), int(lo[row]) + size - 1
            for key, have in found.items():
                post = postings.get(key)
                if post is None:
                    continue
                idx, counts = post
                start, stop = bisect_left(idx, low - 2), bisect_right(idx, high)
                if start >= stop:
                    continue
                weight = weights[key]
                near = dict(zip(idx[start:stop], counts[start:stop], strict=True))
                ends = ({j + 1 for j in near} | {j + 2 for j in near}) if pair else \
                    {j + 1 for j in near}
                for end in ends:
                    if not low <= end <= high:
                        continue
                    count = near.get(end - 1, 0) + (near.get(end - 2, 0) if pair else 0)
                    cells[which].append(row * size + end - low)
                    values[which].append(weight * min(have, count))

        for s, found in enumerate(self.de_anchors):
            if found:
                add(0, found, s + 1, False)
                add(1, found, s + 1, True)
            if s + 1 < self.n and (found or self.de_anchors[s + 1]):
                add(2, found + self.de_anchors[s + 1], s + 2, False)
        for which in range(3):
            if cells[which]:
                np.add.at(gains[which], np.array(cells[which]), np.array(values[which]))
        return tuple(ANCHOR_GAIN * g.reshape(self.n + 1, size) for g in gains)

    def costs(self, lo: np.ndarray, size: int) -> dict[int, np.ndarray]:
        """Return, per move, the cost of the link that ends in each cell (infinity if none can)."""
        n, m, ratio = self.n, self.m, self.ratio
        de_len, en_len = self.de_len, self.en_len
        rows = np.arange(n + 1)[:, None]
        cols = lo[:, None] + np.arange(size)[None, :]
        de1 = np.concatenate(([0.0], de_len))[rows]
        de2 = np.concatenate(([0.0, 0.0], de_len[:-1] + de_len[1:]))[rows] if n > 1 else \
            np.zeros_like(de1)
        en_pad = np.concatenate(([0.0, 0.0], en_len, [0.0]))
        en1 = en_pad[np.clip(cols + 1, 0, m + 2)]
        en2 = en1 + en_pad[np.clip(cols, 0, m + 2)]
        inside = cols <= m
        gain11, gain12, gain21 = self._gains(lo, size)
        inf = np.inf
        costs = {
            0: np.where(inside & (rows >= 1) & (cols >= 1),
                        _length_cost(de1, en1, ratio) - gain11, inf),
            1: np.where(inside & (rows >= 1) & (cols >= 2),
                        PENALTY["1:2"] + _length_cost(de1, en2, ratio) - gain12, inf),
            2: np.where(inside & (rows >= 2) & (cols >= 1),
                        PENALTY["2:1"] + _length_cost(de2, en1, ratio) - gain21, inf),
            3: np.where(inside & (rows >= 1),
                        PENALTY["1:0"] + _unpaired_cost(de1), inf),
        }
        skip = PENALTY["0:1"] + _unpaired_cost(en_len)
        # cum_skip[j]: the cost of leaving English sentences 0..j-1 unpaired.
        self.cum_skip = np.concatenate(([0.0], np.cumsum(skip)))
        return costs

    def forward(self, lo: np.ndarray, size: int, cost: dict[int, np.ndarray]):
        """Return the best cost of reaching each cell from the start, and the last move there."""
        n, m = self.n, self.m
        table = np.full((n + 1, size), np.inf)
        backs = np.zeros((n + 1, size), dtype=np.int8)
        lo_list = [int(x) for x in lo]
        for i in range(n + 1):
            a = lo_list[i]
            stop = min(size, m - a + 1)
            cand = np.full((4, size), np.inf)
            for move, (di, dj) in enumerate(MOVES[:4]):
                if i >= di:
                    cand[move] = _shifted(table[i - di], a - lo_list[i - di] - dj, size) + cost[move][i]
            best = cand.argmin(axis=0)
            x = cand[best, np.arange(size)]
            if i == 0:
                x[0] = 0.0
            x[stop:] = np.inf
            # 0:1 moves stay in the row: cost[j] = min(x[j], cost[j-1] + skip(j-1)), a running
            # minimum of x - prefix sums, so the row needs no Python loop.
            s = np.full(size, 0.0)
            s[:stop] = self.cum_skip[a : a + stop] - self.cum_skip[a]
            row = s + np.minimum.accumulate(x - s)
            row[stop:] = np.inf
            back = best.astype(np.int8)
            back[row < x - 1e-9] = 4
            table[i], backs[i] = row, back
        return table, backs

    def backward(self, lo: np.ndarray, size: int, cost: dict[int, np.ndarray]) -> np.ndarray:
        """Return the best cost of finishing from each cell."""
        n, m = self.n, self.m
        table = np.full((n + 1, size), np.inf)
        lo_list = [int(x) for x in lo]
        for i in range(n, -1, -1):
            a = lo_list[i]
            stop = min(size, m - a + 1)
            x = np.full(size, np.inf)
            if i == n and m - a < size:
                x[m - a] = 0.0
            for move, (di, dj) in enumerate(MOVES[:4]):
                if i + di <= n:
                    offset = a - lo_list[i + di] + dj
                    x = np.minimum(x, _shifted(table[i + di] + cost[move][i + di], offset, size))
            x[stop:] = np.inf
            # 0:1 moves: cost[j] = min(x[j], skip(j) + cost[j+1]), the scan run from the right.
            s = np.full(size, 0.0)
            s[:stop] = self.cum_skip[a : a + stop] - self.cum_skip[a]
            with np.errstate(invalid="ignore"):
                row = (np.minimum.accumulate((x + s)[::-1])[::-1]) - s
            row[stop:] = np.inf
            table[i] = row
        return table

    def path(self, lo: np.ndarray, backs: np.ndarray) -> list[tuple[int, int, int]]:
        """Return the best path as (move, i, j) steps from the start, each ending at (i, j)."""
        i, j = self.n, self.m
        steps = []
        while i > 0 or j > 0:
            move = int(backs[i, j - int(lo[i])])
            steps.append((move, i, j))
            di, dj = MOVES[move]
            i, j = i - di, j - dj
        steps.reverse()
        return steps


def _weights(de: list[Counter], en: list[Counter]) -> dict[str, float]:
    """Return each anchor's weight: rarer is stronger; keys only one side has never match."""
    df_de: Counter = Counter()
    df_en: Counter = Counter()
    for found in de:
        df_de.update(found.keys())
    for found in en:
        df_en.update(found.keys())
    total = len(de) + len(en) + 1
    weights = {}
    for key in df_de.keys() & df_en.keys():
        weight = min(3.0, math.log(total / (df_de[key] + df_en[key])) + 0.5)
        if key.startswith("W"):
            weight *= BACK_GAIN
        if weight > 0:
            weights[key] = weight
    return weights


def align(
    de: Sequence[str],
    en: Sequence[str],
    *,
    terms: TermFinder | None = None,
    back: Sequence[str] | None = None,
    width: int = BAND,
) -> list[Link]:
    """Return the links (1:1, 1:2, 2:1, 1:0, 0:1) pairing German segments with English sentences."""
    # `back` is an English back-translation of each German segment, when there is one.
    de_anchors = [anchors(text, "de", terms) for text in de]
    en_anchors = [anchors(text, "en", terms) for text in en]
    if back is not None and len(back) == len(de):
        de_anchors = [found + content_words(bt) for found, bt in zip(de_anchors, back, strict=True)]
        en_anchors = [found + content_words(text) for found, text in zip(en_anchors, en, strict=True)]
    weights = _weights(de_anchors, en_anchors)
    n, m = len(de), len(en)
    if n == 0 or m == 0:
        return [Link((i,), (), 1.0) for i in range(n)] + [Link((), (j,), 1.0) for j in range(m)]
    problem = _Problem(np.array([len(t) for t in de], dtype=float),
                       np.array([len(t) for t in en], dtype=float), de_anchors, en_anchors, weights)
    while True:
        lo, size = problem.band(width)
        cost = problem.costs(lo, size)
        table, backs = problem.forward(lo, size, cost)
        steps = problem.path(lo, backs)
        # A best path along the band's edge may have been cut off by it: widen and redo.
        touches = any((j == lo[i] and lo[i] > 0) or (j == lo[i] + size - 1 and j < m)
                      for _, i, j in steps)
        if not touches or width >= max(n, m):
            break
        width *= 2
    margins = _margins(table, problem.backward(lo, size, cost), lo, steps, m)
    links = []
    for move, i, j in steps:
        di, dj = MOVES[move]
        margin = min(margins[(i - di, j - dj)], margins[(i, j)])
        confidence = 1.0 / (1.0 + math.exp(-min(margin, 50.0)))
        links.append(Link(tuple(range(i - di, i)), tuple(range(j - dj, j)), round(confidence, 3)))
    return links


def _margins(table: np.ndarray, back: np.ndarray, lo: np.ndarray,
             steps: list[tuple[int, int, int]], m: int) -> dict[tuple[int, int], float]:
    """Return each path boundary's margin: how much worse the best path placing it elsewhere is."""
    # A max-marginal margin in nats, over the boundary's row and its column.
    n1, size = table.shape
    through = table + back
    total = through[0, 0]
    on_path = [(0, 0)] + [(i, j) for _, i, j in steps]
    rows = np.array([i for i, _ in on_path])
    ks = np.array([j for _, j in on_path]) - lo[rows]
    alt = through.copy()
    alt[rows, ks] = np.inf
    cols = lo[:, None] + np.arange(size)[None, :]
    row_best = alt.min(axis=1)
    col_best = np.full(m + size + 1, np.inf)
    np.minimum.at(col_best, cols.ravel(), alt.ravel())
    return {(i, j): float(min(row_best[i], col_best[j]) - total) for i, j in on_path}
