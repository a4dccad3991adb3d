"""Money after a line edit: card orders refunded the difference through Stripe (localstripe),
balances due at pickup, the commission following what was paid and kept.

4,95 € an item (4,50 € + 10 % hub fee); the commission is 1 % of the order, half up.
"""

from __future__ import annotations

from sqlalchemy import func, select

from coop.models import CommissionEntry, CommissionKind
from core.db import db
from operations.backoffice import services
from orders import services as order_services
from orders.models import PaymentStatus
from payments import stripe_api
from payments.models import Payment, Refund
from tests.factories_operations import paid_card_order, place, shop_with_manager


def _commission(order) -> list[int]:
    return list(
        db.session.scalars(
            select(CommissionEntry.amount_cents)
            .where(CommissionEntry.order_id == order.id)
            .order_by(CommissionEntry.id)
        )
    )


def test_card_order_edited_down_refunds_the_difference_and_reverses_commission(
    client, db_session, stripe_app, login_as
):
    shop, manager = shop_with_manager(offers=1, stock=10)
    order = paid_card_order(client, shop, [(shop.offers[0].id, 2)], key="bo-card-1")
    assert order.payment_status is PaymentStatus.paid
    assert _commission(order) == [10]  # 1 % of 9,90
    line = order.lines[0]

    response = login_as(manager).post(
        f"/hubs/{shop.hub.id}/orders/{order.id}/lines", data={f"qty-{line.id}": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.total_cents == 495
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert refund.amount_cents == 495  # exactly the difference
    assert refund.stripe_refund_id
    stripe_refund = stripe_api.client().v1.refunds.retrieve(refund.stripe_refund_id)
    assert stripe_refund.amount == 495
    assert order.refunded_cents == 495
    assert order.payment_status is PaymentStatus.partially_refunded
    assert _commission(order) == [10, -5]  # now 1 % of 4,95 = 0,05
    kinds = db.session.scalars(
        select(CommissionEntry.kind).where(CommissionEntry.order_id == order.id)
    ).all()
    assert kinds == [CommissionKind.charge, CommissionKind.reversal]
    assert services.balance_due_cents(order) == 0
    page = login_as(manager).get(f"/hubs/{shop.hub.id}/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="order-refunded">4,95' in page

    # cancelling afterwards gives back what is left of the payment, not total − refunded
    order_services.cancel_order(order, actor=manager, reason="test")
    db.session.refresh(order)
    assert order.refunded_cents == 990
    assert order.payment_status is PaymentStatus.refunded
    assert sum(_commission(order)) == 0


def test_heavier_final_weight_on_a_paid_order_leaves_a_balance_due_at_pickup(
    client, db_session, stripe_app, login_as
):
    from tests.factories_operations import weighed_offer

    shop, manager = shop_with_manager(offers=0)
    tomatoes = weighed_offer(shop)
    order = paid_card_order(client, shop, [(tomatoes.id, 2)], key="bo-card-2")
    assert order.total_cents == 1320  # 1 kg estimated
    line = order.lines[0]
    client = login_as(manager)
    client.post(
        f"/hubs/{shop.hub.id}/orders/{order.id}/lines",
        data={f"qty-{line.id}": "2", f"weight-{line.id}": "1,5"},
    )
    db.session.refresh(order)
    assert order.total_cents == 1980  # 1,5 kg × 13,20 €
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert services.balance_due_cents(order) == 660
    assert _commission(order) == [13]  # on what was paid so far (13,20 €)

    listing = client.get(f"/hubs/{shop.hub.id}/cycles/{shop.cycle.id}/orders").get_data(
        as_text=True
    )
    assert "Reste à payer : 6,60" in listing
    detail = client.get(f"/hubs/{shop.hub.id}/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="order-balance"><strong>6,60' in detail

    client.post(f"/hubs/{shop.hub.id}/orders/{order.id}/paid", data={"method": "cash"})
    client.post(f"/hubs/{shop.hub.id}/orders/{order.id}/paid", data={"method": "cash"})  # twice
    balance = db.session.scalars(
        select(Payment).where(Payment.order_id == order.id, Payment.provider == "manual")
    ).all()
    assert [(p.method, p.amount_cents) for p in balance] == [("cash", 660)]
    db.session.refresh(order)
    assert services.balance_due_cents(order) == 0
    assert sum(_commission(order)) == 20  # 1 % of 19,80


def test_paid_at_pickup_order_edited_down_records_the_money_given_back(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 3)])
    services.mark_paid(order, method="cash", actor=manager)
    change = services.edit_order_lines(
        order, [services.LineEdit(order.lines[0].id, 1)], actor=manager
    )
    assert change.total_after_cents == 495
    assert change.refunded_cents == 990
    db.session.refresh(order)
    assert order.refunded_cents == 990
    assert sum(_commission(order)) == 5
    assert services.balance_due_cents(order) == 0


def test_goodwill_refund_does_not_create_a_balance(db_session):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])
    services.mark_paid(order, method="cheque", actor=manager)
    services.refund_order(order, 300, actor=manager, reason="Œufs cassés")
    assert services.balance_due_cents(order) == 0
    assert sum(_commission(order)) == 7  # 1 % of 6,90


def test_refund_above_what_is_left_raises_and_writes_nothing(db_session):
    import pytest

    from operations.backoffice.errors import NothingToRefund, RefundTooLarge

    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])
    with pytest.raises(NothingToRefund):
        services.refund_order(order, 100, actor=manager, reason="")
    services.mark_paid(order, method="cash", actor=manager)
    with pytest.raises(RefundTooLarge) as raised:
        services.refund_order(order, 991, actor=manager, reason="")
    assert raised.value.code == "refund_too_large"
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert order.refunded_cents == 0


def test_removing_every_line_is_refused(db_session):
    import pytest

    from operations.backoffice.errors import EmptyOrder

    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])
    with pytest.raises(EmptyOrder):
        services.edit_order_lines(order, [services.LineEdit(order.lines[0].id, 0)], actor=manager)
    db.session.refresh(order)
    assert order.lines[0].quantity == 2


def test_unpaid_card_order_paid_on_site_cancels_the_payment_intent(client, db_session, stripe_app):
    from orders.models import PaymentMethod
    from payments import services as payment_services
    from payments.models import PaymentState

    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)], method=PaymentMethod.card, key="bo-site")
    intent = payment_services.start_card_payment(order)
    services.mark_paid(order, method="cash", actor=manager)
    db.session.refresh(intent)
    assert intent.state is PaymentState.cancelled
    stripe_intent = stripe_api.client().v1.payment_intents.retrieve(intent.stripe_payment_intent_id)
    assert stripe_intent.status == "canceled"
    db.session.refresh(order)
    assert order.payment_status is PaymentStatus.paid
