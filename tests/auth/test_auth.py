"""Accounts, login, tokens, CSRF and who may reach which route."""

from __future__ import annotations

import io
import re

import pytest
from conftest import PASSWORD, login, make_user

from webapp.auth import users
from webapp.core.db import get_sessionmaker
from webapp.core.models import User
from webapp.core.states import Role


def test_passwords_are_stored_as_scrypt_hashes_only(app):
    make_user(app, "ann", "translator")
    with app.app_context(), get_sessionmaker(app)() as db:
        user = users.find(db, "ann")
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash


def test_login_sets_an_httponly_samesite_session_and_logout_ends_it(app, anon_client):
    make_user(app, "ann", "translator")
    resp = login(anon_client, "ann")
    assert resp.status_code == 303
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert anon_client.get("/documents").status_code == 200
    anon_client.post("/logout")
    assert anon_client.get("/documents").status_code == 302


def test_wrong_password_is_refused_and_repeated_failures_are_slowed_down(app, anon_client):
    make_user(app, "ann", "translator")
    for _ in range(5):
        assert login(anon_client, "ann", "wrong password!").status_code == 401
    resp = login(anon_client, "ann", "wrong password!")
    assert resp.status_code == 429 and "Too many failed logins" in resp.get_data(as_text=True)
    # Even the right password waits until the delay has passed.
    assert login(anon_client, "ann").status_code == 429


def test_login_redirects_only_to_local_paths(app, anon_client):
    make_user(app, "ann", "translator")
    anon_client.get("/login")
    with anon_client.session_transaction() as s:
        token = s["csrf"]
    resp = anon_client.post("/login?next=//evil.example/x",
                            data={"username": "ann", "password": PASSWORD, "csrf_token": token})
    assert resp.headers["Location"] == "/"


def test_anonymous_visitors_see_only_the_login_page(app, anon_client):
    # The interface language's strings and switch serve the login page too (test_i18n.py).
    public = {"auth.login", "auth_api.login", "static", "vendor", "openapi", "favicon",
              "i18n_catalogue", "choose_language"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        url = re.sub(r"<(?:int:|path:)?\w+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = anon_client.open(url, method=method)
            if url.startswith("/api/"):
                assert resp.status_code == 401, (method, url)
                assert resp.is_json
            else:
                assert resp.status_code in (302, 401), (method, url, resp.status_code)
                if resp.status_code == 302:
                    assert "/login" in resp.headers["Location"]


def test_unsafe_requests_without_the_csrf_token_are_refused_and_change_nothing(client, seed_bytes):
    client.send_csrf = False
    resp = client.post("/documents", data={
        "file": (io.BytesIO(seed_bytes), "a.txt"), "source_lang": "en", "target_lang": "de",
    }, content_type="multipart/form-data")
    assert resp.status_code == 403 and "did not come from this site" in resp.get_data(as_text=True)
    client.send_csrf = True
    assert client.get("/api/documents").get_json() == []


def test_api_tokens_work_without_cookies_and_without_csrf(app, api_headers, seed_bytes):
    headers = api_headers("translator")
    fresh = app.test_client()
    resp = fresh.post("/api/documents", headers=headers, data={
        "file": (io.BytesIO(seed_bytes), "a.txt"), "source_lang": "en", "target_lang": "de",
        "mode": "review",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201
    bad = fresh.get("/api/documents", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and "not valid" in bad.get_json()["message"]


def test_api_login_refuses_bad_bodies_and_wrong_passwords(app):
    make_user(app, "ann", "translator")
    c = app.test_client()
    assert c.post("/api/login", json={"username": "ann"}).status_code == 400
    assert c.post("/api/login", data="x").status_code == 400
    resp = c.post("/api/login", json={"username": "ann", "password": "nope nope nope"})
    assert resp.status_code == 401 and resp.get_json()["message"] == "Wrong user name or password."


def test_resetting_a_password_revokes_tokens_and_sessions(app, anon_client, api_headers):
    headers = api_headers("translator")
    name = "script-translator1"
    assert login(anon_client, name).status_code == 303
    assert anon_client.get("/documents").status_code == 200
    with app.app_context(), get_sessionmaker(app)() as db:
        users.set_password(db, users.find(db, name), "another long password")
    assert app.test_client().get("/api/documents", headers=headers).status_code == 401
    resp = anon_client.get("/documents")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_deactivated_accounts_token_is_refused(app, api_headers):
    headers = api_headers("translator")
    assert app.test_client().get("/api/documents", headers=headers).status_code == 200
    with app.app_context(), get_sessionmaker(app)() as db:
        users.find(db, "script-translator1").active = False
        db.commit()
    resp = app.test_client().get("/api/documents", headers=headers)
    assert resp.status_code == 401 and resp.get_json()["message"] == "The API token is not valid."


@pytest.mark.parametrize("role, status", [("translator", 403), ("editor", 403), ("admin", 200)])
def test_only_admins_manage_users(client_as, role, status):
    c = client_as(role)
    assert c.get("/admin/users").status_code == status
    resp = c.post("/admin/users", data={"username": "newbie", "role": "translator"})
    assert resp.status_code == (303 if status == 200 else 403)


def test_admin_creates_a_user_with_a_one_time_password_and_changes_roles(app, client):
    resp = client.post("/admin/users", data={"username": "bea", "role": "editor"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    password = re.search(r"Password, shown once: ([^\s<]+)", html).group(1)
    assert login(app.test_client(), "bea", password).status_code == 303
    with app.app_context(), get_sessionmaker(app)() as db:
        bea = users.find(db, "bea")
        assert Role(bea.role) == Role.EDITOR
        bea_id = bea.id
    client.post(f"/admin/users/{bea_id}", data={"action": "role", "role": "translator"})
    with app.app_context(), get_sessionmaker(app)() as db:
        assert db.get(User, bea_id).role == Role.TRANSLATOR


def _user_id(app, name: str) -> int:
    """Return the id of the account called `name`."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return users.find(db, name).id


def test_admin_deactivates_and_activates_an_account_on_the_users_page(app, client, client_as):
    bea = client_as("translator", "bea")
    bea_id = _user_id(app, "bea")
    resp = client.post(f"/admin/users/{bea_id}", data={"action": "deactivate"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "bea is deactivated." in html
    assert re.search(r"<td translate=\"no\">bea</td>.*?<td>deactivated</td>", html, re.S)
    # Her open session ends and she cannot log in again.
    assert bea.get("/documents").status_code == 302
    assert login(app.test_client(), "bea").status_code == 401

    resp = client.post(f"/admin/users/{bea_id}", data={"action": "activate"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "bea is active." in html
    assert re.search(r"<td translate=\"no\">bea</td>.*?<td>active</td>", html, re.S)
    assert login(app.test_client(), "bea").status_code == 303


def test_admins_cannot_deactivate_themselves(app, client):
    resp = client.post(f"/admin/users/{_user_id(app, 'ada')}", data={"action": "deactivate"},
                       follow_redirects=True)
    assert "You cannot deactivate yourself." in resp.get_data(as_text=True)
    assert client.get("/documents").status_code == 200


def test_admin_resets_a_password_on_the_users_page(app, client, client_as):
    bea = client_as("translator", "bea")
    resp = client.post(f"/admin/users/{_user_id(app, 'bea')}", data={"action": "reset"},
                       follow_redirects=True)
    password = re.search(r"New password for bea, shown once: ([^\s<]+)",
                         resp.get_data(as_text=True)).group(1)
    assert password != PASSWORD
    assert bea.get("/documents").status_code == 302
    assert login(app.test_client(), "bea").status_code == 401
    assert login(app.test_client(), "bea", password).status_code == 303


@pytest.mark.parametrize("name, password, words", [
    ("ann", "short", "at least 10"),
    ("bad name!", "long enough password", "user name"),
    ("ada", "long enough password", "already"),
])
def test_account_validation(app, client, name, password, words):
    with app.app_context(), get_sessionmaker(app)() as db:
        with pytest.raises(users.UserError, match=words):
            users.create_user(db, name, Role.TRANSLATOR, password)


def test_create_user_reads_the_password_from_stdin_for_scripts(app, runner):
    result = runner.invoke(args=["create-user", "carl", "--role", "editor"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created carl (editor)." in result.output
    assert login(app.test_client(), "carl", "a long enough password").status_code == 303
    assert runner.invoke(args=["set-role", "carl", "admin"]).exit_code == 0
    reset = runner.invoke(args=["reset-password", "carl"])
    assert "New password for carl" in reset.output
    assert runner.invoke(args=["set-role", "nobody", "admin"]).exit_code != 0


def test_first_run_creates_an_admin_with_a_password_printed_once(app, runner):
    first = runner.invoke(args=["seed"])
    match = re.search(r"Created the first account: admin, password (\S+) ", first.output)
    assert match, first.output
    assert login(app.test_client(), "admin", match.group(1)).status_code == 303
    again = runner.invoke(args=["seed"])
    assert "Created the first account" not in again.output


def _counts(app) -> dict:
    """Return the number of rows in every table, to show a refused request changed nothing."""
    from sqlalchemy import func, select

    from webapp.core.models import Base

    with app.app_context(), get_sessionmaker(app)() as db:
        return {t.name: db.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables}


def test_every_route_refuses_roles_below_the_one_it_needs_and_changes_nothing(app, client_as,
                                                                              client):
    client.post("/api/documents", data={
        "file": (io.BytesIO(b"Eins. Zwei."), "a.txt"), "source_lang": "en",
        "target_lang": "de", "mode": "review"}, content_type="multipart/form-data")
    clients = {role: client_as(role) for role in ("translator", "editor")}
    checked = 0
    unguarded = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        needed = getattr(view, "required_role", None)
        if needed is None:
            if rule.endpoint not in {"auth.login", "auth_api.login", "auth.logout", "static",
                                     "vendor", "openapi", "favicon", "i18n_catalogue",
                                     "choose_language"}:
                unguarded.append(rule.endpoint)
            continue
        url = re.sub(r"<(?:int:|path:)?\w+>", "1", rule.rule)
        for role, c in clients.items():
            if Role.from_slug(role) >= needed:
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                before = _counts(app)
                resp = c.open(url, method=method)
                assert resp.status_code == 403, (role, method, url, resp.status_code)
                assert _counts(app) == before, (role, method, url)
                checked += 1
    # Every route but the login itself and static files names the role it needs.
    assert unguarded == []
    assert checked > 20
