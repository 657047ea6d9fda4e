"""Benchmark fuzzy lookups: 100,000 German memory units, 1,000 queries, against naive baselines."""

from __future__ import annotations

import difflib
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, without installing the app

from rapidfuzz import process  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from webapp.tm.fuzzy import FuzzyIndex, tokenize  # noqa: E402

PUD = ROOT.parent / "shared" / "testdata" / "text" / "ud_pud_en-de_parallel_0001-0500.tsv"
ARTICLE = ROOT / "translations" / "kim-putin.de.txt"
UNITS = 100_000
QUERIES = 1_000
SEED = 20240607


def german_sentences() -> list[tuple[str, str]]:
    """Real German sentences with an English side where one exists."""
    pairs: list[tuple[str, str]] = []
    if PUD.exists():
        for line in PUD.read_text(encoding="utf-8").splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) == 4:
                pairs.append((fields[3], fields[2]))
    if ARTICLE.exists():
        for line in ARTICLE.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])", line.strip()):
                if len(sentence.split()) >= 4:
                    pairs.append((sentence, f"[en] {sentence}"))
    if not pairs:
        sys.exit("no German text found: needs shared/testdata or translations/kim-putin.de.txt")
    return pairs


class Generator:
    """Deterministic German-like sentences: real ones with words swapped, spliced or shuffled."""

    def __init__(self, pairs: list[tuple[str, str]], seed: int) -> None:
        self.pairs = pairs
        self.rng = random.Random(seed)
        self.words = sorted({w for s, _ in pairs for w in re.findall(r"\w+", s) if len(w) > 2})

    def _swap(self, sentence: str, count: int) -> str:
        words = sentence.split(" ")
        for _ in range(count):
            words[self.rng.randrange(len(words))] = self.rng.choice(self.words)
        return " ".join(words)

    def variant(self) -> tuple[str, str]:
        source, target = self.rng.choice(self.pairs)
        return self._swap(source, self.rng.randint(1, 4)), target

    def splice(self) -> tuple[str, str]:
        (a, ta), (b, _) = self.rng.choice(self.pairs), self.rng.choice(self.pairs)
        wa, wb = a.split(" "), b.split(" ")
        return " ".join(wa[: max(2, len(wa) // 2)] + wb[len(wb) // 2 :]), ta

    def salad(self) -> tuple[str, str]:
        words = self.rng.choices(self.words, k=self.rng.randint(6, 25))
        return " ".join(words).capitalize() + ".", "[en] " + " ".join(reversed(words))

    def unit(self) -> tuple[str, str]:
        roll = self.rng.random()
        return self.variant() if roll < 0.5 else self.splice() if roll < 0.8 else self.salad()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    pairs = german_sentences()
    generator = Generator(pairs, SEED)
    units = [(*generator.unit(), f"bench/{n}") for n in range(UNITS)]
    queries = []
    for _ in range(QUERIES):
        roll = generator.rng.random()
        if roll < 0.2:
            queries.append(generator.rng.choice(units)[0])  # exact memory hit
        elif roll < 0.6:
            queries.append(generator.variant()[0])  # fuzzy
        else:
            queries.append(generator.splice()[0] if roll < 0.8 else generator.salad()[0])
    print(
        f"corpus: {len(pairs)} real German sentences → {UNITS:,} memory units, {QUERIES:,} queries"
    )
    print(f"average query length: {statistics.mean(len(tokenize(q)) for q in queries):.1f} tokens")

    started = time.perf_counter()
    index = FuzzyIndex(units)
    build = time.perf_counter() - started
    print(f"build: {build:.2f} s ({UNITS / build:,.0f} units/s)")

    timings, found, hundred = [], 0, 0
    results = []
    for query in queries:
        started = time.perf_counter()
        matches = index.lookup(query, threshold=0.70, limit=3)
        timings.append((time.perf_counter() - started) * 1000)
        results.append(matches)
        found += bool(matches)
        hundred += bool(matches and matches[0].score == 100)
    print(
        f"FuzzyIndex.lookup (threshold 70 %, limit 3): median {statistics.median(timings):.2f} ms, "
        f"p95 {percentile(timings, 0.95):.2f} ms, max {max(timings):.2f} ms, "
        f"total {sum(timings) / 1000:.2f} s"
    )
    print(f"  queries with a match: {found}/{QUERIES}, with a 100 % match: {hundred}")

    # Baseline 1: the same score, brute force over every unit (no inverted index).
    tokens_of = {}
    vocabulary: dict[str, str] = {}

    def packed(text: str) -> str:
        return "".join(
            vocabulary.setdefault(t, chr(0x10000 + len(vocabulary))) for t in tokenize(text)
        )

    started = time.perf_counter()
    all_packed = [packed(source) for source, _, _ in units]
    pack_time = time.perf_counter() - started
    sample = queries[:50]
    brute, agree = [], 0
    for query, matches in zip(sample, results, strict=False):
        tokens_of[query] = packed(query)
        started = time.perf_counter()
        best = process.extract(
            tokens_of[query],
            all_packed,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=0.7,
            limit=3,
        )
        brute.append((time.perf_counter() - started) * 1000)
        best_score = int(best[0][1] * 100 + 1e-9) if best else None
        mine = matches[0].score if matches else None
        agree += best_score == mine or (best_score == 100 and mine == 99)
    print(
        f"baseline rapidfuzz brute force over all {UNITS:,} units "
        f"({len(sample)} queries, packing {pack_time:.2f} s): "
        f"median {statistics.median(brute):.2f} ms, p95 {percentile(brute, 0.95):.2f} ms; "
        f"best score agrees with the index on {agree}/{len(sample)}"
    )

    # Baseline 2: what a first attempt does, difflib over a sample, extrapolated.
    sample_units = [source for source, _, _ in units[:5_000]]
    naive = []
    for query in queries[:10]:
        started = time.perf_counter()
        scores = [difflib.SequenceMatcher(None, query, source).ratio() for source in sample_units]
        sorted(scores, reverse=True)[:3]
        naive.append((time.perf_counter() - started) * 1000)
    per_unit = statistics.median(naive) / len(sample_units)
    print(
        f"baseline difflib.SequenceMatcher over {len(sample_units):,} units (10 queries): "
        f"median {statistics.median(naive):.0f} ms → about {per_unit * UNITS / 1000:.1f} s "
        f"per query at {UNITS:,} units"
    )


if __name__ == "__main__":
    main()
