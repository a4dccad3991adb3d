"""``flask orders release-expired`` (cron, every few minutes)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core.timeutils import utcnow

orders_cli = AppGroup("orders", help="Orders: scheduled jobs.")


@orders_cli.command("release-expired")
def release_expired() -> None:
    """Cancel card orders whose payment never came before the hold expired; free their stock."""
    from orders.services import release_expired_holds

    count = release_expired_holds(utcnow())
    click.echo(f"released {count} expired order hold(s)")


def register(app: Flask) -> None:
    app.cli.add_command(orders_cli)
