"""``flask users ...``: account administration from the command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from accounts import services
from accounts.errors import WeakPassword

users = AppGroup("users", help="Manage user accounts.")


@users.command("create-admin")
@click.argument("email")
@click.option(
    "--password",
    default=None,
    help="The password (asked for when creating an account if not given).",
)
def create_admin(email: str, password: str | None) -> None:
    """Create a confirmed platform admin, or promote the account with this e-mail address."""
    exists = services.find_live_user(email) is not None
    if password is None and not exists:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, created = services.create_admin(email, password)
    except WeakPassword as exc:
        raise click.ClickException(str(exc.message)) from exc
    verb = "created" if created else "promoted"
    click.echo(f"Admin {user.email} {verb} (id {user.id}).")


@users.command("purge-login-attempts")
def purge_login_attempts() -> None:
    """Delete login attempts older than a day, expired login records and old rate-limit hits
    (run daily from cron)."""
    click.echo(f"{services.purge_login_attempts()} login attempt(s) deleted.")


def register(app: Flask) -> None:
    app.cli.add_command(users)
