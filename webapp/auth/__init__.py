"""Accounts and access: logging in, sessions, API tokens, CSRF, roles and the user admin."""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Install the login gate, CSRF check, login rate limit, pages, user admin and commands."""
    from webapp.auth import api, cli, users, views
    from webapp.core.access import csrf_token, may
    from webapp.core.states import Role

    app.config["SESSION_COOKIE_HTTPONLY"] = True
    # Flask's default is None (no attribute); Lax keeps the cookie off cross-site posts.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config.get("WEBAPP_ENV") == "production"
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # The client's address is the one the last `proxies` proxies saw; without this every
        # user behind the proxy shares its address, and with a larger count a client could
        # claim any address in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.extensions["webapp.limiter"] = _limiter(app)
    users.HASH_METHOD = app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.before_request(views.load_user)
    app.jinja_env.globals.update(csrf_token=csrf_token, may=may, Role=Role,
                                 current_user=lambda: g.get("user"))
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    app.register_error_handler(401, lambda _err: views.unauthorised("Log in first."))


def _limiter(app: Flask) -> Limiter:
    """Return Flask-Limiter on a store every worker shares: Redis if there is one, else the
    database (RATELIMIT_STORAGE_URI overrides; memory:// is right for one process only)."""
    from webapp.auth import throttle

    uri = (app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL")
           or f"{throttle.SCHEME}://")
    options = {"engine": app.extensions["webapp.engine"]} if uri.startswith(throttle.SCHEME) else {}
    limiter = Limiter(
        key_func=lambda: request.remote_addr or "unknown",
        storage_uri=uri, storage_options=options, strategy="fixed-window",
        # One installation's counters apart from another's on a shared Redis.
        key_prefix=f"{app.config.get('RQ_QUEUE') or 'webapp'}-login",
    )
    limiter.init_app(app)
    store = uri.split("://", 1)[0]
    app.logger.info("Login rate limit counted in %s%s.", store,
                    " (this process only)" if store == "memory" else " (shared by all workers)")
    return limiter
