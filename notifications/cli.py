"""``flask mail send``: deliver queued e-mails (run from cron every minute)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from notifications.services import deliver_pending

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def send(limit: int) -> None:
    """Send the e-mails that are due (failed ones are retried with a growing delay)."""
    total = 0
    while True:
        sent = deliver_pending(limit=min(limit - total, 100))
        total += sent
        if sent == 0 or total >= limit:
            break
    click.echo(f"sent {total} e-mail(s)")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
