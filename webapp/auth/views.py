"""Logging in and who may do what: sessions, API tokens, CSRF, roles, the user admin."""

from __future__ import annotations

import secrets
import sys
import threading
import time

import click
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import with_appcontext

from webapp.auth import users
from webapp.auth.users import UserError
from webapp.core import openapi
from webapp.core.access import csrf_token, may, require_role
from webapp.core.db import get_db, get_sessionmaker
from webapp.core.models import User
from webapp.core.states import Role, RoleError

bp = Blueprint("auth", __name__)

# Endpoints anyone may reach: the login itself and the files the login page needs.
PUBLIC = {"auth.login", "auth.api_login", "static", "editor.vendor", "api.openapi"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Throttle:
    """Slows down guessing: after a few failures a name or address must wait, doubling."""

    def __init__(self, free: int = 5, base: float = 2.0, cap: float = 300.0):
        self.free, self.base, self.cap = free, base, cap
        self.failures: dict[str, tuple[int, float]] = {}
        self.lock = threading.Lock()

    def wait_for(self, key: str) -> float:
        """Return how many seconds `key` must still wait before trying again."""
        with self.lock:
            count, last = self.failures.get(key, (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(self.cap, self.base * 2 ** (count - self.free))
        return max(0.0, last + delay - time.monotonic())

    def failed(self, key: str) -> None:
        """Count a failed attempt."""
        with self.lock:
            count, _ = self.failures.get(key, (0, 0.0))
            self.failures[key] = (count + 1, time.monotonic())

    def succeeded(self, key: str) -> None:
        """Forget the failures of `key`."""
        with self.lock:
            self.failures.pop(key, None)


def _load_user() -> None:
    """Find who is asking (bearer token or session) and enforce login and CSRF."""
    g.user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    db = get_db()
    if header.startswith("Bearer "):
        g.user = users.user_for_token(db, header[7:].strip())
        g.via_token = g.user is not None
        if g.user is None:
            return _unauthorised("The API token is not valid.")
    elif session.get("uid") is not None:
        user = db.get(User, session["uid"])
        if user is not None and user.active and session.get("pw") == user.password_hash[-16:]:
            g.user = user
        else:
            session.clear()
    if request.endpoint in PUBLIC or request.endpoint is None:
        return None
    if g.user is None:
        return _unauthorised("Log in first.")
    # Token requests carry no cookie a forged page could ride on, so only sessions need CSRF.
    if request.method in UNSAFE and not g.via_token:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
            abort(403, "The form has expired or did not come from this site; reload the page.")
    return None


def _unauthorised(message: str):
    """Answer an anonymous request: JSON 401 for the API, the login page otherwise."""
    if request.path.startswith("/api/"):
        return jsonify({"error": "Unauthorized", "message": message}), 401
    if request.headers.get("HX-Request"):
        resp = current_app.response_class(status=401)
        resp.headers["HX-Redirect"] = url_for("auth.login", next=request.path)
        return resp
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _throttle_key(username: str) -> list[str]:
    """Return the keys a login attempt is counted under."""
    return [f"user:{username.lower()}", f"ip:{request.remote_addr}"]


def _attempt_login(username: str, password: str) -> tuple[User | None, str | None, int]:
    """Check a login, applying the throttle; return (user, error, status)."""
    throttle: Throttle = current_app.extensions["webapp.throttle"]
    keys = _throttle_key(username or "")
    wait = max(throttle.wait_for(k) for k in keys)
    if wait > 0:
        return None, f"Too many failed logins. Try again in {int(wait) + 1} s.", 429
    user = users.authenticate(get_db(), username, password)
    if user is None:
        for k in keys:
            throttle.failed(k)
        return None, "Wrong user name or password.", 401
    for k in keys:
        throttle.succeeded(k)
    return user, None, 200


def _start_session(user: User) -> None:
    """Log the user in on this browser, with a fresh session."""
    session.clear()
    session["uid"] = user.id
    # Changing the password ends sessions elsewhere: they carry a piece of the old hash.
    session["pw"] = user.password_hash[-16:]
    session.permanent = True
    csrf_token()


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("editor.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log in."""
    error, status = None, 200
    if request.method == "POST":
        if not secrets.compare_digest(request.form.get("csrf_token", ""),
                                      session.get("csrf", "")):
            error, status = "The login form expired; try again.", 400
        else:
            user, error, status = _attempt_login(request.form.get("username", ""),
                                                 request.form.get("password", ""))
            if user is not None:
                _start_session(user)
                return redirect(_safe_next(request.args.get("next")), code=303)
    return render_template("auth/login.html", error=error), status


@bp.post("/logout")
def logout():
    """Log out of this browser."""
    session.clear()
    return redirect(url_for("auth.login"), code=303)


@bp.post("/api/login")
def api_login():
    """Exchange a user name and password for an API token."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) for k in ("username", "password")
    ):
        return jsonify({"error": "Bad Request",
                        "message": "Send {\"username\": …, \"password\": …} as JSON."}), 400
    user, error, status = _attempt_login(body["username"], body["password"])
    if user is None:
        return jsonify({"error": "Unauthorized", "message": error}), status
    return jsonify({"token": users.issue_token(get_db(), user), "user": user.to_dict()})


@bp.get("/admin/users")
@require_role(Role.ADMIN)
def user_list():
    """List the accounts and offer to add one."""
    from sqlalchemy import select
    accounts = get_db().scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", accounts=accounts, Role=Role)


@bp.post("/admin/users")
@require_role(Role.ADMIN)
def user_create():
    """Create an account with a random password shown once."""
    db = get_db()
    password = users.random_password()
    try:
        role = Role.from_slug(request.form.get("role", ""))
        user = users.create_user(db, request.form.get("username", ""), role, password)
    except (UserError, RoleError) as exc:
        db.rollback()
        flash(str(exc), "error")
        return redirect(url_for("auth.user_list"), code=303)
    flash(f"Created {user.username} ({role.slug}). Password, shown once: {password}", "ok")
    return redirect(url_for("auth.user_list"), code=303)


@bp.post("/admin/users/<int:user_id>")
@require_role(Role.ADMIN)
def user_update(user_id: int):
    """Change an account's role, reset its password, or (de)activate it."""
    db = get_db()
    user = db.get(User, user_id)
    if user is None:
        abort(404, f"There is no user {user_id}.")
    action = request.form.get("action")
    try:
        if action == "role":
            users.set_role(db, user, Role.from_slug(request.form.get("role", "")))
            flash(f"{user.username} is now {Role(user.role).slug}.", "ok")
        elif action == "reset":
            password = users.random_password()
            users.set_password(db, user, password)
            flash(f"New password for {user.username}, shown once: {password}", "ok")
        elif action in ("activate", "deactivate"):
            if user.id == g.user.id:
                raise UserError("You cannot deactivate yourself.")
            user.active = action == "activate"
            db.commit()
            flash(f"{user.username} is {'active' if user.active else 'deactivated'}.", "ok")
        else:
            abort(400, "Unknown action.")
    except (UserError, RoleError) as exc:
        db.rollback()
        flash(str(exc), "error")
    return redirect(url_for("auth.user_list"), code=303)


def _read_password(prompt: bool) -> str:
    """Read a password from stdin when piped, otherwise ask twice without echo."""
    if not sys.stdin.isatty() and not prompt:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.slug for r in Role]), default="translator",
              show_default=True)
@click.option("--random-password", is_flag=True, help="Generate a password and print it once.")
@with_appcontext
def create_user_command(username: str, role: str, random_password: bool) -> None:
    """Create an account; the password comes from standard input when it is not a terminal."""
    password = users.random_password() if random_password else _read_password(False)
    with get_sessionmaker()() as db:
        try:
            user = users.create_user(db, username, Role.from_slug(role), password)
        except (UserError, RoleError) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.username} ({role}).")
    if random_password:
        click.echo(f"Password (shown once): {password}")


@click.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.slug for r in Role]))
@with_appcontext
def set_role_command(username: str, role: str) -> None:
    """Change a user's role."""
    with get_sessionmaker()() as db:
        user = users.find(db, username)
        if user is None:
            raise click.ClickException(f"There is no user {username}.")
        users.set_role(db, user, Role.from_slug(role))
    click.echo(f"{username} is now {role}.")


@click.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_password_command(username: str) -> None:
    """Give a user a new random password (printed once) and revoke their API tokens."""
    password = users.random_password()
    with get_sessionmaker()() as db:
        user = users.find(db, username)
        if user is None:
            raise click.ClickException(f"There is no user {username}.")
        users.set_password(db, user, password)
    click.echo(f"New password for {username} (shown once): {password}")


def ensure_admin(db) -> str | None:
    """Create the first admin with a random password when there is no account; return it."""
    if users.count(db):
        return None
    password = users.random_password()
    users.create_user(db, "admin", Role.ADMIN, password)
    return password


openapi.register({
    "/api/login": {
        "post": {
            "summary": "Exchange a user name and password for a bearer token",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
            }}}},
            "responses": {
                "200": {"description": "A token for `Authorization: Bearer …`",
                        "content": {"application/json": {"schema": {
                            "type": "object", "required": ["token"],
                            "properties": {"token": {"type": "string"},
                                           "user": {"type": "object"}}}}}},
                "400": {"description": "Malformed body", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Wrong user name or password", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "429": {"description": "Too many failed logins", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    },
})


def init_app(app: Flask) -> None:
    """Install the login gate, CSRF check, login pages, user admin and CLI commands."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    # Flask's default is None (no attribute); Lax keeps the cookie off cross-site posts.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.extensions["webapp.throttle"] = Throttle(
        free=app.config.get("LOGIN_FREE_ATTEMPTS", 5),
        base=app.config.get("LOGIN_THROTTLE_SECONDS", 2.0),
    )
    users.HASH_METHOD = app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    app.register_blueprint(bp)
    app.before_request(_load_user)
    app.jinja_env.globals.update(csrf_token=csrf_token, may=may, Role=Role,
                                 current_user=lambda: g.get("user"))
    for command in (create_user_command, set_role_command, reset_password_command):
        app.cli.add_command(command)
    app.register_error_handler(401, lambda _err: _unauthorised("Log in first."))
