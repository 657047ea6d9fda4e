"""Search and replace: how the count, the preview, the replace and its undo grow with the
document, and how pathological patterns grow with the text they search.

Part 1 imports the seed article 1, 10 and 100 times over as one review document (38 to
3,800 segments) into a fresh SQLite database and times, in this process, the search count
of `/Nord\\s?Korea/` across the document, the replace preview of "Pjöngjang", the replace
itself (one revision per segment) and its undo. The ratio column divides by the 1x time:
linear growth shows as a ratio close to the size factor.

Part 2 times pathological patterns (`(a+)+$`, `(x+x+)+y`, a whole-word search with many
hits) on text 1x and 1000x as long: a linear engine shows a ratio near 1000, a
backtracking one or a quadratic loop over hits would take minutes.
Part 3 times the list's search over a 10,000-segment document (the seed 263 times): plain
words with no hit, plain words and a regex with thousands, best of 5, beside the same search
on the seed alone.
Run: .venv/bin/python bench/bench_search_replace.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from webapp import create_app  # noqa: E402
from webapp.core.db import create_schema, get_sessionmaker  # noqa: E402
from webapp.core.patterns import Matcher, parse_query  # noqa: E402
from webapp.core.states import Role  # noqa: E402
from webapp.documents import importing, queries  # noqa: E402
from webapp.segments import replace  # noqa: E402

SEED = (ROOT / "translations" / "kim-putin.de.txt").read_text(encoding="utf-8")


def timed(fn, *args, **kwargs):
    """Return (seconds, result) of one call."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def part_documents(tmp: Path) -> None:
    """Print count, preview, replace and undo times for the seed 1x, 10x and 100x."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}"})
    with app.app_context():
        create_schema(app)
    base: dict[str, float] = {}
    print(f"{'copies':>6} {'segments':>8} {'step':<10} {'seconds':>8} {'ratio':>7}")
    for copies in (1, 10, 100):
        with get_sessionmaker(app)() as db:
            doc = importing.import_text(db, ((SEED + "\n\n") * copies).encode(),
                                        f"seed{copies}.de.txt", "en", "de", "review",
                                        50 * 1024 * 1024, author="bench")
            n = queries.count_segments(db, doc.id)
            flt = queries.SegmentFilter(query=r"/Nord\s?Korea/", field="target")
            steps = {}
            steps["count"], (_ids, count) = timed(queries.search_document, db, doc.id, flt)
            m = replace.matcher_for("Pjöngjang")
            steps["preview"], planned = timed(replace.plan, db, doc, m, "Pyongyang",
                                              Role.TRANSLATOR)
            chosen = {p.seg.id: p.seg.version for p in planned}
            steps["replace"], outcome = timed(replace.apply, db, doc, m, "Pyongyang", chosen,
                                              "bench", Role.TRANSLATOR)
            steps["undo"], undone = timed(replace.undo, db, outcome.batch, "bench",
                                          Role.TRANSLATOR)
            assert len(undone.done) == len(chosen) == len(outcome.done)
            for step, seconds in steps.items():
                base.setdefault(step, seconds)
                print(f"{copies:>6} {n:>8} {step:<10} {seconds:>8.4f} "
                      f"{seconds / base[step]:>7.1f}"
                      + (f"   ({count.hits} hits in {count.segments} segments)"
                         if step == "count" else
                         f"   ({len(chosen)} segments)" if step != "undo" else ""))


def part_patterns() -> None:
    """Print the time of pathological patterns on 1x and 1000x the text, and the ratio."""
    print(f"\n{'pattern':<26} {'1x chars':>9} {'1x s':>9} {'1000x s':>9} {'ratio':>7}")
    for query, word, unit in (("/(a+)+$/", False, "a" * 25 + "b"),
                              ("/(x+x+)+y/", False, "x" * 25),
                              ("/(a|aa)+$/", False, "a" * 25 + "!"),
                              ("Kim", True, "Kim Kimüller „Kim“ "),
                              ("straße", False, "Straße STRASSE 日本語 ")):
        small, large = unit * 20, unit * 20_000
        m = Matcher(parse_query(query, word=word), seconds=600)
        t_small = min(timed(m.count, small)[0] for _ in range(5))
        t_large = min(timed(m.count, large)[0] for _ in range(3))
        label = query + (" (whole word)" if word else "")
        print(f"{label:<26} {len(small):>9} {t_small:>9.6f} {t_large:>9.4f} "
              f"{t_large / t_small:>7.0f}")


def part_long_document(tmp: Path) -> None:
    """Print the search's time on the seed and on a 10,000-segment document."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "DATABASE_URL": f"sqlite:///{tmp / 'long.sqlite'}"})
    with app.app_context():
        create_schema(app)
        with get_sessionmaker(app)() as db:
            docs = [importing.import_text(db, ((SEED + "\n\n") * copies).encode(),
                                          f"long{copies}.de.txt", "en", "de", "review",
                                          50 * 1024 * 1024, author="bench")
                    for copies in (1, 263)]
            sizes = [queries.count_segments(db, d.id) for d in docs]
            print(f"\n{'search':<24} {'in':<7} {sizes[0]:>7,} seg {sizes[1]:>9,} seg {'hits':>7}")
            for query, field in (("Regierung", "both"), ("Regierung", "target"),
                                 ("Nordkorea", "target"), (r"/Nord\s?Korea/", "target")):
                flt = queries.SegmentFilter(query=query, field=field)
                best = []
                for d in docs:
                    runs = [timed(queries.search_document, db, d.id, flt) for _ in range(5)]
                    best.append(min(r[0] for r in runs))
                hits = runs[0][1][1].hits
                print(f"{query:<24} {field:<7} {best[0] * 1000:>7.1f} ms {best[1] * 1000:>9.1f} ms"
                      f" {hits:>7,}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        part_documents(Path(tmp))
        part_long_document(Path(tmp))
    part_patterns()
