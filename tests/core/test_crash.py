"""Loses nothing: a server killed mid-storm and many clients racing for the same segments."""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import database_url, drop_database
from server_process import Client, Server, app_env, login, prepare, segment_ids, upload
from sqlalchemy.engine import make_url


@pytest.fixture
def server(tmp_path):
    """Return a prepared, running gunicorn on this test's database; kill it afterwards."""
    url = database_url(tmp_path)
    env = app_env(url, tmp_path / "instance")
    prepare(env)
    srv = Server(env, tmp_path / "gunicorn.log").start()
    yield srv
    srv.kill()
    drop_database(url)


def sentences(n: int) -> list[str]:
    """Return n distinct English sentences."""
    return [f"Sentence number {i} of the storm document." for i in range(n)]


class Storm:
    """Clients that each own some segments and save them over and over, recording acks."""

    def __init__(self, port: int, token: str, ids: list[int], clients: int):
        self.port, self.token = port, token
        self.slices = [ids[i::clients] for i in range(clients)]
        self.acked: list[tuple[int, int, str]] = []  # (segment, version, text) answered 2xx
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run_client(self, n: int) -> None:
        with Client(self.port, self.token, timeout=10) as client:
            self._save_until_stopped(client, n)

    def _save_until_stopped(self, client: Client, n: int) -> None:
        versions = dict.fromkeys(self.slices[n], 0)
        i = 0
        while not self.stop.is_set():
            seg = self.slices[n][i % len(self.slices[n])]
            text = f"client {n} save {i}"
            i += 1
            try:
                status, body = client.request("PUT", f"/api/segments/{seg}",
                                              {"target": text, "version": versions[seg]})
            except (OSError, http.client.HTTPException):
                # The server is gone, perhaps halfway through an answer (IncompleteRead):
                # a save it never fully answered may or may not be kept.
                return
            if status != 200:
                self.errors.append(f"{status}: {body}")
                return
            versions[seg] = body["version"]
            with self.lock:
                self.acked.append((seg, body["version"], text))

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run_client, args=(n,), daemon=True)
                   for n in range(len(self.slices))]
        for t in threads:
            t.start()
        return threads


def history(client: Client, seg: int) -> dict[int, str]:
    """Return a segment's revisions as {version: text}."""
    status, body = client.request("GET", f"/api/segments/{seg}/history")
    assert status == 200, body
    return {r["version"]: r["text"] for r in body["revisions"]}


def test_every_acknowledged_save_survives_sigkill_mid_storm(server, tmp_path):
    token = login(server.port)
    ids = segment_ids(server.port, token, upload(server.port, token, sentences(200)))
    storm = Storm(server.port, token, ids, clients=16)
    threads = storm.start()
    deadline = time.monotonic() + 60
    while len(storm.acked) < 400 and time.monotonic() < deadline and not storm.errors:
        time.sleep(0.01)

    server.kill()  # mid-storm: requests are in flight in every worker
    storm.stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not storm.errors, storm.errors[:5]
    assert len(storm.acked) >= 400

    url = make_url(server.env["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    server.start()
    saved: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for seg, version, text in storm.acked:
        saved[seg].append((version, text))
    lost = []
    with Client(server.port, login(server.port)) as client:
        for seg, acks in saved.items():
            revs = history(client, seg)
            # Versions count up from 1 without a gap: nothing half-written in between.
            assert sorted(revs) == list(range(1, max(revs) + 1)), (seg, sorted(revs))
            lost += [(seg, v, t) for v, t in acks if revs.get(v) != t]
    assert not lost, f"{len(lost)} acknowledged saves are missing, e.g. {lost[:3]}"


def test_racing_saves_on_the_same_segments_keep_every_ack_and_refuse_every_stale_one(server):
    token = login(server.port)
    ids = segment_ids(server.port, token, upload(server.port, token, sentences(4)))
    acked: list[tuple[int, int, int, str]] = []  # (segment, base version, new version, text)
    stale: list[tuple[int, int, int]] = []  # (segment, base version, version the 409 showed)
    errors: list[str] = []
    lock = threading.Lock()

    def racer(n: int) -> None:
        with Client(server.port, token) as client:
            race(client, n)

    def race(client: Client, n: int) -> None:
        for i in range(40):
            seg = ids[(n + i) % len(ids)]
            status, body = client.request("GET", f"/api/segments/{seg}")
            base = body["version"]
            text = f"racer {n} edit {i}"
            status, body = client.request("PUT", f"/api/segments/{seg}",
                                          {"target": text, "version": base})
            with lock:
                if status == 200:
                    acked.append((seg, base, body["version"], text))
                elif status == 409:
                    stale.append((seg, base, body["segment"]["version"]))
                else:
                    errors.append(f"{status}: {body}")

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors, errors[:5]
    assert stale, "16 clients on 4 segments should have collided at least once"
    # A 409 only for a save whose base had really been overtaken.
    assert all(current > base for _, base, current in stale)
    with Client(server.port, token) as client:
        check_segments(client, ids, acked)


def check_segments(client: Client, ids: list[int], acked: list) -> None:
    """Check that history holds every ack, one per version, and the last one is current."""
    by_segment: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for seg, base, version, text in acked:
        by_segment[seg].append((base, version, text))
    for seg in ids:
        saves = sorted(by_segment[seg])
        # Each version was won by exactly one save, based on the version just before it.
        assert [(b, v) for b, v, _ in saves] == [(v - 1, v) for v in range(1, len(saves) + 1)]
        revs = history(client, seg)
        assert all(revs.get(v) == t for _, v, t in saves), f"segment {seg} lost an ack"
        status, now = client.request("GET", f"/api/segments/{seg}")
        assert now["target"] == saves[-1][2] and now["version"] == saves[-1][1]
        # And a save based on an old version is refused, whatever it says.
        status, body = client.request("PUT", f"/api/segments/{seg}",
                                      {"target": "too late", "version": 0})
        assert status == 409 and body["segment"]["target"] == saves[-1][2]


def test_the_server_refuses_to_start_in_production_with_the_default_secret(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'p.sqlite'}", tmp_path / "instance",
                  WEBAPP_ENV="production", SECRET_KEY="change-me")
    log = Path(tmp_path / "refused.log")
    with pytest.raises(RuntimeError, match="gunicorn exited"):
        Server(env, log, workers=1).start(timeout=60)
    assert "SECRET_KEY is the well-known value 'change-me'" in log.read_text()


def test_a_database_connection_the_server_closed_is_replaced_unnoticed(app, api_headers):
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("SQLite has no server to lose")
    import sqlalchemy

    headers = api_headers("translator")
    client = app.test_client()
    assert client.get("/api/documents", headers=headers).status_code == 200
    # As a restart of PostgreSQL would: every connection the app holds is ended.
    server = make_url(app.config["DATABASE_URL"]).difference_update_query(["options"])
    with sqlalchemy.create_engine(server, poolclass=sqlalchemy.pool.NullPool).connect() as db:
        ended = db.execute(sqlalchemy.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    assert ended >= 1
    time.sleep(0.3)  # the server's goodbye reaches the pooled sockets
    for _ in range(3):
        assert client.get("/api/documents", headers=headers).status_code == 200
