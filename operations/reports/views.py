"""The reports of a hub's cycle, in HTML, CSV and PDF.

Every route: logged in, manager of the hub or platform admin (403 otherwise); a cycle of
another hub is a 404, and so are an unknown report or format.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.db import db
from core.i18n import localdt
from core.security import require
from core.timeutils import utcnow
from cycles.models import OrderCycle
from enterprises.models import Enterprise
from operations.permissions import can_run_hub_orders
from operations.reports import render, services

bp = Blueprint("reports", __name__)


def _cycle(hub_id: int, cycle_id: int) -> tuple[Enterprise, OrderCycle]:
    hub = db.get_or_404(Enterprise, hub_id)
    require(can_run_hub_orders(current_user, hub))
    cycle = db.get_or_404(OrderCycle, cycle_id)
    require(cycle.hub_id == hub.id, hide=True)
    return hub, cycle


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "cycle"


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/reports")
@login_required
def index(hub_id: int, cycle_id: int):
    hub, cycle = _cycle(hub_id, cycle_id)
    return render_template(
        "operations/reports/index.html",
        hub=hub,
        cycle=cycle,
        reports=services.REPORTS.values(),
        formats=services.FORMATS,
    )


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/reports/<report>.<fmt>")
@login_required
def show(hub_id: int, cycle_id: int, report: str, fmt: str):
    hub, cycle = _cycle(hub_id, cycle_id)
    if report not in services.REPORTS or fmt not in services.FORMATS:
        abort(404)
    built = services.build_report(cycle, report)
    if fmt == "html":
        return render_template(
            "operations/reports/show.html",
            hub=hub,
            cycle=cycle,
            report=built,
            table=render.html_table(built),
            formats=services.FORMATS,
        )
    filename = f"{_slug(cycle.name)}-{report}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(
            render.csv_bytes(built), headers=headers, content_type="text/csv; charset=utf-8"
        )
    subtitle = _(
        "%(hub)s – %(cycle)s – printed %(at)s", hub=hub.name, cycle=cycle.name, at=localdt(utcnow())
    )
    return Response(render.pdf_bytes(built, subtitle), headers=headers, mimetype="application/pdf")
