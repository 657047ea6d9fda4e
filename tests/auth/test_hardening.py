"""Attacks on accounts, sessions, cookies and headers (issue 12, items 7–11), each replayed."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from browser import LiveServer
from conftest import PASSWORD, BrowserLikeClient, database_url, login, make_user
from sqlalchemy import func, select, update

from webapp import create_app
from webapp.auth import users
from webapp.core.db import get_sessionmaker
from webapp.core.models import ApiToken, LoginSession, RateCounter, utcnow

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def session_of(app, resp) -> dict:
    """Return what a response's Set-Cookie puts in the session: signed, so anyone can read it."""
    cookie = resp.headers.get("Set-Cookie", "")
    match = re.search(r"session=([^;]+)", cookie)
    if not match:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(match.group(1))


def api_login(client, name: str, password: str = PASSWORD, address: str | None = None,
              **headers):
    """POST /api/login (from `address`) and return the response."""
    return client.post("/api/login", json={"username": name, "password": password},
                       headers=headers,
                       environ_base={"REMOTE_ADDR": address or "127.0.0.1"})


# ---------------------------------------------------------------------------
# 7. Open redirect after login
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/%09/evil.example/", "/%0A/x", "/%0D%0ASet-Cookie:x=1", "//evil.example/x",
    "///evil.example/", "/\\evil.example/", "\\\\evil.example", "https://evil.example/",
    "http:evil.example", "javascript:alert(1)", "evil.example", "%2F%2Fevil.example",
    "/%E2%80%8E/evil.example", "/%00/evil.example",
])
def test_login_never_redirects_to_another_site(app, anon_client, target):
    make_user(app, "ann", "translator")
    anon_client.get("/login")
    with anon_client.session_transaction() as s:
        token = s["csrf"]
    resp = anon_client.post(f"/login?next={target}",
                            data={"username": "ann", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 303
    assert lands_here(resp.headers["Location"]), resp.headers["Location"]


def lands_here(location: str) -> bool:
    """Return whether a browser following `location` from our login page stays on our site.

    Browsers drop tabs and newlines in URLs and read a backslash as a slash; headers cannot
    carry control characters at all.
    """
    if not all(c.isprintable() for c in location):
        return False
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://workbench.test/login", cleaned)).netloc == "workbench.test"


def test_login_returns_to_the_local_page_it_came_from(app, anon_client):
    make_user(app, "ann", "translator")
    anon_client.get("/login")
    with anon_client.session_transaction() as s:
        token = s["csrf"]
    resp = anon_client.post("/login?next=/documents%3Fq%3Dx", data={
        "username": "ann", "password": PASSWORD, "csrf_token": token})
    assert resp.headers["Location"] == "/documents?q=x"


# ---------------------------------------------------------------------------
# 8. Login CSRF
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("form", [{}, {"csrf_token": ""}])
def test_a_login_posted_without_a_token_from_a_cookieless_browser_is_refused(app, form):
    # A forged page logs the victim's browser into the attacker's account: no cookie, so
    # no session token, and no token in the form either.
    make_user(app, "mallory", "translator")
    victim = app.test_client()
    resp = victim.post("/login", data={"username": "mallory", "password": PASSWORD, **form})
    assert resp.status_code == 400 and "expired" in resp.get_data(as_text=True)
    assert "sid" not in session_of(app, resp)
    assert victim.get("/documents").status_code == 302


def test_unsafe_requests_with_an_empty_csrf_token_are_refused(app, client):
    with client.session_transaction() as s:
        s["csrf"] = ""
    client.send_csrf = False
    resp = client.post("/admin/users", data={"username": "eve", "role": "admin",
                                             "csrf_token": ""})
    assert resp.status_code == 403


# ---------------------------------------------------------------------------
# 9. Sessions and tokens end on the server
# ---------------------------------------------------------------------------

def captured(app, client) -> str:
    """Return the session cookie a thief copies from the client."""
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """Return a fresh client that carries a stolen session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_cookie_captured_before_logout_is_refused_afterwards(app, client):
    cookie = captured(app, client)
    csrf = app.session_interface.get_signing_serializer(app).loads(cookie)["csrf"]
    client.post("/logout")

    thief = replay(app, cookie)
    assert thief.get("/documents").status_code == 302
    resp = thief.post("/admin/users", data={"username": "eve", "role": "admin"},
                      headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    with app.app_context(), get_sessionmaker(app)() as db:
        assert users.find(db, "eve") is None


def test_the_session_cookie_holds_no_part_of_the_password_hash(app, anon_client):
    make_user(app, "ann", "translator")
    resp = login(anon_client, "ann")
    data = session_of(app, resp)
    assert set(data) <= {"sid", "csrf", "_permanent"}
    with app.app_context(), get_sessionmaker(app)() as db:
        digest = users.find(db, "ann").password_hash.rsplit("$", 1)[-1]
    cookie = resp.headers["Set-Cookie"]
    assert all(digest[i:i + 8] not in str(data) + cookie for i in range(0, len(digest) - 8))


def test_an_admin_logs_a_user_out_everywhere_from_the_users_page(app, client, client_as):
    bea = client_as("translator", "bea")
    headers = {"Authorization": f"Bearer {api_login(app.test_client(), 'bea').get_json()['token']}"}
    assert app.test_client().get("/api/documents", headers=headers).status_code == 200
    bea_id = _user_id(app, "bea")

    resp = client.post(f"/admin/users/{bea_id}", data={"action": "log-out"},
                       follow_redirects=True)
    assert "bea is logged out everywhere" in resp.get_data(as_text=True)
    assert bea.get("/documents").status_code == 302
    assert app.test_client().get("/api/documents", headers=headers).status_code == 401
    # She may log in again.
    assert login(app.test_client(), "bea").status_code == 303


def test_the_cli_logs_a_user_out_everywhere(app, runner, client_as):
    bea = client_as("translator", "bea")
    result = runner.invoke(args=["log-out-everywhere", "bea"])
    assert result.exit_code == 0 and "bea is logged out everywhere" in result.output
    assert bea.get("/documents").status_code == 302
    assert runner.invoke(args=["log-out-everywhere", "nobody"]).exit_code != 0


def test_reactivating_an_account_does_not_revive_its_old_sessions(app, client, client_as):
    bea = client_as("translator", "bea")
    cookie = captured(app, bea)
    bea_id = _user_id(app, "bea")
    client.post(f"/admin/users/{bea_id}", data={"action": "deactivate"})
    client.post(f"/admin/users/{bea_id}", data={"action": "activate"})
    assert replay(app, cookie).get("/documents").status_code == 302


def test_a_reset_password_ends_the_users_sessions_on_the_server(app, client, client_as):
    bea = client_as("translator", "bea")
    client.post(f"/admin/users/{_user_id(app, 'bea')}", data={"action": "reset"})
    assert bea.get("/documents").status_code == 302
    with app.app_context(), get_sessionmaker(app)() as db:
        count = db.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == users.find(db, "bea").id))
    assert count == 0


def test_admins_resetting_their_own_password_stay_logged_in_to_read_it(app, client):
    resp = client.post(f"/admin/users/{_user_id(app, 'ada')}", data={"action": "reset"},
                       follow_redirects=True)
    password = re.search(r"New password for ada, shown once: ([^\s<]+)",
                         resp.get_data(as_text=True)).group(1)
    assert client.get("/documents").status_code == 200
    assert login(app.test_client(), "ada", password).status_code == 303


def test_api_tokens_expire(app):
    make_user(app, "ann", "translator")
    c = app.test_client()
    body = api_login(c, "ann").get_json()
    expires = body["expires_at"]
    assert expires.startswith(str((utcnow() + timedelta(days=90)).date()))
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert c.get("/api/documents", headers=headers).status_code == 200
    with app.app_context(), get_sessionmaker(app)() as db:
        db.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    resp = c.get("/api/documents", headers=headers)
    assert resp.status_code == 401 and resp.get_json()["message"] == "The API token is not valid."


def test_the_token_lifetime_is_configurable(app):
    app.config["API_TOKEN_DAYS"] = 7
    make_user(app, "ann", "translator")
    expires = api_login(app.test_client(), "ann").get_json()["expires_at"]
    assert expires.startswith(str((utcnow() + timedelta(days=7)).date()))


def test_a_user_lists_and_revokes_their_own_tokens_through_the_api(app):
    make_user(app, "ann", "translator")
    make_user(app, "bob", "translator")
    c = app.test_client()
    first = c.post("/api/login", json={"username": "ann", "password": PASSWORD,
                                       "label": "laptop script"}).get_json()["token"]
    second = api_login(c, "ann").get_json()["token"]
    bobs = api_login(c, "bob").get_json()["token"]
    mine = {"Authorization": f"Bearer {second}"}

    listed = c.get("/api/tokens", headers=mine).get_json()
    assert len(listed) == 2
    assert [t["current"] for t in listed] == [True, False]
    assert listed[1]["label"] == "laptop script"
    assert all(first not in str(t) and "hash" not in str(t) for t in listed)

    # Someone else's token is not mine to revoke.
    bob_headers = {"Authorization": f"Bearer {bobs}"}
    bob_id = c.get("/api/tokens", headers=bob_headers).get_json()[0]["id"]
    assert c.delete(f"/api/tokens/{bob_id}", headers=mine).status_code == 404
    assert c.get("/api/documents", headers=bob_headers).status_code == 200

    assert c.delete(f"/api/tokens/{listed[1]['id']}", headers=mine).status_code == 204
    assert c.get("/api/documents", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    # A script logs itself out by revoking its own token.
    assert c.delete(f"/api/tokens/{listed[0]['id']}", headers=mine).status_code == 204
    assert c.get("/api/tokens", headers=mine).status_code == 401


def test_my_account_page_lists_sessions_and_tokens_and_revokes_a_token(app, client_as):
    ann = client_as("translator", "ann")
    token = api_login(app.test_client(), "ann").get_json()["token"]
    html = ann.get("/account").get_data(as_text=True)
    assert "(this browser)" in html and "Revoke" in html
    token_id = int(re.search(r"/account/tokens/(\d+)/revoke", html).group(1))

    resp = ann.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True)
    assert "The token is revoked." in resp.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/documents", headers=headers).status_code == 401
    assert ann.post("/account/tokens/99999/revoke").status_code == 404


def test_my_account_page_makes_a_token_shown_once_and_never_in_the_cookie(app, client_as):
    ann = client_as("translator", "ann")
    resp = ann.post("/account/tokens", data={"label": "export"})
    assert resp.status_code == 303
    page = ann.get("/account").get_data(as_text=True)
    token = re.search(r"shown once \(valid 90 days\): ([\w-]+)", page).group(1)
    assert token not in str(session_of(app, resp)) and token not in resp.headers.get("Set-Cookie", "")
    assert app.test_client().get("/api/documents",
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in ann.get("/account").get_data(as_text=True)


def test_logging_out_of_other_browsers_keeps_this_one(app, client_as):
    ann = client_as("translator", "ann")
    other = app.test_client()
    assert login(other, "ann").status_code == 303
    resp = ann.post("/account/sessions/end-others", follow_redirects=True)
    assert "Logged out of 1 other browser." in resp.get_data(as_text=True)
    assert other.get("/documents").status_code == 302
    assert ann.get("/documents").status_code == 200


# ---------------------------------------------------------------------------
# 10. The login rate limit
# ---------------------------------------------------------------------------

@pytest.fixture
def password_checks(monkeypatch):
    """Count the password hash checks, from any thread; each takes 50 ms."""
    calls = []
    lock = threading.Lock()
    real = users.check_password_hash

    def counting(*args, **kwargs):
        with lock:
            calls.append(1)
        # As long as the production work factor takes: the window a check-then-count
        # throttle leaves open to parallel guesses.
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(users, "check_password_hash", counting)
    return calls


def test_parallel_wrong_logins_get_at_most_the_limit_of_password_checks(app, password_checks):
    make_user(app, "ann", "translator")
    statuses = []
    start = threading.Barrier(30)

    with LiveServer(app) as server:
        def guess(i: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=60)
            start.wait()
            conn.request("POST", "/api/login", json.dumps(
                {"username": "ann", "password": f"guess number {i}"}),
                {"Content-Type": "application/json"})
            statuses.append(conn.getresponse().status)
            conn.close()

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert len(statuses) == 30
    assert len(password_checks) <= 5, (len(password_checks), sorted(statuses))
    assert statuses.count(401) == len(password_checks)
    assert statuses.count(429) == 30 - len(password_checks)


def test_refused_logins_say_when_to_try_again(app, anon_client):
    make_user(app, "ann", "translator")
    for _ in range(5):
        assert login(anon_client, "ann", "wrong password!").status_code == 401
    resp = login(anon_client, "ann", "wrong password!")
    assert resp.status_code == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 60
    api = api_login(app.test_client(), "ann", "wrong password!")
    assert api.status_code == 429 and "Too many failed logins" in api.get_json()["message"]
    assert 1 <= int(api.headers["Retry-After"]) <= 60


def test_a_success_forgets_the_failures_before_it(app, anon_client):
    make_user(app, "ann", "translator")
    for _ in range(4):
        assert login(anon_client, "ann", "wrong password!").status_code == 401
    assert login(anon_client, "ann").status_code == 303
    other = app.test_client()
    for _ in range(5):
        assert login(other, "ann", "wrong password!").status_code == 401
    assert login(other, "ann", "wrong password!").status_code == 429


@pytest.fixture
def second_worker(app, monkeypatch, tmp_path):
    """Return another app on the same database, as a second gunicorn worker or a restart is."""
    other = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": app.config["DATABASE_URL"],
        "ARGOS_PACKAGES_DIR": app.config["ARGOS_PACKAGES_DIR"],
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    })
    yield other
    other.extensions["webapp.jobs"].executor.shutdown(wait=True)
    other.extensions["webapp.engine"].dispose()


def test_the_limit_is_shared_by_workers_and_survives_a_restart(app, second_worker):
    make_user(app, "ann", "translator")
    for _ in range(3):
        assert api_login(app.test_client(), "ann", "wrong password!").status_code == 401
    for _ in range(2):
        assert api_login(second_worker.test_client(), "ann", "wrong!!!!!!").status_code == 401
    assert api_login(app.test_client(), "ann", "wrong password!").status_code == 429
    assert api_login(second_worker.test_client(), "ann", "wrong!!!!!!").status_code == 429


def test_addresses_behind_a_trusted_proxy_are_counted_apart(app):
    app2 = create_app({**app.config, "PROXY_COUNT": 1})
    try:
        make_user(app, "ann", "translator")
        c = app2.test_client()

        def from_(addr: str):
            return api_login(c, "ann", "wrong password!", **{"X-Forwarded-For": addr})

        for _ in range(5):
            assert from_("198.51.100.7").status_code == 401
        assert from_("198.51.100.7").status_code == 429
        # Another office behind the same proxy is not locked out by the first one's typos.
        assert from_("203.0.113.9").status_code == 401
    finally:
        app2.extensions["webapp.jobs"].executor.shutdown(wait=True)
        app2.extensions["webapp.engine"].dispose()


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app):
    make_user(app, "ann", "translator")
    c = app.test_client()
    for i in range(5):
        assert api_login(c, "ann", "wrong password!",
                         **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code == 401
    assert api_login(c, "ann", "wrong password!",
                     **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_a_name_is_limited_across_addresses_too(app):
    app.config["LOGIN_NAME_LIMIT"] = "8 per hour"
    make_user(app, "ann", "translator")
    statuses = []
    for i in range(10):
        statuses.append(api_login(app.test_client(), "ann", "wrong password!",
                                  address=f"192.0.2.{i}").status_code)
    assert statuses == [401] * 8 + [429] * 2


def test_the_failed_login_memory_forgets_past_windows(app):
    app.config.update(LOGIN_LIMIT="5 per 2 seconds", LOGIN_NAME_LIMIT="50 per 2 seconds")
    for i in range(10):
        make_user(app, f"user{i}", "translator")
    c = app.test_client()
    for i in range(10):
        assert api_login(c, f"user{i}", "wrong password!").status_code == 401

    def rows() -> int:
        with app.app_context(), get_sessionmaker(app)() as db:
            return db.scalar(select(func.count()).select_from(RateCounter))

    # Two counters an attempt (name and address, name alone), kept for one window only.
    assert rows() == 20
    time.sleep(2.1)
    assert api_login(c, "user0", "wrong password!").status_code == 401
    assert rows() == 2


def test_the_limit_uses_redis_when_redis_url_is_set(app, monkeypatch):
    import os
    import uuid

    from redis import Redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        Redis.from_url(url).ping()
    except Exception as exc:  # noqa: BLE001 - say what is missing, whatever the client raised
        pytest.fail(f"Redis is not answering at {url} ({exc}); .ci/run starts it.")
    queue = f"webapp-test-{uuid.uuid4().hex[:12]}"
    apps = [create_app({**app.config, "REDIS_URL": url, "RQ_QUEUE": queue}) for _ in range(2)]
    try:
        assert type(apps[0].extensions["webapp.limiter"].storage).__name__ == "RedisStorage"
        make_user(app, "ann", "translator")
        for i in range(5):
            assert api_login(apps[i % 2].test_client(), "ann", "wrong!!!!!!").status_code == 401
        assert api_login(apps[1].test_client(), "ann", "wrong!!!!!!").status_code == 429
    finally:
        redis = Redis.from_url(url)
        for key in redis.scan_iter(match=f"*{queue}*"):
            redis.delete(key)
        for other in apps:
            other.extensions["webapp.jobs"].executor.shutdown(wait=True)
            other.extensions["webapp.engine"].dispose()


def test_gunicorn_workers_check_no_more_passwords_than_the_limit(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from conftest import drop_database
    from server_process import Client, Server, app_env, prepare

    url = database_url(tmp_path)
    env = app_env(url, tmp_path / "instance")
    prepare(env, "storm")
    server = Server(env, tmp_path / "gunicorn.log", workers=3).start()
    try:
        def guess(i: int) -> int:
            with Client(server.port) as client:
                return client.request("POST", "/api/login",
                                      {"username": "storm", "password": f"guess {i} guess"})[0]

        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(guess, range(12)))
        # Every 401 is one password check; the rest were refused before the check.
        assert statuses.count(401) <= 5 and statuses.count(429) == 12 - statuses.count(401)
        server.stop()
        # A restart remembers.
        server = Server(env, tmp_path / "gunicorn.log", workers=3).start()
        assert guess(99) == 429
    finally:
        server.kill()
        drop_database(url)


# ---------------------------------------------------------------------------
# 11. Cookies and headers
# ---------------------------------------------------------------------------

def test_pages_forbid_inline_script_framing_and_sniffing(anon_client):
    resp = anon_client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    api = anon_client.get("/api/documents")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_carries_inline_script_style_or_handlers():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=",
                        r"\shx-on[:-]", r"\son[a-z]+=", r"javascript:"):
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}")
    assert offenders == []


def test_the_session_cookie_is_secure_in_production(app, monkeypatch):
    prod = create_app({**app.config, "WEBAPP_ENV": "production", "SESSION_COOKIE_SECURE": None,
                       "SECRET_KEY": "a-production-secret-of-more-than-32-characters"})
    try:
        make_user(app, "ann", "translator")
        prod.test_client_class = BrowserLikeClient
        resp = login(prod.test_client(), "ann")
        assert resp.status_code == 303 and "; Secure" in resp.headers["Set-Cookie"]
    finally:
        prod.extensions["webapp.jobs"].executor.shutdown(wait=True)
        prod.extensions["webapp.engine"].dispose()
    assert "Secure" not in login(app.test_client(), "ann").headers["Set-Cookie"]


@pytest.mark.parametrize("action", ["create", "reset"])
def test_one_time_passwords_never_travel_in_the_cookie(app, client, client_as, action):
    if action == "create":
        resp = client.post("/admin/users", data={"username": "bea", "role": "editor"})
        pattern = r"Password, shown once: ([^\s<]+)"
    else:
        client_as("translator", "bea")
        resp = client.post(f"/admin/users/{_user_id(app, 'bea')}", data={"action": "reset"})
        pattern = r"New password for bea, shown once: ([^\s<]+)"
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"])
    password = re.search(pattern, page.get_data(as_text=True)).group(1)
    for sent in (resp, page):
        assert password not in str(session_of(app, sent))
        assert password not in sent.headers.get("Set-Cookie", "")
    # Shown once: the next visit no longer has it, on the page or on the server.
    assert password not in client.get("/admin/users").get_data(as_text=True)
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.shown_once.is_not(None))) == 0
    assert login(app.test_client(), "bea", password).status_code == 303


def _user_id(app, name: str) -> int:
    """Return the id of the account called `name`."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return users.find(db, name).id

