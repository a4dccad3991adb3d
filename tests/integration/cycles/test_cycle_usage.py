"""What cycles may remove or cap depends on the orders, which answer through cycles.usage."""

from __future__ import annotations

import pytest

from cycles import services, usage
from cycles.errors import InUse, OfferInvalid
from cycles.models import CycleOffer, FeeKind, PickupWindow
from orders.models import OrderStatus
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    PickupWindowFactory,
    ProducerHubLinkFactory,
)
from tests.factories_orders import make_shop


def test_a_window_that_orders_use_stays_and_an_unused_one_goes(db_session):
    shop = make_shop(offers=1, slot_capacity=None)
    unused = PickupWindowFactory(cycle=shop.cycle)
    cancelled = OrderFactory(
        cycle=shop.cycle, pickup_window=shop.window, status=OrderStatus.cancelled
    )
    OrderLineFactory(order=cancelled, offer=shop.offers[0])
    db_session.flush()
    used_id, unused_id = shop.window.id, unused.id

    with pytest.raises(InUse):  # even a cancelled order keeps its window
        services.remove_window(shop.window)
    services.remove_window(unused)

    assert db_session.get(PickupWindow, used_id) is not None
    assert db_session.get(PickupWindow, unused_id) is None


def test_an_ordered_offer_is_switched_off_and_a_never_ordered_one_deleted(db_session):
    shop = make_shop(offers=4, slot_capacity=None)
    ordered, fresh, ordered_then_cancelled, dropped_fresh = shop.offers
    live = OrderFactory(cycle=shop.cycle, pickup_window=shop.window)
    OrderLineFactory(order=live, offer=ordered)
    gone = OrderFactory(cycle=shop.cycle, pickup_window=shop.window, status=OrderStatus.cancelled)
    OrderLineFactory(order=gone, offer=ordered_then_cancelled)
    db_session.flush()
    ids = [o.id for o in shop.offers]

    services.remove_offer(ordered)
    services.remove_offer(fresh)
    # the offers form: both shown, both unticked
    services.save_offer_page(
        shop.cycle,
        shown_variant_ids=[ordered_then_cancelled.variant_id, dropped_fresh.variant_id],
        specs=[],
    )

    left = {o.id: o.active for o in db_session.query(CycleOffer).filter(CycleOffer.id.in_(ids))}
    # an order line keeps its offer (history, reports): switched off, never deleted
    assert left == {ordered.id: False, ordered_then_cancelled.id: False}


def test_a_cap_on_an_uncapped_offer_counts_the_units_of_live_orders(db_session):
    shop = make_shop(offers=1, slot_capacity=None)  # no cap: nothing kept on the offer
    offer = shop.offers[0]
    ProducerHubLinkFactory(hub=shop.hub, producer=offer.variant.product.producer)
    live = OrderFactory(cycle=shop.cycle, pickup_window=shop.window)
    OrderLineFactory(order=live, offer=offer, quantity=3)
    gone = OrderFactory(cycle=shop.cycle, pickup_window=shop.window, status=OrderStatus.cancelled)
    OrderLineFactory(order=gone, offer=offer, quantity=5)
    db_session.flush()

    with pytest.raises(OfferInvalid):  # 3 units are sold: a cap of 2 is refused
        services.update_offer(offer, stock_cap=2, hub_fee_kind=FeeKind.percent, hub_fee_value=0)
    services.update_offer(offer, stock_cap=4, hub_fee_kind=FeeKind.percent, hub_fee_value=0)

    assert offer.remaining == 1  # 4 - 3: the cancelled order's 5 units are not counted


def test_cycles_fails_loudly_when_nothing_answers_for_the_orders(monkeypatch):
    monkeypatch.setattr(usage, "_registered", [])
    with pytest.raises(RuntimeError, match="orders package"):
        usage.orders()
