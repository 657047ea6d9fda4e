"""What the German interface costs: the same pages rendered in English, German and pseudo.

Server time, in process: the Flask test client, logged in as an admin on the seed article
(38 segments, glossary loaded) in a temporary SQLite file. Each page is requested --repeat
times per language, interleaved so load affects all alike; the figure is the median in ms,
and the ratio German / English (goal: ≤ 1.2, the catalogue lookups and Babel formats add
little to a page built from the database). Also times the JS catalogue and a Message.
Run: .venv/bin/python bench/bench_i18n.py [--repeat 40]
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

PAGES = ("/", "/documents/1", "/documents/1/review", "/documents/1/report", "/glossary")
LANGUAGES = {"en": {"Accept-Language": "en"}, "de": {"Accept-Language": "de"}}


def main() -> None:
    """Print the median time of each page in each language, and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-i18n-")
    os.environ["WEBAPP_INSTANCE"] = tmp
    from webapp import create_app
    from webapp.auth import users
    from webapp.core.db import get_sessionmaker
    from webapp.core.states import Role

    app = create_app({"SECRET_KEY": "bench-secret-" + "x" * 32,
                      "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    runner = app.test_cli_runner()
    runner.invoke(args=["seed"])
    with app.app_context(), get_sessionmaker(app)() as db:
        users.create_user(db, "bench", Role.ADMIN, "bench-password-123")
        db.commit()
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        token = s["csrf"]
    client.post("/login", data={"username": "bench", "password": "bench-password-123",
                                "csrf_token": token})
    print(f"pages on the seed article, median of {args.repeat} requests (ms)")
    print(f"{'page':28} {'en':>8} {'de':>8} {'pseudo':>8} {'de/en':>7}")
    for path in PAGES:
        times = {"en": [], "de": [], "pseudo": []}
        for _ in range(args.repeat):
            for lang in ("en", "de", "pseudo"):
                app.config["I18N_PSEUDO"] = lang == "pseudo"
                headers = LANGUAGES.get(lang, LANGUAGES["en"])
                start = time.perf_counter()
                resp = client.get(path, headers=headers)
                times[lang].append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200, (path, resp.status_code)
                if lang == "de" and not times["de"][1:]:  # once: the page really is German
                    assert b"Abmelden" in resp.data, path
        app.config["I18N_PSEUDO"] = False
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{path:28} {med['en']:8.1f} {med['de']:8.1f} {med['pseudo']:8.1f} "
              f"{med['de'] / med['en']:7.2f}")
    start = time.perf_counter()
    for _ in range(args.repeat):
        client.get("/i18n/de.js")
    print(f"JS catalogue /i18n/de.js: {(time.perf_counter() - start) * 1000 / args.repeat:.2f} ms")
    from webapp.core.messages import _ln

    with app.test_request_context("/", headers=LANGUAGES["de"]):
        msg = _ln("%(n)s segment", "%(n)s segments", 1200)
        str(msg)
        start = time.perf_counter()
        for _ in range(10_000):
            str(msg)
        print(f"a plural Message rendered in German: {(time.perf_counter() - start) * 100:.2f} µs")


if __name__ == "__main__":
    main()
