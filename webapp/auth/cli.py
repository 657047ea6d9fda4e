"""Account commands: create-user, set-role, reset-password and log-out-everywhere."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from webapp.auth import users
from webapp.auth.users import UserError
from webapp.core.db import get_sessionmaker
from webapp.core.models import User
from webapp.core.states import Role, RoleError


def _read_password(prompt: bool) -> str:
    """Read a password from stdin when piped, otherwise ask twice without echo."""
    if not sys.stdin.isatty() and not prompt:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user(db: Session, username: str) -> User:
    """Return the account called `username` (any case), or stop with a message."""
    user = users.find(db, username)
    if user is None:
        raise click.ClickException(f"There is no user {username}.")
    return user


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
        users.set_role(db, _user(db, username), Role.from_slug(role))
    click.echo(f"{username} is now {role}.")


@click.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_password_command(username: str) -> None:
    """Give a user a new random password (printed once), ending their sessions and API tokens."""
    password = users.random_password()
    with get_sessionmaker()() as db:
        users.set_password(db, _user(db, username), password)
    click.echo(f"New password for {username} (shown once): {password}")


@click.command("log-out-everywhere")
@click.argument("username")
@with_appcontext
def log_out_everywhere_command(username: str) -> None:
    """End all of a user's browser sessions and revoke their API tokens."""
    with get_sessionmaker()() as db:
        ended = users.log_out_everywhere(db, _user(db, username))
    click.echo(f"{username} is logged out everywhere ({ended} sessions and tokens ended).")


COMMANDS = (create_user_command, set_role_command, reset_password_command,
            log_out_everywhere_command)
