"""``flask operations tick``: cycle-open notices, producer order lists, pickup reminders,
cycle-closing reminders."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup

from core.timeutils import utcnow

operations_cli = AppGroup("operations", help="Scheduled work of hubs and producers.")


@operations_cli.command("tick")
@click.option(
    "--now",
    "at",
    default=None,
    help="Act as if it were this instant (ISO 8601 with offset; tests and catching up).",
)
def tick(at: str | None) -> None:
    """Queue the notices that are due (each sent once); run every 5 minutes from cron."""
    from operations.jobs import run_tick

    now = utcnow() if at is None else datetime.fromisoformat(at)
    if now.tzinfo is None:
        raise click.BadParameter("give a time zone offset, e.g. 2026-11-24T18:05:00+01:00")
    counts = run_tick(now)
    click.echo(
        f"open notices: {counts.open_notices}, producer lists: {counts.producer_lists}, "
        f"pickup reminders: {counts.pickup_reminders}, "
        f"closing reminders: {counts.closing_reminders}"
    )


def register(app: Flask) -> None:
    app.cli.add_command(operations_cli)
