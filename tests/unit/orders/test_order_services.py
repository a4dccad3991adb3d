from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer
from notifications.models import OutboundEmail
from orders import services
from orders.errors import (
    CycleClosed,
    CycleFull,
    EmptyCart,
    IdempotencyConflict,
    InsufficientStock,
    InvalidCheckout,
    PaymentMethodNotAllowed,
    SlotFull,
    TermsNotAccepted,
)
from orders.models import Cart, OrderStatus, PaymentMethod, PaymentStatus
from products.models import Variant
from tests.factories import PickupSlotFactory, UserFactory
from tests.factories_orders import make_shop


def _place(shop, customer, items, **kwargs):
    params = dict(
        cycle=shop.cycle,
        customer=customer,
        items=items,
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id if shop.slot else None,
        payment_method=PaymentMethod.at_pickup,
        idempotency_key=None,
        terms_accepted=True,
        now=utcnow(),
    )
    params.update(kwargs)
    return services.place_order(**params)


def test_place_order_at_pickup_confirms_takes_stock_and_queues_email(db_session):
    shop = make_shop(offers=2, stock=10, remaining=5)
    citizen = UserFactory()
    a, b = shop.offers
    order = _place(shop, citizen, [(a.id, 2), (b.id, 1)])
    assert order.status is OrderStatus.confirmed
    assert order.number == f"{order.placed_at.year}-{order.id:06d}"
    assert order.total_cents == 2 * 495 + 495
    assert a.variant.stock == 8
    assert a.remaining == 3
    assert b.variant.stock == 9
    assert b.remaining == 4
    assert shop.slot.booked == 1
    assert shop.cycle.orders_count == 1
    mail = db_session.scalar(
        select(OutboundEmail).where(OutboundEmail.kind == "order_confirmation")
    )
    assert mail.to_email == citizen.email
    assert order.number in mail.subject


def test_place_order_by_card_holds_stock_until_paid(db_session, app):
    shop = make_shop(offers=1)
    order = _place(shop, UserFactory(), [(shop.offers[0].id, 1)], payment_method="card")
    assert order.status is OrderStatus.pending_payment
    assert order.payment_status is PaymentStatus.pending
    assert order.hold_expires_at > utcnow() + timedelta(minutes=25)
    assert db_session.scalar(select(func.count(OutboundEmail.id))) == 0


def test_place_order_names_every_short_item(db_session):
    shop = make_shop(offers=3, stock=2)
    a, b, c = shop.offers
    with pytest.raises(InsufficientStock) as info:
        _place(shop, UserFactory(), [(a.id, 3), (b.id, 1), (c.id, 5)])
    names = [s["name"] for s in info.value.fields["items"]]
    assert names == [services.item_name(a.variant), services.item_name(c.variant)]
    assert "il n'en reste que 2" in str(info.value.message)  # French first


def test_place_order_respects_the_cycle_cap_of_an_offer(db_session):
    shop = make_shop(offers=1, stock=100, remaining=1)
    with pytest.raises(InsufficientStock):
        _place(shop, UserFactory(), [(shop.offers[0].id, 2)])


def test_place_order_refuses_full_slot(db_session):
    shop = make_shop(offers=1, slot_capacity=1)
    _place(shop, UserFactory(), [(shop.offers[0].id, 1)])
    with pytest.raises(SlotFull):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)])


def test_place_order_requires_a_slot_when_the_window_has_slots(db_session):
    shop = make_shop(offers=1)
    with pytest.raises(InvalidCheckout):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)], pickup_slot_id=None)


def test_place_order_rejects_closed_cycle(db_session):
    shop = make_shop(offers=1)
    with pytest.raises(CycleClosed):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)], now=utcnow() + timedelta(days=5))


def test_place_order_rejects_when_cycle_cap_reached(db_session):
    shop = make_shop(offers=1, cycle_kwargs={"order_cap": 1})
    _place(shop, UserFactory(), [(shop.offers[0].id, 1)])
    with pytest.raises(CycleFull):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)])


def _change_cycle_behind_the_session(cycle, **values):
    """What another request committed meanwhile: the row changes, this session's cycle does not."""
    db.session.execute(
        update(type(cycle)).where(type(cycle).id == cycle.id).values(**values),
        execution_options={"synchronize_session": False},
    )


def test_cycle_cap_is_checked_again_on_the_locked_row(db_session):
    shop = make_shop(offers=1, cycle_kwargs={"order_cap": 1})
    _change_cycle_behind_the_session(shop.cycle, orders_count=1)
    assert shop.cycle.orders_count == 0  # the early check passes
    with pytest.raises(CycleFull):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)])


def test_cycle_closed_meanwhile_is_refused_on_the_locked_row(db_session):
    shop = make_shop(offers=1)
    _change_cycle_behind_the_session(shop.cycle, closed_early_at=utcnow() - timedelta(minutes=1))
    assert shop.cycle.closed_early_at is None  # the early check passes
    with pytest.raises(CycleClosed):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)])


def test_place_order_requires_terms_and_items(db_session):
    shop = make_shop(offers=1)
    with pytest.raises(TermsNotAccepted):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)], terms_accepted=False)
    with pytest.raises(EmptyCart):
        _place(shop, UserFactory(), [])


def test_place_order_refuses_method_the_hub_does_not_allow(db_session):
    shop = make_shop(offers=1, hub_kwargs={"allows_pay_at_pickup": False})
    with pytest.raises(PaymentMethodNotAllowed):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)])


def test_guest_order_needs_name_and_email(db_session):
    shop = make_shop(offers=1)
    with pytest.raises(InvalidCheckout) as info:
        _place(shop, None, [(shop.offers[0].id, 1)])
    assert set(info.value.fields) == {"guest_email", "guest_name"}
    order = _place(
        shop, None, [(shop.offers[0].id, 1)], guest_email="Alix@Example.org", guest_name="Alix"
    )
    assert order.customer_id is None
    assert order.customer_email == "alix@example.org"


def test_same_idempotency_key_returns_the_first_order(db_session):
    shop = make_shop(offers=1, stock=10)
    citizen = UserFactory()
    first = _place(shop, citizen, [(shop.offers[0].id, 1)], idempotency_key="k1")
    again = _place(shop, citizen, [(shop.offers[0].id, 1)], idempotency_key="k1")
    assert again.id == first.id
    assert shop.offers[0].variant.stock == 9
    with pytest.raises(IdempotencyConflict):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)], idempotency_key="k1")


def test_placing_clears_the_saved_cart(db_session):
    shop = make_shop(offers=1)
    citizen = UserFactory()
    services.set_cart_quantity(
        cycle=shop.cycle,
        user=citizen,
        items={},
        offer_id=shop.offers[0].id,
        quantity=2,
        now=utcnow(),
    )
    assert services.get_cart_items(citizen, shop.cycle) == {shop.offers[0].id: 2}
    _place(shop, citizen, [(shop.offers[0].id, 2)])
    assert db_session.scalar(select(func.count(Cart.id))) == 0


def test_cart_quantity_is_capped_with_a_message(db_session):
    shop = make_shop(offers=1, stock=3)
    change = services.set_cart_quantity(
        cycle=shop.cycle, user=None, items={}, offer_id=shop.offers[0].id, quantity=5, now=utcnow()
    )
    assert change.quantity == 3
    assert change.capped
    assert "3" in change.message


def test_guest_cart_is_kept_at_login(db_session):
    shop = make_shop(offers=2)
    a, b = shop.offers
    citizen = UserFactory()
    services.set_cart_quantity(
        cycle=shop.cycle, user=citizen, items={}, offer_id=a.id, quantity=1, now=utcnow()
    )
    services.merge_guest_cart(citizen, {shop.cycle.id: {a.id: 2, b.id: 1}})
    assert services.get_cart_items(citizen, shop.cycle) == {a.id: 2, b.id: 1}


def test_cancel_returns_stock_slot_and_place(db_session):
    shop = make_shop(offers=1, stock=5, remaining=4)
    offer = shop.offers[0]
    order = _place(shop, UserFactory(), [(offer.id, 3)])
    services.cancel_order(order, actor=None, reason="test")
    assert order.status is OrderStatus.cancelled
    assert offer.variant.stock == 5
    assert offer.remaining == 4
    assert shop.slot.booked == 0
    assert shop.cycle.orders_count == 0
    services.cancel_order(order, actor=None)  # twice: no-op
    assert offer.variant.stock == 5
    kinds = set(db_session.scalars(select(OutboundEmail.kind)))
    assert "order_cancelled" in kinds


def test_release_expired_holds_frees_unpaid_card_orders(db_session):
    shop = make_shop(offers=1, stock=5)
    offer = shop.offers[0]
    order = _place(shop, UserFactory(), [(offer.id, 2)], payment_method="card")
    kept = _place(shop, UserFactory(), [(offer.id, 1)], payment_method="card")
    kept.hold_expires_at = utcnow() + timedelta(hours=1)
    order.hold_expires_at = utcnow() - timedelta(minutes=1)
    db_session.flush()
    assert services.release_expired_holds(utcnow()) == 1
    assert order.status is OrderStatus.cancelled
    assert kept.status is OrderStatus.pending_payment
    assert offer.variant.stock == 4
    assert services.release_expired_holds(utcnow()) == 0


def test_citizen_edits_quantities_before_close(db_session):
    shop = make_shop(offers=2, stock=5)
    a, b = shop.offers
    order = _place(shop, UserFactory(), [(a.id, 2)])
    services.update_order_lines(order, {a.id: 1, b.id: 3}, actor=None)
    assert sorted((ln.offer_id, ln.quantity) for ln in order.lines) == [(a.id, 1), (b.id, 3)]
    assert a.variant.stock == 4
    assert b.variant.stock == 2
    assert order.total_cents == 4 * 495
    with pytest.raises(InsufficientStock):
        services.update_order_lines(order, {b.id: 9}, actor=None)


def test_slot_of_another_window_is_refused(db_session):
    shop = make_shop(offers=1)
    other = PickupSlotFactory()
    with pytest.raises(InvalidCheckout):
        _place(shop, UserFactory(), [(shop.offers[0].id, 1)], pickup_slot_id=other.id)


def test_idempotent_place_does_not_leave_locks(committed):
    """A retry answered with the first order (after locking the items) releases those locks."""
    shop = make_shop(offers=2, stock=10)
    citizen = UserFactory()
    db.session.commit()
    items = [(offer.id, 1) for offer in shop.offers]
    first = _place(shop, citizen, items, idempotency_key="retry-1")
    again = _place(shop, citizen, items, idempotency_key="retry-1")
    assert again.id == first.id
    offer_ids = [offer.id for offer in shop.offers]
    variant_ids = [offer.variant_id for offer in shop.offers]

    with db.engine.connect() as other:
        # no transaction of the application still holds a row lock on these tables
        held = other.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname IN ('cycle_offers', 'variants') AND l.mode = 'RowShareLock' "
                "AND l.pid <> pg_backend_pid()"
            )
        )
        assert held == 0
        # and another transaction can lock the very rows at once (NOWAIT raises if it cannot)
        locked = other.scalars(
            select(CycleOffer.id).where(CycleOffer.id.in_(offer_ids)).with_for_update(nowait=True)
        ).all()
        assert sorted(locked) == sorted(offer_ids)
        locked = other.scalars(
            select(Variant.id).where(Variant.id.in_(variant_ids)).with_for_update(nowait=True)
        ).all()
        assert sorted(locked) == sorted(variant_ids)
        other.rollback()
