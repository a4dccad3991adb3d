"""Order cycle rules: times, windows, slots, caps, offers, permissions, states, roll (DST)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from core.timeutils import utcnow
from cycles import services
from cycles.errors import (
    CycleClosed,
    CycleInvalid,
    CycleNotOpenYet,
    CycleStateError,
    OfferInvalid,
    OfferNotAllowed,
    SlotInvalid,
    WindowInvalid,
)
from cycles.models import CycleOffer, CycleState, FeeKind, OrderCycle
from cycles.pricing import customer_price_cents, hub_fee_cents
from hubs import services as hub_services
from hubs.models import LinkSide, LinkStatus
from tests.factories import (
    CycleOfferFactory,
    DistributionPointFactory,
    HubFactory,
    OrderCycleFactory,
    PickupSlotFactory,
    PickupWindowFactory,
    ProducerHubLinkFactory,
    VariantFactory,
)
from tests.factories_hubs import PARIS, local

pytestmark = pytest.mark.usefixtures("db_session")


def fields(**kw):
    base = dict(
        name="Semaine",
        opens_at=local("2026-12-01", "20:00"),
        closes_at=local("2026-12-04", "12:00"),
    )
    base.update(kw)
    return services.CycleFields(**base)


def test_create_cycle_is_a_draft():
    hub = HubFactory()
    cycle = services.create_cycle(hub, fields())
    assert cycle.published is False
    assert cycle.state_at(utcnow()) is CycleState.draft


def test_create_cycle_rejects_close_before_open_and_saves_nothing():
    hub = HubFactory()
    with pytest.raises(CycleInvalid) as err:
        services.create_cycle(hub, fields(closes_at=local("2026-11-30", "12:00")))
    assert "closes_at" in err.value.fields
    assert err.value.status == 422
    assert (
        services.db.session.scalar(
            select(func.count(OrderCycle.id)).where(OrderCycle.hub_id == hub.id)
        )
        == 0
    )


def test_window_must_start_after_close_and_end_after_start():
    cycle = OrderCycleFactory(published=False)
    point = DistributionPointFactory(hub=cycle.hub)
    with pytest.raises(WindowInvalid) as err:
        services.add_window(
            cycle,
            distribution_point_id=point.id,
            starts_at=cycle.closes_at - timedelta(hours=1),
            ends_at=cycle.closes_at + timedelta(hours=1),
        )
    assert "starts_at" in err.value.fields
    with pytest.raises(WindowInvalid) as err:
        services.add_window(
            cycle,
            distribution_point_id=point.id,
            starts_at=cycle.closes_at + timedelta(hours=3),
            ends_at=cycle.closes_at + timedelta(hours=2),
        )
    assert "ends_at" in err.value.fields
    assert cycle.windows == []


def test_window_refuses_another_hubs_point():
    cycle = OrderCycleFactory()
    other = DistributionPointFactory()
    with pytest.raises(WindowInvalid) as err:
        services.add_window(
            cycle,
            distribution_point_id=other.id,
            starts_at=cycle.closes_at + timedelta(days=1),
            ends_at=cycle.closes_at + timedelta(days=1, hours=2),
        )
    assert "distribution_point_id" in err.value.fields


def test_moving_close_after_a_window_is_refused():
    window = PickupWindowFactory()
    cycle = window.cycle
    with pytest.raises(CycleInvalid) as err:
        services.update_cycle(
            cycle,
            fields(
                opens_at=cycle.opens_at,
                closes_at=window.starts_at + timedelta(hours=1),
            ),
        )
    assert "closes_at" in err.value.fields


def test_slots_inside_window_and_not_overlapping():
    window = PickupWindowFactory()
    start = window.starts_at
    services.add_slot(window, starts_at=start, ends_at=start + timedelta(minutes=30), capacity=5)
    with pytest.raises(SlotInvalid) as err:
        services.add_slot(
            window,
            starts_at=start + timedelta(minutes=15),
            ends_at=start + timedelta(minutes=45),
            capacity=5,
        )
    assert list(err.value.fields) == ["starts_at"]
    with pytest.raises(SlotInvalid) as err:
        services.add_slot(
            window,
            starts_at=window.ends_at - timedelta(minutes=10),
            ends_at=window.ends_at + timedelta(minutes=10),
            capacity=5,
        )
    assert list(err.value.fields) == ["starts_at"]
    with pytest.raises(SlotInvalid) as err:
        services.add_slot(
            window,
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(minutes=60),
            capacity=0,
        )
    assert "capacity" in err.value.fields
    # adjacent slot is fine
    services.add_slot(
        window,
        starts_at=start + timedelta(minutes=30),
        ends_at=start + timedelta(minutes=60),
        capacity=5,
    )
    assert len(window.slots) == 2


def test_generate_slots_every_15_minutes():
    window = PickupWindowFactory()  # two hours
    created = services.generate_slots(window, every_minutes=15, capacity=4)
    assert len(created) == 8
    assert created[0].starts_at == window.starts_at
    assert created[-1].ends_at == window.ends_at
    assert all(s.capacity == 4 for s in created)
    with pytest.raises(SlotInvalid):
        services.generate_slots(window, every_minutes=15, capacity=4)


def test_slot_capacity_not_below_booked():
    slot = PickupSlotFactory(capacity=10, booked=6)
    with pytest.raises(SlotInvalid):
        services.update_slot(slot, capacity=5)
    services.update_slot(slot, capacity=6)
    assert slot.capacity == 6


def test_order_cap_not_below_orders_already_placed():
    cycle = OrderCycleFactory(orders_count=12)
    with pytest.raises(CycleInvalid) as err:
        services.set_order_cap(cycle, 10)
    assert "12" in err.value.fields["order_cap"][0]
    services.set_order_cap(cycle, 12)
    assert cycle.order_cap == 12
    services.set_order_cap(cycle, None)
    assert cycle.order_cap is None


def test_hub_cannot_offer_a_producers_product_without_its_permission():
    cycle = OrderCycleFactory()
    variant = VariantFactory()
    with pytest.raises(OfferNotAllowed) as err:
        services.add_offers(cycle, [services.OfferSpec(variant.id)])
    assert err.value.code == "producer_permission_missing"
    assert services.list_offers(cycle) == []

    # requested but not yet accepted is still not a permission
    link = hub_services.request_link(
        producer=variant.product.producer, hub=cycle.hub, side=LinkSide.hub
    )
    with pytest.raises(OfferNotAllowed):
        services.add_offers(cycle, [services.OfferSpec(variant.id)])

    hub_services.accept_link(link)
    offers = services.add_offers(
        cycle, [services.OfferSpec(variant.id, stock_cap=20, hub_fee_value=1000)]
    )
    assert offers[0].remaining == 20

    # withdrawn: existing offers of running cycles are switched off, new ones refused
    hub_services.withdraw_link(link)
    services.db.session.refresh(offers[0])
    assert offers[0].active is False
    with pytest.raises(OfferNotAllowed):
        services.add_offers(cycle, [services.OfferSpec(variant.id)])


def test_hub_that_is_a_producer_offers_its_own_products_freely():
    farm = HubFactory(is_producer=True)
    cycle = OrderCycleFactory(hub=farm)
    variant = VariantFactory(product__producer=farm)
    offers = services.add_offers(cycle, [services.OfferSpec(variant.id)])
    assert offers[0].producer_id == farm.id


def test_stock_cap_not_above_producer_stock_unless_on_demand():
    link = ProducerHubLinkFactory()
    cycle = OrderCycleFactory(hub=link.hub)
    limited = VariantFactory(product__producer=link.producer, stock=10)
    unlimited = VariantFactory(product__producer=link.producer, stock=0, on_demand=True)
    with pytest.raises(OfferInvalid) as err:
        services.add_offers(cycle, [services.OfferSpec(limited.id, stock_cap=11)])
    assert str(limited.id) in err.value.fields
    offers = services.add_offers(
        cycle,
        [
            services.OfferSpec(limited.id, stock_cap=10),
            services.OfferSpec(unlimited.id, stock_cap=500),
        ],
    )
    assert [o.remaining for o in offers] == [10, 500]


def test_update_offer_keeps_sold_units():
    link = ProducerHubLinkFactory()
    cycle = OrderCycleFactory(hub=link.hub)
    variant = VariantFactory(product__producer=link.producer, stock=50)
    offer = CycleOfferFactory(cycle=cycle, variant=variant, stock_cap=20, remaining=15)
    with pytest.raises(OfferInvalid):
        services.update_offer(offer, stock_cap=4, hub_fee_kind=FeeKind.percent, hub_fee_value=0)
    services.update_offer(offer, stock_cap=30, hub_fee_kind=FeeKind.fixed, hub_fee_value=50)
    assert (offer.stock_cap, offer.remaining, offer.hub_fee_value) == (30, 25, 50)


def test_hub_fee_percent_half_up_and_fixed():
    assert hub_fee_cents(FeeKind.percent, 450, 1000) == 45
    assert hub_fee_cents(FeeKind.percent, 125, 1000) == 13  # 12.5 -> 13
    assert hub_fee_cents(FeeKind.fixed, 450, 30) == 30
    offer = CycleOffer(hub_fee_kind=FeeKind.percent, hub_fee_value=1500)
    assert customer_price_cents(offer, 1000) == 1150


def test_states_and_close_now():
    now = utcnow()
    cycle = OrderCycleFactory(published=False)
    assert cycle.state_at(now) is CycleState.draft
    cycle.published = True
    assert cycle.state_at(now) is CycleState.open
    services.require_open(cycle, now)
    services.close_now(cycle, now)
    assert cycle.state_at(now + timedelta(seconds=1)) is CycleState.closed
    with pytest.raises(CycleClosed) as err:
        services.require_open(cycle, now + timedelta(seconds=1))
    assert err.value.code == "cycle_closed"
    assert str(err.value.message) == str(CycleClosed.message)
    with pytest.raises(CycleStateError):
        services.close_now(cycle, now + timedelta(seconds=2))
    services.mark_done(cycle, now + timedelta(seconds=3))
    assert cycle.state_at(now + timedelta(seconds=4)) is CycleState.done


def test_upcoming_cycle_is_not_open_yet():
    now = utcnow()
    cycle = OrderCycleFactory(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    assert cycle.state_at(now) is CycleState.upcoming
    with pytest.raises(CycleNotOpenYet):
        services.require_open(cycle, now)


def test_publish_needs_a_window():
    cycle = OrderCycleFactory(published=False)
    with pytest.raises(CycleInvalid):
        services.publish_cycle(cycle)
    PickupWindowFactory(cycle=cycle)
    services.publish_cycle(cycle)
    assert cycle.published


def _dst_cycle():
    link = ProducerHubLinkFactory()
    variant = VariantFactory(product__producer=link.producer, stock=40)
    cycle = OrderCycleFactory(
        hub=link.hub,
        name="Panier du mardi",
        opens_at=local("2026-10-20", "20:00").astimezone(UTC),
        closes_at=local("2026-10-23", "12:00").astimezone(UTC),
        repeat_weekly=True,
        published=True,
    )
    window = PickupWindowFactory(
        cycle=cycle,
        starts_at=local("2026-10-24", "10:00").astimezone(UTC),
        ends_at=local("2026-10-24", "12:00").astimezone(UTC),
    )
    PickupSlotFactory(
        window=window,
        starts_at=local("2026-10-24", "10:00").astimezone(UTC),
        ends_at=local("2026-10-24", "10:15").astimezone(UTC),
        capacity=6,
        booked=3,
    )
    CycleOfferFactory(
        cycle=cycle,
        variant=variant,
        stock_cap=30,
        remaining=2,
        hub_fee_kind=FeeKind.fixed,
        hub_fee_value=40,
    )
    return cycle


def test_roll_keeps_local_times_across_october_dst_change_and_is_idempotent():
    parent = _dst_cycle()
    with time_machine.travel(local("2026-10-24", "18:00"), tick=False):
        first = services.roll_weekly_cycles()
        second = services.roll_weekly_cycles()
    assert len(first) == 1
    assert second == []
    child = first[0]
    assert child.rolled_from_id == parent.id
    assert child.published is True
    assert child.repeat_weekly is True
    opens, closes = child.opens_at.astimezone(PARIS), child.closes_at.astimezone(PARIS)
    assert (opens.date().isoformat(), opens.strftime("%H:%M")) == ("2026-10-27", "20:00")
    assert (closes.date().isoformat(), closes.strftime("%H:%M")) == ("2026-10-30", "12:00")
    assert parent.opens_at.astimezone(PARIS).utcoffset() == timedelta(hours=2)
    assert opens.utcoffset() == timedelta(hours=1)
    # seven days plus one hour of real time between the two openings
    assert child.opens_at - parent.opens_at == timedelta(days=7, hours=1)
    window = child.windows[0]
    start = window.starts_at.astimezone(PARIS)
    assert (start.date().isoformat(), start.strftime("%H:%M")) == ("2026-10-31", "10:00")
    assert window.ends_at.astimezone(PARIS).strftime("%H:%M") == "12:00"
    slot = window.slots[0]
    assert slot.starts_at.astimezone(PARIS).strftime("%H:%M") == "10:00"
    assert (slot.capacity, slot.booked) == (6, 0)
    offer = services.list_offers(child)[0]
    assert (offer.stock_cap, offer.remaining, offer.hub_fee_value) == (30, 30, 40)
    count = services.db.session.scalar(
        select(func.count(OrderCycle.id)).where(OrderCycle.hub_id == parent.hub_id)
    )
    assert count == 2


def test_roll_waits_until_the_cycle_has_closed():
    parent = _dst_cycle()
    with time_machine.travel(local("2026-10-23", "11:59"), tick=False):
        assert services.roll_weekly_cycles() == []
    with time_machine.travel(local("2026-10-23", "12:00"), tick=False):
        assert [c.rolled_from_id for c in services.roll_weekly_cycles()] == [parent.id]


def test_close_now_lets_the_roll_create_the_successor():
    parent = _dst_cycle()
    with time_machine.travel(local("2026-10-21", "09:00"), tick=False):
        assert services.roll_weekly_cycles() == []
        services.close_now(parent)
        assert len(services.roll_weekly_cycles()) == 1


def test_roll_skips_drafts_and_non_repeating_cycles():
    parent = _dst_cycle()
    parent.published = False
    OrderCycleFactory(opens_at=local("2026-10-20", "20:00"), closes_at=local("2026-10-23", "12:00"))
    with time_machine.travel(local("2026-10-24", "18:00"), tick=False):
        assert services.roll_weekly_cycles() == []


def test_roll_catches_up_weeks_missed():
    _dst_cycle()
    with time_machine.travel(local("2026-11-20", "09:00"), tick=False):
        child = services.roll_weekly_cycles()[0]
    # the week that is still open on Friday 20 Nov at 09:00 (it closes at noon)
    assert child.closes_at > local("2026-11-20", "09:00")
    opens = child.opens_at.astimezone(PARIS)
    assert (opens.date().isoformat(), opens.strftime("%H:%M")) == ("2026-11-17", "20:00")


def test_roll_drops_offers_of_producers_who_withdrew():
    parent = _dst_cycle()
    link = hub_services.links_of_hub(parent.hub)[0]
    link.status = LinkStatus.withdrawn
    with time_machine.travel(local("2026-10-24", "18:00"), tick=False):
        child = services.roll_weekly_cycles()[0]
    assert services.list_offers(child) == []


def test_duplicate_is_a_draft_next_week():
    parent = _dst_cycle()
    with time_machine.travel(local("2026-10-21", "09:00"), tick=False):
        copy = services.duplicate_cycle(parent)
    assert copy.published is False
    assert copy.rolled_from_id is None
    assert copy.opens_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") == "2026-10-27 20:00"
    assert len(copy.windows) == 1
    assert len(copy.windows[0].slots) == 1
