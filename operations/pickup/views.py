"""The pickup-day pages: windows of a cycle, the checklist of a window (phone, works offline),
its printable version, and the ticks (JSON from static/js/pickup.js, or a plain form without JS).

Every route: logged in, manager of the hub or platform admin (403 otherwise); a cycle or a
window of another hub is a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.views import load
from cycles.models import PickupWindow
from operations.access import hub_cycle_or_404
from operations.pickup import services

bp = Blueprint("pickup", __name__)

#: a phone that was offline for a day sends at most this many ticks at once
MAX_TICKS = 500


def _window(hub_id: int, cycle_id: int, window_id: int):
    hub, cycle = hub_cycle_or_404(hub_id, cycle_id)
    return hub, cycle, load(PickupWindow, window_id, where=lambda w: w.cycle_id == cycle.id)


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/pickup")
@login_required
def index(hub_id: int, cycle_id: int):
    hub, cycle = hub_cycle_or_404(hub_id, cycle_id)
    return render_template(
        "operations/pickup/index.html",
        hub=hub,
        cycle=cycle,
        summaries=services.window_summaries(cycle),
    )


def _render_checklist(template: str, hub_id: int, cycle_id: int, window_id: int):
    hub, cycle, window = _window(hub_id, cycle_id, window_id)
    entries = services.checklist(window)
    return render_template(
        template,
        hub=hub,
        cycle=cycle,
        window=window,
        entries=entries,
        to_collect=sum(1 for e in entries if e.order.collected_at is None),
    )


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/pickup/<int:window_id>")
@login_required
def checklist(hub_id: int, cycle_id: int, window_id: int):
    return _render_checklist("operations/pickup/checklist.html", hub_id, cycle_id, window_id)


@bp.get("/hubs/<int:hub_id>/cycles/<int:cycle_id>/pickup/<int:window_id>/print", endpoint="print")
@login_required
def print_sheet(hub_id: int, cycle_id: int, window_id: int):
    return _render_checklist("operations/pickup/print.html", hub_id, cycle_id, window_id)


def _error(code: str, message: str, status: int = 400):
    return jsonify({"error": {"code": code, "message": message}}), status


def _parse_ticks(payload: Any) -> list[tuple[int, bool, datetime]] | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("ticks"), list):
        return None
    ticks = []
    for tick in payload["ticks"][: MAX_TICKS + 1]:
        if not isinstance(tick, dict):
            return None
        order_id, collected, at = tick.get("order_id"), tick.get("collected"), tick.get("at")
        if type(order_id) is not int or type(collected) is not bool or not isinstance(at, str):
            return None
        try:
            when = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            return None
        ticks.append((order_id, collected, when.astimezone(UTC)))
    return ticks


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/pickup/ticks")
@login_required
def tick(hub_id: int, cycle_id: int):
    """Queued ticks from the phone: ``{"ticks": [{"order_id", "collected", "at"}]}``."""
    _hub, cycle = hub_cycle_or_404(hub_id, cycle_id)
    ticks = _parse_ticks(request.get_json(silent=True))
    if ticks is None:
        return _error(
            "invalid_ticks",
            _('Expected {"ticks": [{"order_id": 1, "collected": true, "at": ISO-8601}]}.'),
        )
    if len(ticks) > MAX_TICKS:
        return _error("too_many_ticks", _("Send at most %(n)s ticks at once.", n=MAX_TICKS))
    results = services.apply_ticks(cycle, ticks, current_user)
    return jsonify({"results": [r.as_json() for r in results]})


@bp.post("/hubs/<int:hub_id>/cycles/<int:cycle_id>/pickup/<int:window_id>/tick")
@login_required
def tick_form(hub_id: int, cycle_id: int, window_id: int):
    """The same tick without JavaScript: one order, then back to the list."""
    _hub, cycle, window = _window(hub_id, cycle_id, window_id)
    try:
        order_id = int(request.form.get("order_id", ""))
    except ValueError:
        order_id = 0
    collected = request.form.get("collected") == "1"
    result = services.apply_tick(cycle, order_id, collected, datetime.now(UTC), current_user)
    if result.outcome != "applied":
        flash(_("This order cannot be marked as collected."), "error")
    back = url_for("pickup.checklist", hub_id=hub_id, cycle_id=cycle.id, window_id=window.id)
    return redirect(f"{back}#order-{order_id}", code=303)
