"""``flask payments retry-refunds`` (cron, every few minutes): refunds Stripe has not taken yet."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Payments: scheduled jobs.")


@payments_cli.command("retry-refunds")
@click.option("--limit", default=100, show_default=True, help="Refunds sent at most per run.")
def retry_refunds(limit: int) -> None:
    """Send the pending refunds (Stripe was unreachable when they were made) again."""
    from payments.services import retry_pending_refunds

    counts = retry_pending_refunds(limit=limit)
    click.echo(
        f"refunds: {counts['succeeded']} done, {counts['pending']} still pending, "
        f"{counts['failed']} refused"
    )


def register(app: Flask) -> None:
    app.cli.add_command(payments_cli)
