"""``flask mail send`` (cron, every minute), ``flask mail purge`` (daily) and ``flask mail failed``:
the e-mail outbox."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from core.db import db
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import alert_admins_of_failures, deliver_pending, purge_old_copies

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def send(limit: int) -> None:
    """Send the e-mails that are due (failed ones are retried with a growing delay for three
    days), then tell the platform admins about messages given up since the last alert."""
    sent = deliver_pending(limit=limit)
    click.echo(f"sent {sent} e-mail(s)")
    if alert_admins_of_failures():
        click.echo("queued an alert to the platform admins about e-mails that were given up")


@mail_cli.command("failed")
@click.option("--limit", default=50, show_default=True)
def failed(limit: int) -> None:
    """List the e-mails that were given up, newest first, with the reason."""
    rows = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.failed)
        .order_by(OutboundEmail.next_attempt_at.desc(), OutboundEmail.id.desc())
        .limit(limit)
    )
    for message in rows:
        click.echo(
            f"{message.id}\t{message.next_attempt_at:%Y-%m-%d %H:%M}\t{message.to_email}\t"
            f"{message.kind}\t{message.last_error}"
        )


@mail_cli.command("purge")
def purge() -> None:
    """Delete the copies of e-mails sent or given up more than 90 days ago (run daily)."""
    click.echo(f"{purge_old_copies()} e-mail copy(ies) deleted.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
