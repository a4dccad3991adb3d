"""One cycle, every kind of money movement, the same figures everywhere (payments.money).

Card orders are paid through localstripe and its signed webhook, pickup orders in cash; then
goodwill refunds, line edits (down: a refund; up: a balance due), cancellations. The payments
report, the hub's dashboard, the territorial figures and the month's statement must agree with
each other and with the figures computed by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from coop.billing.statements import compute_figures
from coop.territories import period_from, territorial_figures
from core.db import db
from operations.backoffice import services as backoffice
from operations.backoffice.services import LineEdit
from operations.dashboard.services import hub_dashboard
from operations.reports.services import build_report
from orders.models import ActorKind, EventKind, Order, OrderEvent, OrderStatus
from payments.models import Refund, RefundKind
from payments.money import COUNTED, money_of_orders
from tests.factories_operations import paid_card_order, place, shop_with_manager

#: a Wednesday in the middle of a month (Paris time), so every movement falls in November
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
P = 495  # one item: 4,50 € + 10 % hub fee


def _edit(order: Order, quantity: int, manager) -> None:
    backoffice.edit_order_lines(order, [LineEdit(order.lines[0].id, quantity)], actor=manager)


def test_one_cycle_gives_the_same_sold_refunded_and_balance_everywhere(
    client, db_session, stripe_app, app
):
    with time_machine.travel(NOW, tick=True):
        shop, manager = shop_with_manager(offers=1, stock=100, slot_capacity=None)
        item = shop.offers[0].id
        card_goodwill = paid_card_order(client, shop, [(item, 2)], key="cycle-a")
        card_edit_down = paid_card_order(client, shop, [(item, 3)], key="cycle-b")
        card_edit_up = paid_card_order(client, shop, [(item, 2)], key="cycle-c")
        card_cancelled = paid_card_order(client, shop, [(item, 2)], key="cycle-d")
        cash_goodwill = place(shop, [(item, 2)])
        unpaid = place(shop, [(item, 1)])
        cash_after_edit = place(shop, [(item, 2)])
        unpaid_cancelled = place(shop, [(item, 1)])
        assert card_goodwill.lines[0].unit_price_cents == P

        backoffice.refund_order(card_goodwill, 100, actor=manager, reason="salade abîmée")
        _edit(card_edit_down, 1, manager)  # 2 items refunded to the card
        _edit(card_edit_up, 3, manager)  # one more item: a balance due at pickup
        backoffice.cancel_by_hub(card_cancelled, restock=True, actor=manager, reason="")
        backoffice.mark_paid(cash_goodwill, method="cash", actor=manager)
        backoffice.refund_order(cash_goodwill, 50, actor=manager, reason="")
        _edit(cash_after_edit, 1, manager)
        backoffice.mark_paid(cash_after_edit, method="cash", actor=manager)
        backoffice.cancel_by_hub(unpaid_cancelled, restock=True, actor=manager, reason="")
        db.session.expire_all()

        kinds = {(r.order_id, r.kind) for r in db.session.query(Refund).order_by(Refund.id).all()}
        assert kinds == {
            (card_goodwill.id, RefundKind.goodwill),
            (card_edit_down.id, RefundKind.line_edit),
            (card_cancelled.id, RefundKind.cancellation),
            (cash_goodwill.id, RefundKind.goodwill),
        }
        # each refund wrote one "refunded" event, by the hub, with its kind (orders.history)
        events = db.session.query(OrderEvent).filter(OrderEvent.kind == EventKind.refunded).all()
        assert sorted((e.order_id, e.detail["kind"], e.actor_kind) for e in events) == sorted(
            (order_id, kind.value, ActorKind.hub) for order_id, kind in kinds
        )

        # by hand: six orders count (two are cancelled), totals 10 items
        expected = {
            "orders": 6,
            "total": 10 * P,
            "paid": 2 * P + 3 * P + 2 * P + 2 * P + P,
            "refunded": 100 + 2 * P + 50,
            "balance": P + P,  # the edit up, the unpaid order
            "sold": 10 * P - 150,  # less the goodwill refunds only
            "net_sold": 10 * P - 150 - 2 * P,  # sold less the balances still due
        }

        with app.test_request_context():
            report = build_report(db.session.get(type(shop.cycle), shop.cycle.id), "payments")
        total_row = report.totals[-1]
        from_report = {
            "orders": len(report.rows),
            "total": total_row[4],
            "paid": total_row[5],
            "refunded": total_row[6],
            "balance": total_row[7],
            "sold": total_row[8],
        }
        assert from_report == {k: v for k, v in expected.items() if k != "net_sold"}

        counted = [
            o.id
            for o in (card_goodwill, card_edit_down, card_edit_up, cash_goodwill, unpaid)
            + (cash_after_edit,)
        ]
        assert all(db.session.get(Order, i).status in COUNTED for i in counted)
        money = money_of_orders(counted).values()
        assert sum(m.sold_cents for m in money) == expected["sold"]
        assert sum(m.net_sold_cents for m in money) == expected["net_sold"]

        dashboard = hub_dashboard(shop.hub.id)
        (cycle,) = [c for c in dashboard.cycles if c.cycle_id == shop.cycle.id]
        assert (cycle.orders, cycle.sales_cents) == (expected["orders"], expected["sold"])

        territories = territorial_figures("department", period_from("2026-11", "2026-11"))
        assert territories.total.orders == expected["orders"]
        assert territories.total.sales_cents == expected["sold"]

        # the month's statement: the commission base, i.e. what was paid and kept for goods
        figures, _ = compute_figures(date(2026, 11, 1))
        assert figures[shop.hub.id].sales_cents == expected["net_sold"]
        orders = db.session.query(Order).filter(Order.cycle_id == shop.cycle.id).all()
        assert sum(o.commission_cents for o in orders) == sum(
            (m.net_sold_cents + 50) // 100 for m in money
        )
        assert {o.id for o in orders if o.status is OrderStatus.cancelled} == {
            card_cancelled.id,
            unpaid_cancelled.id,
        }
