"""``flask cycles roll`` (cron), ``flask hubs load-postcodes`` and ``flask hubs
purge-requests`` (cron)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from core.timeutils import to_local

cycles_cli = AppGroup("cycles", help="Order cycles.")
hubs_cli = AppGroup("hubs", help="Hubs.")


@cycles_cli.command("roll")
def roll() -> None:
    """Create next week's cycle of every "repeat weekly" cycle (idempotent; run it from cron,
    e.g. hourly: ``5 * * * * flask cycles roll``)."""
    from cycles.services import roll_weekly_cycles

    created = roll_weekly_cycles()
    for cycle in created:
        click.echo(
            f"cycles: rolled #{cycle.rolled_from_id} -> #{cycle.id} {cycle.name!r} "
            f"opens {to_local(cycle.opens_at):%Y-%m-%d %H:%M %z}"
        )
    click.echo(f"cycles: {len(created)} cycle(s) created")


@hubs_cli.command("load-postcodes")
@click.option(
    "--department",
    "departments",
    multiple=True,
    help="Only these departments (repeatable, e.g. --department 35). Default: all of France.",
)
def load_postcodes_cmd(departments: tuple[str, ...]) -> None:
    """Load the shipped French postcode table (open data, no network) into ``postcodes``."""
    from hubs.services import load_postcodes

    count = load_postcodes(departments=departments or None)
    click.echo(f"hubs: {count} postcode rows loaded")


@hubs_cli.command("purge-requests")
def purge_requests_cmd() -> None:
    """Delete the requests for a hub older than their retention (run it daily from cron)."""
    from hubs.services import purge_hub_requests

    click.echo(f"hubs: {purge_hub_requests()} request(s) for a hub deleted")


def register(app: Flask) -> None:
    app.cli.add_command(cycles_cli)
    app.cli.add_command(hubs_cli)
