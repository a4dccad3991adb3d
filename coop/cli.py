"""``flask billing statements --month YYYY-MM``: build the monthly statements of an ended month."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core.timeutils import utcnow

billing_cli = AppGroup("billing", help="Monthly statements of the cooperative.")


@billing_cli.command("statements")
@click.option(
    "--month",
    "month_text",
    default=None,
    help="The month to build, YYYY-MM (default: the last month that ended).",
)
def statements(month_text: str | None) -> None:
    """Build the statements of an ended month (idempotent: a built month is not rebuilt)."""
    from coop.billing.statements import (
        BadMonth,
        MonthNotEnded,
        build_statements,
        last_ended_month,
        parse_month,
    )

    now = utcnow()
    try:
        month = parse_month(month_text) if month_text is not None else last_ended_month(now)
    except BadMonth as exc:
        raise click.BadParameter(str(exc.message), param_hint="--month") from exc
    try:
        built = build_statements(month, now)
    except MonthNotEnded as exc:
        raise click.BadParameter(str(exc.message), param_hint="--month") from exc
    numbers = ", ".join(s.number for s in built)
    click.echo(
        f"{month:%Y-%m}: {len(built)} statement(s) built" + (f": {numbers}" if numbers else "")
    )


def register(app: Flask) -> None:
    app.cli.add_command(billing_cli)
