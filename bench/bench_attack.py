"""Attacks against a running app: does one hostile request stall everybody else?

Starts the app twice on loopback ports, as the dev server (`flask --app wsgi run`, threaded)
and as a team runs it (gunicorn with gunicorn.conf.py), each on a fresh SQLite database with
one translator account and a document that holds a segment of 27 "a"s. Then, one attack at a
time, it sends the hostile request from one thread while another thread sends an anonymous
`GET /login` every 20 ms, and prints for each attack:

- attack: how long the hostile request took to be answered, and its status;
- login p50 / max: the anonymous requests' answer times while the attack ran;
- ordinary: the median time of the same `GET /login` with nothing else running.

The attacks are the ones issue #12 reproduced: a catastrophic regular expression in the
segment filter, a 16 KB and a 1 MB upload of pathological text for the sentence splitter, a
20,000-character save followed by the Review page (word diff), a 50 MiB JSON body to the
anonymous login, and JSON nested 100,000 deep.
Goal: every attack answered within 1 s of work, `GET /login` never delayed by more than 100 ms.
Run: .venv/bin/python bench/bench_attack.py [--servers dev,gunicorn]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from anywhere, without installing

from server_process import (  # noqa: E402
    BIN,
    Client,
    Server,
    app_env,
    free_port,
    login,
    prepare,
    segment_ids,
    upload,
)


class DevServer:
    """`flask --app wsgi run` (threaded, as `make run` starts it) on a loopback port."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.port, self.proc = env, log, free_port(), None

    def start(self, timeout: float = 60) -> DevServer:
        """Start the dev server and wait until it answers."""
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "flask"), "--app", "wsgi", "run", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with Client(self.port) as client:
                    if client.request("GET", "/login")[0] == 200:
                        return self
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        raise RuntimeError(f"the dev server did not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        """Stop the dev server."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


def timed(port: int, method: str, path: str, body=None, headers=None, token=None,
          timeout: float = 120) -> tuple[float, int]:
    """Send one request on a new connection; return (seconds, status)."""
    t0 = time.perf_counter()
    try:
        with Client(port, token, timeout=timeout) as client:
            status, _ = client.request(method, path, body, headers)
    except (OSError, http.client.HTTPException):
        status = 0  # the server dropped the connection
    return time.perf_counter() - t0, status


def timed_raw(port: int, path: str, body: bytes, content_type: str) -> tuple[float, int]:
    """POST a large body over a raw socket, reading the answer even if the server stops
    reading early (a 413 sent before the body is read, then the connection closed)."""
    t0 = time.perf_counter()
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    try:
        sock.sendall(head)
        for start in range(0, len(body), 1 << 16):
            sock.sendall(body[start:start + (1 << 16)])
    except OSError:
        pass  # the server answered and closed before taking the rest: what we measure
    try:
        first = sock.recv(4096).split(b"\r\n", 1)[0].split()
        status = int(first[1]) if len(first) > 1 else 0
    except OSError:
        status = 0
    sock.close()
    return time.perf_counter() - t0, status


def ordinary(port: int, n: int = 40) -> float:
    """Return the median time of an anonymous GET /login on a quiet server."""
    return statistics.median(timed(port, "GET", "/login")[0] for _ in range(n))


def under_attack(port: int, attack) -> tuple[float, int, list[float]]:
    """Run attack() while GET /login is sent every 20 ms; return its time, status, login times."""
    logins: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            logins.append(timed(port, "GET", "/login", timeout=60)[0])
            time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    time.sleep(0.1)
    try:
        seconds, status = attack()
    finally:
        done.set()
        prober.join()
    return seconds, status, logins


def multipart(text: bytes, name: str) -> tuple[bytes, dict]:
    """Return a document upload body and its headers."""
    boundary = "----attack-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in (("source_lang", "en"), ("target_lang", "de"), ("mode", "translate"))]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
                 f"\r\nContent-Type: text/plain\r\n\r\n".encode() + text + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def attacks(port: int, token: str, doc: int, seg: int) -> list[tuple[str, object]]:
    """Return the named attacks against one server."""
    regex = quote("(a+)+$")
    dots16k, dots16k_headers = multipart(b"." * 16000 + b"a", "dots.txt")
    unit = ("." * 200 + " A z.B. u.a. Nr. 1. „Wort“ “ " + "(" * 20 + ")" * 20 + ". ").encode()
    dots1m, dots1m_headers = multipart(unit * (1_000_000 // len(unit)), "dots-1m.txt")
    nested = b"[" * 100_000 + b"]" * 100_000

    def diff_attack():
        with Client(port, token) as client:
            status, body = client.request("GET", f"/api/segments/{seg}")
            version = body["version"]
            client.request("PUT", f"/api/segments/{seg}",
                           {"target": "Wort " * 4000, "version": version})
        return timed(port, "GET", f"/documents/{doc}/review", token=token)

    return [
        ("regex filter (a+)+$", lambda: timed(port, "GET", f"/documents/{doc}?q={regex}&regex=1",
                                              token=token)),
        ("splitter: '.'*16000+'a'", lambda: timed(port, "POST", "/api/documents", dots16k,
                                                   dots16k_headers, token=token)),
        ("splitter: 1 MB pathological", lambda: timed(port, "POST", "/api/documents", dots1m,
                                                  dots1m_headers, token=token)),
        ("20,000-char save + Review", diff_attack),
        ("50 MiB JSON to /api/login", lambda: timed_raw(
            port, "/api/login", b"{" + b" " * (50 << 20) + b"}", "application/json")),
        ("JSON nested 100,000 deep", lambda: timed(port, "PUT", f"/api/segments/{seg}", nested,
                                                    {"Content-Type": "application/json"},
                                                    token=token)),
    ]


def run(kind: str, tmp: Path) -> None:
    """Start one server, attack it, print the figures."""
    env = app_env(f"sqlite:///{tmp / kind}.sqlite", tmp / f"{kind}-instance")
    prepare(env)
    server = (DevServer(env, tmp / f"{kind}.log") if kind == "dev"
              else Server(env, tmp / f"{kind}.log"))
    server.start()
    try:
        token = login(server.port)
        doc = upload(server.port, token, ["a" * 27, "Ein ganz normaler Satz."])
        seg = segment_ids(server.port, token, doc)[0]
        base = ordinary(server.port)
        print(f"\n== {kind}: ordinary GET /login {base * 1000:.1f} ms (median of 40)")
        print(f"{'attack':30} {'status':>6} {'attack s':>9} {'login p50':>10} {'login max':>10}")
        for name, attack in attacks(server.port, token, doc, seg):
            seconds, status, logins = under_attack(server.port, attack)
            print(f"{name:30} {status:>6} {seconds:>9.3f} "
                  f"{statistics.median(logins) * 1000:>8.1f}ms {max(logins) * 1000:>8.1f}ms")
    finally:
        server.stop()


def main() -> None:
    """Run the attacks on the servers asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default="dev,gunicorn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.servers.split(","):
            run(kind, Path(tmp))


if __name__ == "__main__":
    main()
