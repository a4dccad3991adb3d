"""Statements of an enterprise (HTML, PDF) and the commission ledger of a hub (HTML, CSV)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from coop.billing import ledger, statements
from coop.billing.pdf import issuer, render_statement_pdf, statement_lines, vat_mention
from coop.billing.permissions import can_see_hub_ledger, can_see_statements
from core import csvexport
from core.errors import DomainError
from core.views import load
from enterprises.models import Enterprise

bp = Blueprint("billing", __name__)


def _enterprise(enterprise_id: int) -> Enterprise:
    return load(Enterprise, enterprise_id, allow=lambda e: can_see_statements(current_user, e))


def _hub(enterprise_id: int) -> Enterprise:
    return load(Enterprise, enterprise_id, allow=lambda hub: can_see_hub_ledger(current_user, hub))


def month_arg() -> date | None:
    """The optional ``month=YYYY-MM`` filter; 400 when malformed."""
    value = request.args.get("month", "").strip()
    if not value:
        return None
    try:
        return statements.parse_month(value)
    except DomainError:
        abort(400)


def page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.get("/enterprises/<int:enterprise_id>/statements", endpoint="statements")
@login_required
def statements_index(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    return render_template(
        "coop/billing/statements.html",
        enterprise=enterprise,
        statements=statements.statements_of(enterprise.id),
    )


@bp.get("/enterprises/<int:enterprise_id>/statements/<int:statement_id>")
@login_required
def statement(enterprise_id: int, statement_id: int):
    enterprise = _enterprise(enterprise_id)
    found = statements.get_statement_of(enterprise.id, statement_id)
    if found is None:
        abort(404)
    return render_template(
        "coop/billing/statement.html",
        enterprise=enterprise,
        statement=found,
        lines=statement_lines(found),
        entries=statements.statement_entries(found),
        issuer=issuer(),
        vat_mention=vat_mention(),
    )


@bp.get("/enterprises/<int:enterprise_id>/statements/<int:statement_id>.pdf")
@login_required
def statement_pdf(enterprise_id: int, statement_id: int):
    enterprise = _enterprise(enterprise_id)
    found = statements.get_statement_of(enterprise.id, statement_id)
    if found is None:
        abort(404)
    return Response(
        render_statement_pdf(found, enterprise),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="releve-{found.number}.pdf"'},
    )


@bp.get("/hubs/<int:enterprise_id>/commission", endpoint="ledger")
@login_required
def ledger_index(enterprise_id: int):
    hub = _hub(enterprise_id)
    month = month_arg()
    filters = ledger.LedgerFilters(hub_id=hub.id, month=month)
    return render_template(
        "coop/billing/ledger.html",
        hub=hub,
        month=month,
        page=ledger.ledger_page(filters, page_arg()),
    )


@bp.get("/hubs/<int:enterprise_id>/commission.csv")
@login_required
def ledger_csv(enterprise_id: int):
    hub = _hub(enterprise_id)
    month = month_arg()
    body = ledger.ledger_csv(ledger.LedgerFilters(hub_id=hub.id, month=month))
    suffix = f"-{month:%Y-%m}" if month else ""
    return csvexport.download(body, f"commission-{hub.slug}{suffix}.csv")
