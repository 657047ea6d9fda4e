"""Time the documents dashboard over 200 documents of 10,000 segments, and a page of segments.

Server time, in process: the Flask test client, logged in with a bearer token, on a SQLite
file in a temporary folder (or --database-url). The documents are written with bulk Core
inserts (executemany), so the database's triggers keep their progress counts as an import
would. Each figure is the median of --repeat requests.

Goals: the dashboard (GET /, and GET /api/documents) under 100 ms with 200 documents of
10,000 segments each; a page of segments with its `total` costing no more on a 10,000-segment
document than on a 10-segment one (the ratio is printed against the 10-segment document, in
this process). For comparison the script also times what the total cost before the counts
were kept: COUNT(*) over the document's segments.
Run: .venv/bin/python bench/bench_dashboard.py [--documents 200] [--segments 10000]
     [--repeat 30] [--database-url URL]
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
sys.path.insert(0, str(ROOT))  # run from anywhere, without installing

PASSWORD = "bench-password-123"
STATES = (0, 10, 15, 20, 30)


def build(app, documents: int, segments: int) -> tuple[list[int], int]:
    """Write `documents` documents of `segments` segments and one of 10; return their ids."""
    from sqlalchemy import insert

    from webapp.core.models import Document, Segment, utcnow

    engine = app.extensions["webapp.engine"]
    now = utcnow()
    ids = []

    def one(conn, name: str, n: int, k: int) -> int:
        doc_id = conn.execute(insert(Document).returning(Document.id).values(
            name=name, source_lang="de", target_lang="en", mode="translate",
            source_kind="original", leading="", encoding="utf-8", created_at=now,
            created_by="bench", translator="bench" if k % 7 == 0 else None)).scalar_one()
        rows = [dict(document_id=doc_id, position=i, paragraph=i // 5,
                     source=f"Das ist Satz {i} im Dokument {k}.", target="", mt="",
                     trailing=" ", state=STATES[(i * 7 + k) % 5] if i < n * (k % 10) // 10
                     else 0, version=0, words=6, updated_at=now, updated_by="bench")
                for i in range(n)]
        conn.execute(insert(Segment), rows)
        return doc_id

    for k in range(documents):
        with engine.begin() as conn:
            ids.append(one(conn, f"Dokument {k:03d}.txt", segments, k))
        if k % 20 == 19:
            print(f"  built {k + 1} of {documents} documents", file=sys.stderr)
    with engine.begin() as conn:
        short = one(conn, "kurz.txt", 10, 3)
    return ids, short


def median_ms(client, path: str, headers: dict, repeat: int, clock=time.process_time) -> float:
    """Return the median server time of GET `path` in milliseconds, on `clock`.

    The default clock is this process's CPU time: on a machine other work keeps busy, wall
    time also counts the waits for a core, which are no cost of the request.
    """
    times = []
    for _ in range(repeat):
        t0 = clock()
        resp = client.get(path, headers=headers)
        times.append((clock() - t0) * 1000)
        if resp.status_code != 200:
            sys.exit(f"{path} answered {resp.status_code}")
    return statistics.median(times)


def main() -> None:
    """Build the documents, time the dashboard and a page of segments, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    os.environ["WEBAPP_INSTANCE"] = str(work / "instance")
    from sqlalchemy import func, select, text

    from webapp import create_app
    from webapp.auth import users
    from webapp.core.db import drop_schema, upgrade_schema
    from webapp.core.models import Segment
    from webapp.core.states import Role
    from webapp.documents import queries

    app = create_app({
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": args.database_url or f"sqlite:///{work / 'bench.sqlite'}",
        "ARGOS_PACKAGES_DIR": str(work / "argos"),
    })
    with app.app_context():
        drop_schema(app)
        upgrade_schema(app)
    with app.extensions["webapp.sessionmaker"]() as db:
        users.create_user(db, "bench", Role.ADMIN, PASSWORD)
    t0 = time.perf_counter()
    ids, short = build(app, args.documents, args.segments)
    built = time.perf_counter() - t0
    total = args.documents * args.segments
    with app.extensions["webapp.engine"].begin() as conn:
        conn.execute(text("ANALYZE"))
    print(f"built {args.documents} documents x {args.segments:,} segments "
          f"({total:,} segments, counts kept by triggers) in {built:.1f} s "
          f"({total / built:,.0f} segments/s)")

    client = app.test_client()
    token = client.post("/api/login", json={"username": "bench", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {token.get_json()['token']}"}
    with app.extensions["webapp.sessionmaker"]() as db:
        wrong = [d for d in ids[:5] + [short]
                 if queries.progress(db, d) != queries.counted_progress(db, d)]
    print(f"kept counts equal a fresh COUNT on the documents checked: {not wrong}")

    rep = args.repeat
    print(f"\nmedian server time of {rep} requests (CPU time; wall time beside it)")
    for label, path in (("dashboard page GET /", "/"),
                        ("dashboard API  GET /api/documents", "/api/documents")):
        cpu = median_ms(client, path, auth, rep)
        wall = median_ms(client, path, auth, rep, time.perf_counter)
        print(f"  {label:34s} {cpu:7.1f} ms   (wall {wall:7.1f} ms)   goal < 100 ms")

    long_doc = ids[-1]
    later = args.segments // 2
    cases = [
        # As many rows on both sides: what differs is only the document's length.
        ("page of 10 with total",
         f"/api/documents/{long_doc}/segments?offset={later}&limit=10",
         f"/api/documents/{short}/segments?limit=10"),
        ("page of 5, state filter (new), total",
         f"/api/documents/{long_doc}/segments?state=new&limit=5",
         f"/api/documents/{short}/segments?state=new&limit=5"),
    ]
    print(f"\na page of segments: {args.segments:,}-segment document against a 10-segment one "
          "(goal: ratio <= 1.0x, within noise)")
    for label, long_path, short_path in cases:
        # Alternating, so that neither side has the warmer cache.
        a, b = [], []
        for _ in range(6):
            a.append(median_ms(client, long_path, auth, rep))
            b.append(median_ms(client, short_path, auth, rep))
        la, lb = statistics.median(a), statistics.median(b)
        print(f"  {label:38s} {la:7.2f} ms vs {lb:7.2f} ms   ratio {la / lb:5.2f}x")

    # What the total cost before: COUNT(*) over the document, on every page.
    with app.extensions["webapp.sessionmaker"]() as db:
        def count_ms(doc_id: int) -> float:
            times = []
            for _ in range(rep):
                t0 = time.perf_counter()
                db.scalar(select(func.count()).select_from(Segment)
                          .where(Segment.document_id == doc_id))
                times.append((time.perf_counter() - t0) * 1000)
            return statistics.median(times)

        def kept_ms(doc_id: int) -> float:
            times = []
            for _ in range(rep):
                t0 = time.perf_counter()
                queries.progress(db, doc_id)
                times.append((time.perf_counter() - t0) * 1000)
            return statistics.median(times)

        print("\nthe total alone (what each page pays for it)")
        print(f"  COUNT(*) (before)     {count_ms(long_doc):7.3f} ms vs {count_ms(short):7.3f} ms")
        print(f"  kept counts (now)     {kept_ms(long_doc):7.3f} ms vs {kept_ms(short):7.3f} ms")


if __name__ == "__main__":
    main()
