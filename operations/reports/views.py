"""The reports of a hub's cycle, in HTML, CSV and PDF.

Every route: logged in, manager of the hub or platform admin (403 otherwise); a cycle of
another hub is a 404, and so are an unknown report or format.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _
from flask_login import login_required

from core.i18n import localdt
from core.timeutils import utcnow
from operations.access import hub_cycle_or_404
from operations.reports import render, services

bp = Blueprint("reports", __name__)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "cycle"


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/reports")
@login_required
def index(hub_id: int, cycle_id: int):
    hub, cycle = hub_cycle_or_404(hub_id, cycle_id)
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
    hub, cycle = hub_cycle_or_404(hub_id, cycle_id)
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
