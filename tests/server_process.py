"""The app as a team runs it: gunicorn in a process group of its own, on a loopback port.

Used by the crash and contention tests and by bench/bench_save_load.py. Everything goes
through the real entry points: `flask --app wsgi init-db` and `create-user`, gunicorn
serving `wsgi:app`, and the JSON API with a bearer token from `POST /api/login`.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "storm-password-123"


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, instance: Path, **extra: str) -> dict:
    """Return the environment that configures the app for one server."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEBAPP_ENV")}
    env.update({
        "DATABASE_URL": database_url,
        "WEBAPP_INSTANCE": str(instance),
        "SECRET_KEY": "server-process-secret-0123456789abcdef",
    })
    env.update(extra)
    return env


def flask(env: dict, *args: str, stdin: str | None = None) -> str:
    """Run a `flask --app wsgi` command and return what it printed; fail loudly."""
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(env: dict, username: str = "storm", role: str = "translator") -> None:
    """Migrate the database and create an account, as an operator would."""
    flask(env, "init-db")
    flask(env, "create-user", username, "--role", role, stdin=PASSWORD + "\n")


class Server:
    """gunicorn serving wsgi:app; SIGKILL reaches the master and every worker at once."""

    def __init__(self, env: dict, log: Path, workers: int | None = None,
                 threads: int | None = None):
        self.env, self.log = env, log
        # None: as gunicorn.conf.py says, which is what `make serve` runs.
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        """Start gunicorn and wait until it answers."""
        sizes = [*(["--workers", str(self.workers)] if self.workers else []),
                 *(["--threads", str(self.threads)] if self.threads else [])]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), *sizes,
                 "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()}")
            try:
                with Client(self.port) as client:
                    if client.request("GET", "/login")[0] == 200:
                        return self
            except (OSError, http.client.HTTPException):
                pass  # not listening yet, or closed the connection while starting
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole server, as a power cut or the OOM killer would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server the polite way, then make sure."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Client:
    """One keep-alive HTTP connection speaking the JSON API with a bearer token."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.token = token

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, object]:
        """Send one request; return the status and the decoded JSON (or text)."""
        head = dict(headers or {})
        if self.token:
            head["Authorization"] = f"Bearer {self.token}"
        data = body
        if body is not None and not isinstance(body, bytes):
            data = json.dumps(body).encode()
            head["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=head)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        kind = resp.getheader("Content-Type", "")
        return resp.status, json.loads(raw) if "json" in kind else raw.decode(errors="replace")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def login(port: int, username: str = "storm") -> str:
    """Return an API token for the account."""
    with Client(port) as client:
        status, body = client.request("POST", "/api/login",
                                      {"username": username, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"POST /api/login answered {status}: {body}")
    return body["token"]


def upload(port: int, token: str, sentences: list[str], name: str = "storm.txt",
           mode: str = "translate") -> int:
    """Import sentences, one paragraph each, as an en→de document (translate mode: sources)."""
    boundary = "----storm-boundary"
    text = "\n\n".join(sentences).encode()
    parts = []
    for field, value in (("source_lang", "en"), ("target_lang", "de"), ("mode", mode)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{name}"\r\nContent-Type: text/plain\r\n\r\n'.encode() + text
                 + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    with Client(port, token, timeout=300) as client:
        status, body = client.request(
            "POST", "/api/documents", b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    if status != 201:
        raise RuntimeError(f"POST /api/documents answered {status}: {body}")
    return body["id"]


def segment_ids(port: int, token: str, doc_id: int) -> list[int]:
    """Return the document's segment ids in order."""
    ids: list[int] = []
    with Client(port, token) as client:
        while True:
            status, body = client.request(
                "GET", f"/api/documents/{doc_id}/segments?offset={len(ids)}&limit=1000")
            if status != 200:
                raise RuntimeError(f"listing segments answered {status}: {body}")
            ids += [s["id"] for s in body["segments"]]
            if not body["segments"] or len(ids) >= body["total"]:
                return ids
