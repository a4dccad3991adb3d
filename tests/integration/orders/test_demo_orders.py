"""demo/orders.py: past and current demo orders, consistent with the pricing, idempotent."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from coop.commission import commission_for
from coop.models import CommissionEntry
from core.timeutils import utcnow
from cycles.models import CycleState, OrderCycle
from demo import accounts as demo_accounts
from demo import hubs as demo_hubs
from demo import orders as demo_orders
from hubs.models import Postcode
from orders import pricing
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from payments.models import Payment, PaymentState
from tests.factories import ProductFactory, VariantFactory


def _small_catalogue() -> None:
    """Three variants per demo producer (demo.catalogue's job, kept small here)."""
    for slug, *_rest in demo_accounts.ENTERPRISES:
        producer = demo_accounts.get_enterprise(slug)
        if not producer.is_producer:
            continue
        for i in range(3):
            product = ProductFactory(producer=producer, name=f"{producer.name} produit {i}")
            VariantFactory(product=product, price_cents=250 + 75 * i, stock=40)


def _counts(db_session) -> tuple[int, ...]:
    return tuple(
        db_session.scalar(select(func.count()).select_from(model))
        for model in (Order, Payment, CommissionEntry, OrderCycle)
    )


def test_demo_orders_are_consistent_and_seeding_twice_adds_nothing(db_session):
    demo_accounts.seed()
    _small_catalogue()
    db_session.add(
        Postcode(
            postcode="35000",
            commune="Rennes",
            insee_code="35238",
            department="35",
            latitude=Decimal("48.11"),
            longitude=Decimal("-1.68"),
        )
    )
    demo_hubs.seed()
    summary = demo_orders.seed()
    assert "9 past cycle(s)" in summary
    first = _counts(db_session)
    assert demo_orders.seed().startswith("orders: 0 past cycle(s) and 0 order(s) added")
    assert _counts(db_session) == first

    now = utcnow()
    orders = list(db_session.scalars(select(Order)))
    assert len(orders) == first[0] > 20
    for order in orders:
        assert order.total_cents == sum(line.line_total_cents for line in order.lines)
        assert order.total_cents == sum(
            pricing.price_order_line(ln).line_total_cents for ln in order.lines
        )
        assert len({line.producer_id for line in order.lines}) >= 2
        paid = db_session.scalars(
            select(Payment).where(
                Payment.order_id == order.id, Payment.state == PaymentState.succeeded
            )
        ).all()
        if order.payment_status is PaymentStatus.paid:
            assert [p.amount_cents for p in paid] == [order.total_cents]
            assert order.commission_cents == commission_for(order.total_cents) > 0
            ledger = db_session.scalar(
                select(func.sum(CommissionEntry.amount_cents)).where(
                    CommissionEntry.order_id == order.id
                )
            )
            assert ledger == order.commission_cents
            # dated when the order was paid (weeks ago for past cycles), not when the seed
            # ran: last month's statement shows the demo's sales
            dates = db_session.scalars(
                select(CommissionEntry.created_at).where(CommissionEntry.order_id == order.id)
            ).all()
            assert dates == [order.paid_at]
        else:
            assert paid == []
            assert order.commission_cents == 0
        state = order.cycle.state_at(now)
        if state is CycleState.done:
            assert order.status in (OrderStatus.collected, OrderStatus.cancelled)
            if order.status is OrderStatus.collected:
                assert order.payment_status is PaymentStatus.paid
        else:
            assert state is CycleState.open
            assert order.status is OrderStatus.confirmed

    past = [o for o in orders if o.status is OrderStatus.collected]
    assert {o.payment_method for o in past} == {PaymentMethod.card, PaymentMethod.at_pickup}
    current = [o for o in orders if o.cycle.state_at(now) is CycleState.open]
    citizen = demo_accounts.get_user(demo_accounts.CITIZEN)
    assert {o.payment_method for o in current if o.customer_id == citizen.id} == {
        PaymentMethod.card,
        PaymentMethod.at_pickup,
    }
    by_card = [o for o in current if o.payment_method is PaymentMethod.card]
    assert by_card
    assert all(o.payment_status is PaymentStatus.paid for o in by_card)
    for cycle in db_session.scalars(select(OrderCycle)):
        placed = sum(
            1 for o in orders if o.cycle_id == cycle.id and o.status is not OrderStatus.cancelled
        )
        assert cycle.orders_count == placed
