"""``set_collected``: the hand-over rule shared by the back office and the pickup list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from operations.backoffice.errors import OrderNotCollectable
from operations.backoffice.services import set_collected
from orders import services as order_services
from orders.models import OrderStatus, PaymentMethod
from tests.factories_operations import place, shop_with_manager


def test_collect_and_uncollect_toggle_status_and_time(db_session):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    at = datetime(2026, 11, 24, 17, 5, tzinfo=UTC)

    set_collected(order, True, manager, at=at)
    assert order.status is OrderStatus.collected
    assert order.collected_at == at
    set_collected(order, True, manager)  # twice: the first hand-over time stays
    assert order.collected_at == at

    set_collected(order, False, manager)
    assert order.status is OrderStatus.confirmed
    assert order.collected_at is None
    set_collected(order, False, manager)
    assert order.status is OrderStatus.confirmed


def test_cancelled_or_unpaid_card_orders_cannot_be_collected(db_session):
    shop, manager = shop_with_manager(offers=1)
    card = place(shop, [(shop.offers[0].id, 1)], method=PaymentMethod.card, key="c1")
    with pytest.raises(OrderNotCollectable):
        set_collected(card, True, manager)
    assert card.status is OrderStatus.pending_payment
    assert card.collected_at is None

    cancelled = place(shop, [(shop.offers[0].id, 1)])
    order_services.cancel_order(cancelled, actor=manager)
    with pytest.raises(OrderNotCollectable) as raised:
        set_collected(cancelled, True, manager)
    assert raised.value.code == "order_not_collectable"
    assert cancelled.collected_at is None
