"""Measure the sentence aligner on real parallel news: link precision and recall, and speed.

The PUD pairs of shared/testdata (English news and its human German translation) are rebuilt
into their documents; about 10 % of English sentences are joined with the next and 10 % split
in two (fixed seed), so the right answer has 1:1, 1:2 and 2:1 links. Each document is aligned
on its own, then all of them as one long document. Speed: the perturbed corpus repeated to
1,000 and to 10,000 sentences, aligned with the project glossary's anchors; the ratio of the
two times shows whether the band keeps it linear (10x the sentences, ~10x the time). The glossary's
matchers are built by the first (accuracy) runs, so the timings do not include that.

Last, the same 10,000 through the app's upload (without the glossary) and acceptance.

Goals: >= 95 % of links right; 10,000 sentences under 5 s.
Run: .venv/bin/python bench/bench_align.py [--rate 0.1] [--seed 13] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from anywhere, without installing

from pud_parallel import concatenate, load_documents, perturb, score  # noqa: E402

from webapp.documents.alignment import align  # noqa: E402
from webapp.glossary.exchange import load  # noqa: E402
from webapp.glossary.matching import find_terms  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata"


def main() -> None:
    """Print precision, recall and timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    glossary = load((ROOT / "glossary.csv").read_bytes(), filename="glossary.csv")

    def terms(text: str, lang: str) -> list[str]:
        return [m.entry.key for m in find_terms(glossary, text, lang)]

    docs = load_documents(TESTDATA)
    parts = [perturb(pairs, args.seed + n, args.rate) for n, pairs in enumerate(docs)]
    kinds: dict[str, int] = {}
    for part in parts:
        for de, en in part.gold:
            kind = f"{len(de)}:{len(en)}"
            kinds[kind] = kinds.get(kind, 0) + 1
    print(f"PUD: {len(docs)} documents, {sum(len(p.de) for p in parts)} German segments, "
          f"{sum(len(p.en) for p in parts)} English sentences; right links by kind: "
          + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    found = right = gold = 0
    for part in parts:
        links = align(part.de, part.en, terms=terms)
        hits = {(tuple(x.de), tuple(x.en)) for x in links} & part.gold
        found, right, gold = found + len(links), right + len(hits), gold + len(part.gold)
    print(f"each document on its own: precision {right / found:.1%}, recall {right / gold:.1%}")
    whole = concatenate(parts)
    links = align(whole.de, whole.en, terms=terms)
    precision, recall = score(links, whole.gold)
    low = sum(x.low for x in links)
    wrong = {(tuple(x.de), tuple(x.en)) for x in links} - whole.gold
    low_wrong = sum(1 for x in links if (tuple(x.de), tuple(x.en)) in wrong and x.low)
    print(f"all {len(whole.de)} as one document: precision {precision:.1%}, recall {recall:.1%}; "
          f"{low} links marked for checking, {low_wrong} of the {len(wrong)} wrong ones among them")

    def corpus(size: int):
        copies, n = [], 0
        while n < size:
            part = concatenate([perturb(p, args.seed + 1000 * len(copies) + k, args.rate)
                                for k, p in enumerate(docs)])
            copies.append(part)
            n += len(part.de)
        whole = concatenate(copies)
        whole.de = whole.de[:size]
        # The English that goes with the first `size` German segments.
        last = max(max(en) for de, en in whole.gold if de and de[-1] < size and en)
        whole.en = whole.en[: last + 1]
        return whole

    timings: dict[int, float] = {}
    cpu_timings: dict[int, float] = {}
    for size in (1_000, 10_000):
        doc = corpus(size)
        runs, cpu = [], []
        for _ in range(args.rounds):
            start, start_cpu = time.perf_counter(), time.process_time()
            links = align(doc.de, doc.en, terms=terms)
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        timings[size] = statistics.median(runs)
        cpu_timings[size] = statistics.median(cpu)
        # On a shared machine the wall clock also counts other processes' turns; the CPU
        # time is what the alignment itself costs.
        print(f"{size:,} German segments x {len(doc.en):,} English sentences: "
              f"{timings[size]:.2f} s wall, {statistics.median(cpu):.2f} s CPU, median of "
              f"{args.rounds} ({len(links):,} links, {sum(x.low for x in links):,} marked for "
              "checking)")
    print(f"10,000 / 1,000 time ratio: {timings[10_000] / timings[1_000]:.1f} wall, "
          f"{cpu_timings[10_000] / cpu_timings[1_000]:.1f} CPU (10 would be linear)")
    whole_app(corpus(10_000))


def whole_app(doc) -> None:
    """Time the upload a person waits for: decode, segment, align and store a proposal of
    10,000 segments (SQLite), then accepting it."""
    work = Path(tempfile.mkdtemp(prefix="bench-align-"))
    os.environ["WEBAPP_INSTANCE"] = str(work / "instance")
    from webapp import create_app
    from webapp.core.db import upgrade_schema
    from webapp.core.models import Document
    from webapp.documents import importing, originals

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'b.sqlite'}",
                      "ARGOS_PACKAGES_DIR": str(work / "argos")})
    with app.app_context():
        upgrade_schema(app)
    german = "\n".join(doc.de).encode()
    english = "\n".join(doc.en).encode()
    limit = 50 * 1024 * 1024
    with app.extensions["webapp.sessionmaker"]() as db:
        imported = importing.import_text(db, german, "big.de.txt", "en", "de", "review", limit)
        doc_id = imported.id
        segments = len(imported.segments)
    with app.extensions["webapp.sessionmaker"]() as db:
        record = db.get(Document, doc_id)
        start = time.perf_counter()
        proposal = originals.propose(db, record, english, "big.en.txt", limit, "bench")
        proposed = time.perf_counter() - start
        start = time.perf_counter()
        originals.accept(db, record, proposal, proposal.version, "bench")
        accepted = time.perf_counter() - start
    print(f"upload of the English original ({len(english) / 1024:,.0f} KB) to a {segments:,}-"
          f"segment document, decoded, segmented, aligned and stored: {proposed:.2f} s; "
          f"accepting it: {accepted:.2f} s")


if __name__ == "__main__":
    main()
