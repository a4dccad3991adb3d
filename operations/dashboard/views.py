"""A hub's sales dashboard (managers of the hub and platform admins)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from core.timeutils import utcnow
from enterprises.models import Enterprise
from operations import onboarding
from operations.access import hub_or_404
from operations.dashboard.chart import bar_chart
from operations.dashboard.services import hub_dashboard

bp = Blueprint("hub_dashboard", __name__)


@bp.get("/hubs/<int:hub_id>/dashboard")
@login_required
def index(hub_id: int):
    hub = hub_or_404(hub_id)
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


# The guided start and the producer's "now", shown on the managers' dashboard
# (templates/enterprises/dashboard.html, which enterprises renders without knowing these rules).
@bp.app_template_global("dashboard_cards")
def _dashboard_cards(enterprises: list[Enterprise]) -> dict[int, onboarding.DashboardCard]:
    return onboarding.dashboard_cards(list(enterprises), utcnow())
