"""A hub's sales dashboard (managers of the hub and platform admins)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from core.db import db
from core.security import require
from enterprises.models import Enterprise
from operations.dashboard.chart import bar_chart
from operations.dashboard.services import hub_dashboard
from operations.permissions import can_run_hub_orders

bp = Blueprint("hub_dashboard", __name__)


@bp.get("/hubs/<int:hub_id>/dashboard")
@login_required
def index(hub_id: int):
    hub = db.get_or_404(Enterprise, hub_id)
    require(can_run_hub_orders(current_user, hub))
    board = hub_dashboard(hub.id)
    points = board.chart_points()
    chart = bar_chart([(name, cents) for name, _closes, cents in points])
    return render_template(
        "operations/dashboard/index.html",
        hub=hub,
        board=board,
        chart=chart,
        closes=[closes for _name, closes, _cents in points],
    )
