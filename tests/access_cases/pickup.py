"""Access rows of the pickup-day checklist (hub A's cycle, the citizen's order in it)."""

from __future__ import annotations

from core.db import db
from orders.models import Order
from tests.access import MANAGERS_OF_A, Case, citizens_order, statuses

PREFIXES = ["pickup"]


def _cycle_of_a(w):
    return {"hub_id": w.a.id, "cycle_id": citizens_order(w)["cycle_id"]}


def _window_of_a(w):
    ids = citizens_order(w)
    order = db.session.get(Order, ids["order_id"])
    return {"hub_id": w.a.id, "cycle_id": ids["cycle_id"], "window_id": order.pickup_window_id}


def _window_of_a_under_b(w):
    # A's cycle through hub B's URL: B's manager must not learn it exists
    return {**_window_of_a(w), "hub_id": w.b.id}


CASES: list[Case] = [
    Case("pickup.index", MANAGERS_OF_A, params=_cycle_of_a),
    Case("pickup.checklist", MANAGERS_OF_A, params=_window_of_a),
    Case("pickup.checklist", statuses(302, 403, 403, 404, 404), params=_window_of_a_under_b),
    Case("pickup.print", MANAGERS_OF_A, params=_window_of_a),
    # a form body is not the JSON the phone sends: 400 once allowed in
    Case("pickup.tick", statuses(302, 403, 400, 403, 400), "POST", _cycle_of_a, lambda w: {}),
    Case(
        "pickup.tick_form",
        statuses(302, 403, 303, 403, 303),
        "POST",
        _window_of_a,
        lambda w: {"order_id": citizens_order(w)["order_id"], "collected": "1"},
    ),
]
