"""Access rows of the hub back office: hub A's orders (A is a hub managed by manager_of_a)."""

from __future__ import annotations

from tests.access import MANAGERS_OF_A, Case, citizens_order, statuses

PREFIXES = ["backoffice"]

#: a POST on hub A's order: done (redirect) for A's managers and admins
POSTED = statuses(302, 403, 302, 403, 302)


def _hub_a(w):
    return {"hub_id": w.a.id}


def _cycle_of_a(w):
    return {"hub_id": w.a.id, "cycle_id": citizens_order(w)["cycle_id"]}


def _order_of_a(w):
    return {"hub_id": w.a.id, "order_id": citizens_order(w)["order_id"]}


def _order_of_a_under_b(w):
    # A's order through hub B's URL: B's manager must not learn it exists (404), A's gets 403
    return {"hub_id": w.b.id, "order_id": citizens_order(w)["order_id"]}


CASES: list[Case] = [
    Case("backoffice.orders", MANAGERS_OF_A, params=_hub_a),
    Case("backoffice.cycle_orders", MANAGERS_OF_A, params=_cycle_of_a),
    Case("backoffice.order", MANAGERS_OF_A, params=_order_of_a),
    Case("backoffice.order", statuses(302, 403, 403, 404, 404), params=_order_of_a_under_b),
    Case("backoffice.edit_lines", POSTED, "POST", _order_of_a, lambda w: {}),
    Case("backoffice.cancel", POSTED, "POST", _order_of_a, lambda w: {"reason": "test"}),
    Case("backoffice.refund", POSTED, "POST", _order_of_a, lambda w: {"amount": "1"}),
    Case("backoffice.mark_paid", POSTED, "POST", _order_of_a, lambda w: {"method": "cash"}),
    Case("backoffice.collected", POSTED, "POST", _order_of_a, lambda w: {"collected": "1"}),
    Case("backoffice.note", POSTED, "POST", _order_of_a, lambda w: {"staff_note": "note"}),
]
