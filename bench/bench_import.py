"""Time importing a 1 MB German text: upload, decoding, segmentation and storing every segment.

The text is real German news sentences (shared/testdata's PUD corpus, else the seed
article) in paragraphs of three to six sentences, repeated with numbers until it is 1 MB.
Timed three ways, each the median of --rounds runs, each on a fresh database: the whole upload
through the JSON API (what a translator waits for), importing.import_text alone, and, as
the baseline inside it, decoding plus segmentation without the database.

Goal: the upload under 3 s.
Run: .venv/bin/python bench/bench_import.py [--megabytes 1] [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
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


def german_text(size: int) -> bytes:
    """Return about `size` bytes of German prose in paragraphs, UTF-8."""
    if PUD.exists():
        lines = PUD.read_text(encoding="utf-8").splitlines()[1:]
        base = [f[3] for f in (line.split("\t") for line in lines) if len(f) == 4]
    else:
        base = [p for p in ARTICLE.read_text(encoding="utf-8").split("\n") if p.strip()]
    paragraphs, out, i = [], 0, 0
    while out < size:
        count = 3 + i % 4
        para = " ".join(base[(i + k) % len(base)] for k in range(count))
        if i >= len(base):
            para = f"Abschnitt {i}. " + para
        paragraphs.append(para)
        out += len(para.encode()) + 2
        i += count
    return "\n\n".join(paragraphs).encode()[:size]


def main() -> None:
    """Time the three layers and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ["WEBAPP_INSTANCE"] = str(work / "instance")
    from webapp import create_app
    from webapp.auth import users
    from webapp.core.db import drop_schema, upgrade_schema
    from webapp.core.states import Role
    from webapp.documents import importing, segmentation, textio

    data = german_text(int(args.megabytes * 1024 * 1024))
    # A cut in the middle of a multi-byte character would make the file undecodable.
    data = data.decode("utf-8", errors="ignore").encode()
    app = create_app({
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": args.database_url or f"sqlite:///{work / 'bench.sqlite'}",
        "ARGOS_PACKAGES_DIR": str(work / "argos"),
        "MAX_UPLOAD_BYTES": len(data) + 1,
    })
    times: dict[str, list[float]] = {"api": [], "domain": [], "segment": []}
    segments = 0
    factory = app.extensions["webapp.sessionmaker"]

    def fresh_database() -> dict:
        """Empty the database, migrate it, make the account; return the API's auth header."""
        with app.app_context():
            drop_schema(app)
            upgrade_schema(app)
        with factory() as db:
            users.create_user(db, "bench", Role.ADMIN, PASSWORD)
        token = app.test_client().post("/api/login",
                                       json={"username": "bench", "password": PASSWORD})
        return {"Authorization": f"Bearer {token.get_json()['token']}"}

    for _ in range(args.rounds):
        start = time.perf_counter()
        decoded = textio.decode_text(data, len(data) + 1)
        _, spans = segmentation.split_text(decoded.text, "de")
        times["segment"].append(time.perf_counter() - start)

        fresh_database()
        start = time.perf_counter()
        with factory() as db:
            importing.import_text(db, data, "domain.de.txt", "de", "en", "translate",
                                  len(data) + 1, author="bench")
        times["domain"].append(time.perf_counter() - start)

        auth = fresh_database()
        client = app.test_client()
        start = time.perf_counter()
        resp = client.post("/api/documents", headers=auth, data={
            "file": (io.BytesIO(data), "upload.de.txt"), "source_lang": "de",
            "target_lang": "en", "mode": "translate",
        }, content_type="multipart/form-data")
        times["api"].append(time.perf_counter() - start)
        if resp.status_code != 201:
            sys.exit(f"upload answered {resp.status_code}: {resp.get_data(as_text=True)}")
        segments = resp.get_json()["segments"]
        assert segments == len(spans)

    api, domain, seg = (statistics.median(times[k]) for k in ("api", "domain", "segment"))
    print(f"bench_import: {len(data) / 1024 / 1024:.2f} MB of German, {segments:,} segments, "
          f"{app.config['DATABASE_URL'].split(':')[0]}, median of {args.rounds}")
    print(f"  upload through POST /api/documents   {api:6.2f} s  "
          f"({'ok' if api < 3 else 'OVER'}: goal < 3 s)")
    print(f"  importing.import_text                {domain:6.2f} s  ({domain / api:.2f}x of the upload)")
    print(f"  decode + segment, no database        {seg:6.2f} s  ({seg / api:.2f}x of the upload)")
    print(f"  {'storing ' + format(segments, ',') + ' segments':36} {domain - seg:6.2f} s  "
          f"({segments / max(domain - seg, 1e-9):,.0f} segments/s)")


if __name__ == "__main__":
    main()
