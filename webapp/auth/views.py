"""The login gate (session or token, CSRF), logging in and out, My account and the user admin."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import refresh
from flask_limiter import RateLimitExceeded
from sqlalchemy import select

from webapp.auth import users
from webapp.auth.throttle import client_key, name_key
from webapp.auth.users import UserError
from webapp.core.access import csrf_ok, csrf_token, require_role
from webapp.core.db import get_db
from webapp.core.http import error_json, get_or_404, local_path
from webapp.core.i18n import LANGUAGES, autonym
from webapp.core.messages import _l, _ln
from webapp.core.models import User
from webapp.core.states import Role, RoleError

bp = Blueprint("auth", __name__)

# Endpoints anyone may reach: the login itself and the files the login page needs.
PUBLIC = {"auth.login", "auth_api.login", "static", "vendor", "openapi", "favicon",
          "i18n_catalogue", "choose_language"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def load_user() -> None:
    """Find who is asking (bearer token or server-side session) and enforce login and CSRF."""
    g.user = None
    g.via_token = False
    g.api_token = None
    g.login_session = None
    header = request.headers.get("Authorization", "")
    db = get_db()
    if header.startswith("Bearer "):
        token = users.token_for(db, header[7:].strip())
        if token is None:
            return unauthorised("The API token is not valid.")
        g.user, g.api_token, g.via_token = token.user, token, True
    elif session.get("sid") is not None or "uid" in session:
        # The cookie only names the session; the server decides whether it still lives
        # (logout, a password reset, deactivation or an admin end it).
        sid = session.get("sid")
        record = users.session_for(db, sid) if isinstance(sid, str) else None
        if record is not None:
            g.user, g.login_session = record.user, record
        else:
            session.clear()
    if request.endpoint in PUBLIC or request.endpoint is None:
        return None
    if g.user is None:
        return unauthorised("Log in first.")
    # Token requests carry no cookie a forged page could ride on, so only sessions need CSRF.
    if request.method in UNSAFE and not g.via_token:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not csrf_ok(sent):
            abort(403, _l("The form has expired or did not come from this site; reload the page."))
    return None


def unauthorised(message: str):
    """Answer an anonymous request: JSON 401 for the API, the login page otherwise."""
    if request.path.startswith("/api/"):
        return error_json(401, message, "login_required", error="Unauthorized")
    if request.headers.get("HX-Request"):
        resp = current_app.response_class(status=401)
        resp.headers["HX-Redirect"] = url_for("auth.login", next=request.path)
        return resp
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# The login rate limits read their key from g, not from a closure: Flask-Limiter keeps one
# definition per code location for every thread, so a closure would leak between requests.
def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _name_limit() -> str:
    return current_app.config["LOGIN_NAME_LIMIT"]


def _name_and_address() -> str:
    return client_key(g.login_name, request.remote_addr)


def _name_only() -> str:
    return name_key(g.login_name)


def attempt(username: str, password: str) -> tuple[User | None, str | None, int]:
    """Check a login against the rate limits, then the password; return (user, error, status).

    Each attempt is counted before the password is checked, in one atomic step of the shared
    store, so parallel attempts cannot get more checks than the limit; a success clears the
    counters of its name and address, as if the failures before it had not happened.
    """
    limiter = current_app.extensions["webapp.limiter"]
    g.login_name = username or ""
    g.retry_after = None
    counted = []
    try:
        with limiter.shared_limit(_login_limit, scope="login", key_func=_name_and_address):
            counted += limiter.current_limits
        with limiter.shared_limit(_name_limit, scope="login-name", key_func=_name_only):
            counted += limiter.current_limits
    except RateLimitExceeded:
        breached = limiter.current_limit
        g.retry_after = max(1, int(breached.reset_at - time.time())) if breached else 60
        return None, _l("Too many failed logins. Try again in %(seconds)s s.",
                        seconds=g.retry_after), 429
    user = users.authenticate(get_db(), username, password)
    if user is None:
        return None, _l("Wrong user name or password."), 401
    for counter in counted:
        limiter.limiter.clear(counter.limit, *counter.request_args)
    return user, None, 200


def _start_session(user: User) -> None:
    """Log the user in on this browser: a new server-side session, a new cookie and CSRF token."""
    session.clear()
    sid, record = users.start_session(get_db(), user, current_app.permanent_session_lifetime,
                                      request.user_agent.string)
    session["sid"] = sid
    session.permanent = True
    g.user, g.login_session = user, record
    csrf_token()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log in."""
    error, status = None, 200
    if request.method == "POST":
        if not csrf_ok(request.form.get("csrf_token")):
            error, status = _l("The login form expired; try again."), 400
        else:
            user, error, status = attempt(request.form.get("username", ""),
                                          request.form.get("password", ""))
            if user is not None:
                _start_session(user)
                return redirect(local_path(request.args.get("next")), code=303)
    resp = current_app.make_response((render_template("auth/login.html", error=error), status))
    if g.get("retry_after"):
        resp.headers["Retry-After"] = str(g.retry_after)
    return resp


@bp.post("/logout")
def logout():
    """Log out of this browser: the session ends on the server too."""
    sid = session.get("sid")
    if isinstance(sid, str):
        users.end_session(get_db(), sid)
    session.clear()
    return redirect(url_for("auth.login"), code=303)


def _show_once(message: str, endpoint: str):
    """Show a secret (a new password or token) once: kept on the server, never in the cookie."""
    if g.login_session is None:
        # A bearer-token client has no session to keep it for: answer it now.
        return render_template("auth/shown_once.html", message=message)
    # Stored as this person reads it now: the next page shows it as it is.
    users.show_once(get_db(), g.login_session, str(message))
    return redirect(url_for(endpoint), code=303)


@bp.get("/account")
@require_role(Role.TRANSLATOR)
def account():
    """Show my browser sessions and API tokens, to end or revoke them."""
    db = get_db()
    return render_template(
        "auth/account.html", shown_once=users.pop_shown_once(db, g.login_session),
        sessions=users.sessions_of(db, g.user), tokens=users.tokens_of(db, g.user),
        current_session=g.login_session, current_token=g.api_token,
    )


@bp.post("/account/language")
@require_role(Role.TRANSLATOR)
def account_language():
    """Set my interface language, or "" to follow the browser's (Accept-Language) again."""
    choice = request.form.get("locale", "")
    if choice and choice not in LANGUAGES:
        abort(400, _l("Unknown language."))
    g.user.locale = choice or None
    # This browser's own choice (the header's switch) would otherwise outrank "automatic".
    session.pop("locale", None)
    if choice:
        session["locale"] = choice
    get_db().commit()
    refresh()  # the message below, and the next page, in the language just chosen
    flash(str(_l("The interface language is now %(language)s.", language=autonym(choice))
              if choice else _l("The interface language now follows your browser.")), "ok")
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/tokens")
@require_role(Role.TRANSLATOR)
def token_create():
    """Issue an API token for me, shown once."""
    days = current_app.config["API_TOKEN_DAYS"]
    label = " ".join(request.form.get("label", "").split())[:80]
    token, _row = users.issue_token(get_db(), g.user, timedelta(days=days), label)
    return _show_once(_ln("Your new API token, shown once (valid %(n)s day): %(token)s",
                          "Your new API token, shown once (valid %(n)s days): %(token)s",
                          days, token=token), "auth.account")


@bp.post("/account/tokens/<int:token_id>/revoke")
@require_role(Role.TRANSLATOR)
def token_revoke(token_id: int):
    """Revoke one of my API tokens."""
    if not users.revoke_token(get_db(), g.user, token_id):
        abort(404, _l("You have no API token %(id)s.", id=str(token_id)))
    flash(str(_l("The token is revoked.")), "ok")
    return redirect(url_for("auth.account"), code=303)


@bp.post("/account/sessions/end-others")
@require_role(Role.TRANSLATOR)
def sessions_end_others():
    """Log me out of every other browser."""
    ended = users.end_sessions(get_db(), g.user, keep=g.login_session)
    flash(str(_ln("Logged out of %(n)s other browser.", "Logged out of %(n)s other browsers.",
                  ended)), "ok")
    return redirect(url_for("auth.account"), code=303)


@bp.get("/admin/users")
@require_role(Role.ADMIN)
def user_list():
    """List the accounts and offer to add one."""
    db = get_db()
    accounts = db.scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", accounts=accounts, Role=Role,
                           shown_once=users.pop_shown_once(db, g.login_session))


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
    return _show_once(_l("Created %(name)s (%(role)s). Password, shown once: %(password)s",
                         name=user.username, role=role.label, password=password),
                      "auth.user_list")


@bp.post("/admin/users/<int:user_id>")
@require_role(Role.ADMIN)
def user_update(user_id: int):
    """Change an account's role, reset its password, log it out everywhere or (de)activate it."""
    db = get_db()
    user = get_or_404(User, user_id, "user")
    action = request.form.get("action")
    try:
        if action == "role":
            users.set_role(db, user, Role.from_slug(request.form.get("role", "")))
            flash(str(_l("%(name)s is now %(role)s.", name=user.username,
                         role=Role(user.role).label)), "ok")
        elif action == "reset":
            password = users.random_password()
            # Resetting one's own password keeps this browser logged in, to read it.
            users.set_password(db, user, password,
                               keep=g.login_session if user.id == g.user.id else None)
            return _show_once(_l("New password for %(name)s, shown once: %(password)s",
                                 name=user.username, password=password), "auth.user_list")
        elif action == "log-out":
            ended = users.log_out_everywhere(db, user)
            flash(str(_l("%(name)s is logged out everywhere (%(ended)s sessions and tokens "
                         "ended).", name=user.username, ended=ended)), "ok")
        elif action in ("activate", "deactivate"):
            if user.id == g.user.id:
                raise UserError(_l("You cannot deactivate yourself."))
            users.set_active(db, user, action == "activate")
            flash(str(_l("%(name)s is active.", name=user.username) if user.active
                      else _l("%(name)s is deactivated.", name=user.username)), "ok")
        else:
            abort(400, _l("Unknown action."))
    except (UserError, RoleError) as exc:
        db.rollback()
        flash(str(exc), "error")
    return redirect(url_for("auth.user_list"), code=303)
