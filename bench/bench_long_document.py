"""Time the editor's views on a 10,000-segment document against the same views on short ones.

Server time, in process: the Flask test client, logged in with a bearer token, on a SQLite
file (or --database-url). Each view is requested the way the page asks for it: the full
editor page for the first screen, the htmx segment-list fragment for paging, "go to", search
and filters, and the JSON call behind "next untranslated" (Alt+N). Requests to the long and
the short documents alternate; each figure is the median of --repeat requests.

Goals: each view on 10,000 segments within 1.2x of the same view on a 10-segment document;
search and filters under 100 ms. The ratio against a 100-segment document (one full page of
rows, as many as the long document shows) is printed beside it: a page serves its first
FIRST_ROWS rows (a screenful) and the rest as they scroll into view, so the first screen of
a long document renders as many rows as the 10-segment one. The progress bar's own
request and a "more rows" request are timed too, with no goal: the one counts the whole
document by state, the other has no 10-segment counterpart.
Run: .venv/bin/python bench/bench_long_document.py [--repeat 30] [--database-url URL]
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

PUD = ROOT.parent / "shared" / "testdata" / "text" / "ud_pud_en-de_parallel_0001-0500.tsv"
ARTICLE = ROOT / "translations" / "kim-putin.de.txt"
PASSWORD = "bench-password-123"
HX = {"HX-Request": "true", "HX-Target": "segment-list"}
MORE = {"HX-Request": "true", "HX-Target": "seg-more"}


def sentences(n: int) -> list[tuple[str, str]]:
    """Return n distinct (German, English) pairs, each German side exactly one segment."""
    from webapp.documents.segmentation import split_text

    lines = PUD.read_text(encoding="utf-8").splitlines()[1:] if PUD.exists() else []
    pairs = [(f[3], f[2]) for f in (line.split("\t") for line in lines) if len(f) == 4]
    if not pairs:
        pairs = [(s + ".", "") for s in ARTICLE.read_text(encoding="utf-8").split(". ")
                 if s.strip()]
    pairs = [(de, en) for de, en in pairs if len(split_text(f"{de} [0]", "de")[1]) == 1]
    return [(f"{de} [{i}]", f"{en} [{i}]") for i, (de, en) in
            ((i, pairs[i % len(pairs)]) for i in range(n))]


def build(app, n: int, name: str) -> int:
    """Import an n-segment de→en document; the first 70 % translated. Return its id."""
    from sqlalchemy import update

    from webapp.core.models import Segment
    from webapp.core.states import State
    from webapp.documents import importing, queries

    pairs = sentences(n)
    text = "\n\n".join(de for de, _ in pairs).encode()
    with app.extensions["webapp.sessionmaker"]() as db:
        doc = importing.import_text(db, text, name, "de", "en", "translate",
                                    max_bytes=len(text) + 1, author="bench")
        assert queries.count_segments(db, doc.id) == n, "the segmenter split a sentence"
        done = int(n * 0.7)
        db.execute(update(Segment).where(Segment.document_id == doc.id,
                                         Segment.position < done)
                   .values(target=Segment.source, state=int(State.TRANSLATED), version=1))
        db.commit()
        return doc.id


def save_one(client, auth: dict, doc: int) -> None:
    """Save a new text to the document's first segment, through the API."""
    seg = client.get(f"/api/documents/{doc}/segments?limit=1", headers=auth).get_json()
    seg = seg["segments"][0]
    resp = client.put(f"/api/segments/{seg['id']}", headers=auth,
                      json={"target": f"Saved {time.perf_counter()}", "version": seg["version"]})
    if resp.status_code != 200:
        sys.exit(f"saving segment {seg['id']} answered {resp.status_code}")


def main() -> None:
    """Build the documents, time each view on each, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-long-"))
    os.environ["WEBAPP_INSTANCE"] = str(work / "instance")
    from webapp import create_app
    from webapp.auth import users
    from webapp.core.db import drop_schema, upgrade_schema
    from webapp.core.states import Role

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
    n = args.segments
    t0 = time.perf_counter()
    docs = {"long": build(app, n, "long.de.txt"), "short": build(app, 10, "short.de.txt"),
            "page": build(app, 100, "page.de.txt")}
    built = time.perf_counter() - t0
    if app.config["DATABASE_URL"].startswith("postgresql"):
        from sqlalchemy import text

        # What autovacuum does a minute after a big import: statistics for the planner.
        with app.extensions["webapp.engine"].begin() as conn:
            conn.execute(text("ANALYZE"))

    client = app.test_client()
    token = client.post("/api/login", json={"username": "bench", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {token.get_json()['token']}"}

    def goto_target(size: int) -> int:
        return max(1, size * 3 // 4)  # 7,500 of 10,000; 8 of 10; 75 of 100

    later = 5000 if n > 5000 else n // 2
    views = [
        # (name, path for a document of `size` segments, fragment?, search-or-filter?)
        ("first screen (full page)", lambda d, size: f"/documents/{d}", False, False),
        ("later page (offset 5,000)",
         lambda d, size: f"/documents/{d}?offset={later if size == n else 0}", True, False),
        ("go to segment 7,500",
         lambda d, size: f"/documents/{d}?goto={goto_target(size)}", True, False),
        ("next untranslated (Alt+N)",
         lambda d, size: f"/api/documents/{d}/next?kind=untranslated&after=0", False, False),
        ("search 'Regierung'", lambda d, size: f"/documents/{d}?q=Regierung", True, True),
        ("search 'Regierung' in target",
         lambda d, size: f"/documents/{d}?q=Regierung&in=target", True, True),
        ("filter: untranslated (new)", lambda d, size: f"/documents/{d}?state=new", True, True),
        ("filter: translated", lambda d, size: f"/documents/{d}?state=translated", True, True),
        ("filter: new + search", lambda d, size: f"/documents/{d}?state=new&q=der", True, True),
        ("filter: has QA warning", lambda d, size: f"/documents/{d}?qa=1", True, True),
        ("filter: has QA warning, after a save",
         lambda d, size: f"/documents/{d}?qa=1", True, "save"),
        # What follows the first screen: the progress bar's own request (a count of the
        # whole document by state), and the next rows as the translator scrolls down.
        ("progress bar (after the page)", lambda d, size: f"/documents/{d}/progress", False,
         False),
        ("more rows while scrolling",
         lambda d, size: f"/documents/{d}?offset={min(10, size)}&until=100", MORE, False),
    ]
    sizes = {"long": n, "short": 10, "page": 100}
    results = []
    max_rows = 0
    for name, path, fragment, search in views:
        headers = {**auth, **(fragment if isinstance(fragment, dict) else HX if fragment else {})}
        times: dict[str, list[float]] = {k: [] for k in docs}
        cpu: dict[str, list[float]] = {k: [] for k in docs}
        for _ in range(args.repeat + 2):
            for key, doc in docs.items():
                url = path(doc, sizes[key])
                if search == "save":
                    save_one(client, auth, doc)
                start, start_cpu = time.perf_counter(), time.thread_time()
                resp = client.get(url, headers=headers)
                times[key].append(time.perf_counter() - start)
                cpu[key].append(time.thread_time() - start_cpu)
                if resp.status_code != 200:
                    sys.exit(f"GET {url} answered {resp.status_code}")
                if key == "long":
                    max_rows = max(max_rows, resp.get_data(as_text=True).count('<tr id="seg-')
                                   - resp.get_data(as_text=True).count('<tr id="seg-more'))
        med = {k: statistics.median(v[2:]) * 1000 for k, v in times.items()}  # 2 warm-ups
        med_cpu = {k: statistics.median(v[2:]) * 1000 for k, v in cpu.items()}
        results.append((name, med, med_cpu, search))

    print(f"bench_long_document: {n:,} segments vs 10 and vs 100, median of {args.repeat} "
          f"requests, {app.config['DATABASE_URL'].split(':')[0]}, "
          f"page size {app.config['PAGE_SIZE']}, first rows {app.config['FIRST_ROWS']}, "
          f"more rows {app.config['MORE_ROWS']} (documents built in {built:.1f} s)")
    print(f"  {'view':32} {'10,000':>9} {'10':>9} {'100':>9} {'vs 10':>7} {'vs 100':>7}"
          f"   {'CPU vs 10':>9}")
    for name, med, med_cpu, search in results:
        if search:
            flag = "  ok <100 ms" if med["long"] < 100 else "  OVER 100 ms"
        elif name.startswith(("progress", "more")):
            flag = ""  # not a view of its own: no 10-segment counterpart to hold it to
        else:
            flag = "  ok" if med["long"] / med["short"] <= 1.2 else "  OVER 1.2x"
        print(f"  {name:32} {med['long']:7.1f}ms {med['short']:7.1f}ms {med['page']:7.1f}ms "
              f"{med['long'] / med['short']:6.2f}x {med['long'] / med['page']:6.2f}x"
              f"   {med_cpu['long'] / med_cpu['short']:8.2f}x{flag}")
    print(f"  most segment rows in one response on the long document: {max_rows}")


if __name__ == "__main__":
    main()
