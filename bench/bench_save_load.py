"""Load-test saving: the app under gunicorn, 32 clients saving random segments, SQLite and PostgreSQL.

The server is what `make serve` runs (gunicorn with gunicorn.conf.py, wsgi:app) on a loopback
port, migrated with `flask --app wsgi init-db`, with an account made by
`flask --app wsgi create-user`. A 3,200-segment document is uploaded through the API, in
review mode by default: every segment has an MT draft, so every save changes a score that
the app keeps (--mode translate uploads untranslated sources instead). Each client has its
own 100 segments and, for --duration seconds, saves a random one of them with
`PUT /api/segments/<id>` and the version it last saw. One run goes flat out (no pause between
a client's saves: the latencies of a saturated server, and its throughput); a second pauses a
random 0-1 s between saves (--think 0.5), still far more often than a person saves, which is
what the latency goal is about.

The clients are threads spread over --client-processes processes on the same machine as the
server, so whatever they spend is taken from the server. Each speaks just enough HTTP/1.1 over
a plain socket (tests/server_process.Client, on http.client, costs about twice the CPU per
request): it sends the request, reads the whole answer (head and Content-Length body), checks
the status and decodes the JSON, reusing the connection while the server keeps it open and
reconnecting when it says `Connection: close`.

Printed per database: saves, saves per second, p50/p95/p99 latency, errors (any answer but
200, or a dropped connection), and a check that the history holds every acknowledged save.
Goal: p95 under 50 ms and no error, on both databases.
Run: .venv/bin/python bench/bench_save_load.py [--duration 60] [--think 0,0.5]
     [--databases sqlite,postgresql] [--mode review|translate] [--workers N --threads N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import runpy
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from anywhere, without installing

from server_process import (  # noqa: E402
    Client,
    Server,
    app_env,
    login,
    prepare,
    segment_ids,
    upload,
)

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PSQL = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "postgres", "-qX"]


class Saver:
    """One client connection: PUT a JSON body, read the whole answer, as lean as it gets."""

    def __init__(self, port: int, token: str, timeout: float):
        self.port, self.timeout = port, timeout
        self.head = (f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                     "Content-Type: application/json\r\n").encode()
        self.sock: socket.socket | None = None

    def put(self, path: str, body: dict) -> tuple[int, dict | str]:
        """Send one PUT and return the status and the decoded JSON answer (or its text)."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        data = json.dumps(body).encode()
        try:
            self.sock.sendall(b"PUT %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % (
                path.encode(), self.head, len(data), data))
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += self._recv()
            head, _, rest = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields = {k.strip().lower(): v.strip() for k, _, v in
                      (line.partition(":") for line in lines[1:])}
            length = int(fields["content-length"])
            while len(rest) < length:
                rest += self._recv()
        except (OSError, ValueError, KeyError, IndexError):
            self.close()
            raise
        if fields.get("connection", "").lower() == "close" or len(rest) > length:
            self.close()
        answer = rest[:length]
        if "json" in fields.get("content-type", ""):
            return status, json.loads(answer)
        return status, answer.decode(errors="replace")

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection before answering")
        return chunk

    def close(self) -> None:
        """Close the connection; the next request opens a new one."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def client_process(port: int, token: str, slices: list[list[int]], start_version: int,
                   until: float, think: float, out) -> None:
    """Run one thread per slice of segments until `until`; send back what happened."""
    results = []

    def run(own: list[int], seed: int) -> None:
        rng = random.Random(seed)
        versions = dict.fromkeys(own, start_version)
        latencies, errors, acked = [], [], 0
        saver = Saver(port, token, timeout=30)
        while time.time() < until:
            seg = rng.choice(own)
            start = time.perf_counter()
            try:
                status, body = saver.put(
                    f"/api/segments/{seg}",
                    {"target": f"Gespeichert {acked} von {seed}", "version": versions[seg]})
            except (OSError, ValueError, KeyError, IndexError) as exc:
                errors.append(f"connection: {exc!r}")
                continue
            latencies.append(time.perf_counter() - start)
            if status == 200 and isinstance(body, dict) and body.get("version") == versions[seg] + 1:
                versions[seg] = body["version"]
                acked += 1
            else:
                errors.append(f"{status}: {str(body)[:200]}")
            if think:
                time.sleep(rng.uniform(0, 2 * think))
        saver.close()
        results.append((latencies, errors, versions))

    threads = [threading.Thread(target=run, args=(own, hash((port, tuple(own)))))
               for own in slices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.send(results)
    out.close()


def storm(port: int, token: str, ids: list[int], start_version: int, clients: int,
          processes: int, duration: float,
          think: float) -> tuple[list[float], list[str], dict[int, int], float]:
    """Run the clients; return latencies, errors, last acknowledged version per segment, time."""
    slices = [ids[i::clients] for i in range(clients)]
    ctx = multiprocessing.get_context("fork")
    start = time.time() + 1.0  # every process is running before the clock starts
    until = start + duration
    procs, pipes = [], []
    for p in range(processes):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=client_process,
                           args=(port, token, slices[p::processes], start_version, until,
                                 think, send))
        proc.start()
        procs.append(proc)
        pipes.append(recv)
    latencies, errors, versions = [], [], {}
    for recv in pipes:
        for lat, err, ver in recv.recv():
            latencies += lat
            errors += err
            versions.update(ver)
    for proc in procs:
        proc.join()
    return latencies, errors, versions, until - start


def check_history(port: int, token: str, versions: dict[int, int]) -> int:
    """Return how many acknowledged versions are missing from the history."""
    missing = 0
    with Client(port, token) as client:
        for seg, version in versions.items():
            if not version:
                continue
            status, body = client.request("GET", f"/api/segments/{seg}/history")
            have = {r["version"] for r in body["revisions"]} if status == 200 else set()
            missing += len(set(range(1, version + 1)) - have)
    return missing


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) in milliseconds."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def run_database(kind: str, args, work: Path) -> None:
    """Serve the app on one database kind, storm it and print the figures."""
    dbname = None
    if kind == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite'}"
    else:
        dbname = f"webapp_bench_{int(time.time())}"
        subprocess.run([*PSQL, "-c", f"CREATE DATABASE {dbname}"], check=True)
        url = f"{PG_SERVER}/{dbname}"
    env = app_env(url, work / f"instance-{kind}")
    server = None
    try:
        prepare(env)
        server = Server(env, work / f"gunicorn-{kind}.log", workers=args.workers,
                        threads=args.threads).start()
        token = login(server.port)
        sentences = [f"Satz {i}: Die Regierung hat neue Regeln beschlossen." for i in
                     range(args.clients * args.per_client)]
        runs = []
        for think in args.think:
            # A document of its own per run, so every client starts from the import's version.
            ids = segment_ids(server.port, token,
                              upload(server.port, token, sentences, mode=args.mode))
            lat, errors, versions, seconds = storm(
                server.port, token, ids, 1 if args.mode == "review" else 0, args.clients,
                args.client_processes, args.duration, think)
            runs.append((think, lat, errors, seconds, check_history(server.port, token,
                                                                     versions)))
    finally:
        if server is not None:
            server.stop()
        if dbname:
            subprocess.run([*PSQL, "-c", f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)"],
                           check=False)
    for think, lat, errors, seconds, missing in runs:
        saves = len(lat) - len(errors)
        p95 = percentile(lat, 95)
        verdict = "ok" if p95 < 50 and not errors else "misses the goal"
        pace = "flat out" if not think else f"~{think:g} s apart"
        print(f"  {kind:10} {pace:12} {saves:7,} saves {saves / seconds:7.1f}/s   "
              f"p50 {percentile(lat, 50):6.1f} ms   p95 {p95:6.1f} ms   "
              f"p99 {percentile(lat, 99):6.1f} ms   errors {len(errors)}   "
              f"acknowledged saves missing: {missing}   ({verdict})")
        for err in sorted(set(errors))[:5]:
            print(f"      error: {err}")


def main() -> None:
    """Run the storm on each database and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per database")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=100, help="segments each client owns")
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker (default: the "
                        "config's; more than 1 means the gthread worker)")
    parser.add_argument("--mode", choices=("review", "translate"), default="review",
                        help="review: segments have MT drafts, so saves change scores "
                             "(default); translate: untranslated sources")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--think", type=lambda v: [float(x) for x in v.split(",")],
                        default=[0.0, 0.5],
                        help="mean pause between one client's saves, one run per value "
                             "(0: flat out; default 0,0.5)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-save-"))
    print(f"bench_save_load: gunicorn {served(args)} on loopback, {args.clients} clients "
          f"saving for {args.duration:g} s per run ({args.mode} mode; "
          f"{args.client_processes} client processes on the same {_cpus()}-core machine)")
    for kind in args.databases.split(","):
        run_database(kind.strip(), args, work)


def served(args) -> str:
    """Return the gunicorn settings the runs use, for the heading."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    workers = args.workers or conf.get("workers", 1)
    threads = args.threads or conf.get("threads", 1)
    kind = "gthread" if threads > 1 else conf.get("worker_class", "sync")
    return f"-c gunicorn.conf.py: {workers} {kind} workers" + (
        f" x {threads} threads" if threads > 1 else "")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
