"""``flask demo seed`` and ``flask demo accounts``."""

from __future__ import annotations

import importlib

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from accounts.models import User
from core.config import is_development
from core.db import db

demo_cli = AppGroup("demo", help="Demo data for a newcomer's local instance.")

#: each module has ``seed() -> str`` (a one-line summary); order matters (data path)
PARTS = ("demo.accounts", "demo.catalogue", "demo.photos", "demo.hubs", "demo.orders", "demo.coop")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has users.")
def seed(if_empty: bool) -> None:
    """Load realistic French demo data (idempotent: running it twice changes nothing).

    Development only: it creates an admin whose password is published (README)."""
    if not is_development(current_app.config):
        raise click.ClickException(
            "demo data is for a local development instance only (it creates an admin with a "
            "published password): run it with COMPTOIR_ENV=development and a local BASE_URL, "
            "as `make run` does."
        )
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("demo: database not empty, nothing loaded")
        return
    for name in PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        summary = module.seed()
        db.session.commit()
        click.echo(f"demo: {summary}")


@demo_cli.command("accounts")
def accounts() -> None:
    """Print the demo accounts and their password."""
    from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    click.echo("")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for email, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:<28} {email}")
    click.echo("")


@demo_cli.command("jobs")
@click.option("--once", is_flag=True, help="One pass, then stop (tests).")
def jobs(once: bool) -> None:
    """Run the scheduled jobs in the background of `make run` (development only): the e-mail
    outbox every minute (on the console without MAIL_SERVER), expired holds and `operations
    tick` every five minutes, the weekly roll hourly, the monthly statements."""
    from demo.scheduler import Schedule, run_forever, run_once

    if not is_development(current_app.config):
        raise click.ClickException(
            "the background jobs of `make run` are for a local development instance only: in "
            "production, cron runs `flask mail send`, `flask operations tick` and "
            "`flask billing statements` (README)."
        )
    if once:
        from core.timeutils import utcnow

        for line in run_once(Schedule(), utcnow(), click.echo):
            click.echo(f"[jobs] {line}")
        return
    click.echo("[jobs] scheduled jobs running (outbox: /dev/outbox)")
    run_forever(click.echo)


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
