"""``flask dfc export-orders --cycle ID``, ``flask dfc export-catalog --enterprise ID`` (a DFC
JSON-LD document on standard output, streamed) and ``flask dfc import-catalog FILE
--enterprise ID`` (all or nothing; the problems on standard error, exit status 1)."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

dfc_cli = AppGroup("dfc", help="Data Food Consortium (DFC) exports and imports.")


def _urls():
    from interop.urls import DfcUrls

    return DfcUrls.of(current_app.config["BASE_URL"])


def _write(records) -> None:
    from interop.views import buffered, document_chunks

    out = sys.stdout
    for chunk in buffered(document_chunks(records)):
        out.write(chunk)
    out.flush()


@dfc_cli.command("export-orders")
@click.option("--cycle", "cycle_id", type=int, required=True, help="The order cycle's id.")
@click.option("--producer", "producer_id", type=int, help="Only this producer's lines.")
def export_orders(cycle_id: int, producer_id: int | None) -> None:
    """Write the orders of a cycle as a DFC document (one Order per order, its lines, buyer,
    pickup option, offers and the SaleSession). With --producer: that producer's view."""
    from core.db import db
    from cycles.models import OrderCycle
    from interop.exports import OrderScope, iter_cycle_order_records

    cycle = db.session.get(OrderCycle, cycle_id)
    if cycle is None:
        raise click.ClickException(f"no cycle {cycle_id}")
    _write(iter_cycle_order_records(OrderScope(cycle=cycle, producer_id=producer_id), _urls()))


@dfc_cli.command("export-catalog")
@click.option("--enterprise", "enterprise_id", type=int, required=True, help="The producer.")
def export_catalog(enterprise_id: int) -> None:
    """Write a producer's catalogue (active products) as a DFC document."""
    from core.db import db
    from enterprises.models import Enterprise
    from interop.exports import enterprise_records, iter_catalog_records

    producer = db.session.get(Enterprise, enterprise_id)
    if producer is None or not producer.is_producer:
        raise click.ClickException(f"no producer {enterprise_id}")
    urls = _urls()
    _write(
        [*enterprise_records(producer, urls, private=False), *iter_catalog_records(producer, urls)]
    )


@dfc_cli.command("import-catalog")
@click.argument("file", type=click.File("rb"))
@click.option("--enterprise", "enterprise_id", type=int, required=True, help="The producer.")
@click.option("--dry-run", is_flag=True, help="Check only: show what would change.")
def import_catalog(file, enterprise_id: int, dry_run: bool) -> None:
    """Import a DFC catalogue into a producer's products: every valid one, update by @id."""
    from core.db import db
    from enterprises.models import Enterprise
    from interop import imports

    producer = db.session.get(Enterprise, enterprise_id)
    if producer is None or not producer.is_producer:
        raise click.ClickException(f"no producer {enterprise_id}")
    data = file.read()
    try:
        if dry_run:
            preview = imports.check_import(producer, None, data, store=False)
            if not preview.rows:
                raise imports.DfcImportRejected(preview.errors)
            summary, refused, warnings = preview.summary, preview.errors, preview.warnings
        else:
            summary, refused, warnings = imports.import_catalogue(producer, data)
    except imports.DfcDocumentRefused as exc:
        db.session.rollback()
        problem = exc.problem
        raise click.ClickException(
            f"{problem.code} ({problem.node_id or '-'}): {problem.message}"
        ) from None
    except imports.DfcImportRejected as exc:
        db.session.rollback()
        for problem in exc.errors:
            click.echo(
                f"refused {problem.code} ({problem.node_id or '-'}): {problem.message}", err=True
            )
        raise click.ClickException(f"{len(exc.errors)} error(s): nothing was imported") from None
    for problem in refused:
        click.echo(
            f"refused {problem.code} ({problem.node_id or '-'}): {problem.message}", err=True
        )
    for warning in warnings:
        click.echo(f"note {warning.code} ({warning.node_id or '-'}): {warning.message}", err=True)
    verb = "would import" if dry_run else "imported"
    click.echo(
        f"dfc: {verb} {summary.new_products} new product(s), {summary.updated_products} updated; "
        f"{summary.new_variants} new variant(s), {summary.updated_variants} updated; "
        f"{summary.refused} refused; {summary.deactivated_variants} variant(s) switched off"
    )


@dfc_cli.command("import-enterprise")
@click.argument("file", type=click.File("rb"))
@click.option("--enterprise", "enterprise_id", type=int, help="Update this enterprise.")
@click.option("--owner", "owner_email", help="Create a producer owned by this account.")
@click.option("--node", "node_id", help="The @id of the enterprise, when the document has several.")
def import_enterprise(file, enterprise_id: int | None, owner_email: str | None, node_id) -> None:
    """Create or update a producer's profile and address from a DFC enterprise document."""
    from sqlalchemy import select

    from accounts.models import User
    from core.db import db
    from enterprises.models import Enterprise
    from interop import enterprise_import, imports

    if (enterprise_id is None) == (owner_email is None):
        raise click.UsageError("give --enterprise ID or --owner EMAIL")
    target = db.session.get(Enterprise, enterprise_id) if enterprise_id is not None else None
    owner = None
    if owner_email is not None:
        owner = db.session.scalar(select(User).where(User.email == owner_email.lower()))
        if owner is None:
            raise click.ClickException(f"no account {owner_email}")
    elif target is None:
        raise click.ClickException(f"no enterprise {enterprise_id}")
    try:
        result = enterprise_import.import_enterprise(
            file.read(), target=target, owner=owner, node_id=node_id
        )
    except imports.DfcDocumentRefused as exc:
        problem = exc.problem
        raise click.ClickException(
            f"{problem.code} ({problem.node_id or '-'}): {problem.message}"
        ) from None
    except imports.DfcImportRejected as exc:
        for problem in exc.errors:
            click.echo(f"refused {problem.code}: {problem.message}", err=True)
        raise click.ClickException("nothing was imported") from None
    for problem in result.refused:
        click.echo(f"refused {problem.detail}: {problem.message}", err=True)
    for note in result.notes:
        click.echo(f"note {note.code}: {note.message}", err=True)
    verb = "created" if result.created else "updated"
    click.echo(f"dfc: {verb} enterprise {result.enterprise_id} ({result.name})")


webhooks_cli = AppGroup("webhooks", help="Outbound webhooks (interop.webhooks).")


@webhooks_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def webhooks_send(limit: int) -> None:
    """Send the webhook deliveries that are due (cron, every minute); failed ones are retried
    with a growing delay, then given up (``flask webhooks failed``)."""
    from interop.webhooks import deliver_pending

    click.echo(f"delivered {deliver_pending(limit=limit)} webhook(s)")


@webhooks_cli.command("subscribe")
@click.option("--url", required=True, help="https:// address that receives the POSTs.")
@click.option("--enterprise", "enterprise_id", type=int, help="Only this enterprise's events.")
@click.option("--event", "events", multiple=True, help="An event (repeat); none: every event.")
def webhooks_subscribe(url: str, enterprise_id: int | None, events: tuple[str, ...]) -> None:
    """Subscribe a URL (platform-wide without --enterprise); prints the signing secret once."""
    from interop.webhooks import subscribe

    subscription = subscribe(enterprise_id=enterprise_id, url=url, events=events, by_user_id=None)
    click.echo(f"subscription {subscription.id}, secret {subscription.secret}")


@webhooks_cli.command("failed")
@click.option("--limit", default=50, show_default=True)
def webhooks_failed(limit: int) -> None:
    """The deliveries given up, newest first, with the last error."""
    from sqlalchemy import select

    from core.db import db
    from interop.models import DeliveryStatus, WebhookDelivery

    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.failed)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    for row in rows:
        click.echo(f"{row.id}\t{row.event}\t{row.subscription.url}\t{row.last_error}")


def register(app: Flask) -> None:
    app.cli.add_command(dfc_cli)
    app.cli.add_command(webhooks_cli)
