"""Fulfilment as a concept (orders.fulfilment): an order is collected through one option, today a
pickup window and its slot; checkout, the order pages and the e-mails describe that option.
Asserted in French (the users' locale in these tests)."""

from __future__ import annotations

import html
from datetime import timedelta

from core.db import db
from orders import fulfilment
from orders.fulfilment import FulfilmentKind
from tests.factories import DistributionPointFactory, PickupSlotFactory, PickupWindowFactory
from tests.factories_operations import place
from tests.factories_orders import make_shop


def _text(response) -> str:
    text = html.unescape(response.get_data(as_text=True))
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_an_order_is_fulfilled_through_its_window_and_slot(db_session):
    shop = make_shop(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    option = order.fulfilment
    assert option.kind is FulfilmentKind.pickup
    assert option.label == "Retrait"
    assert (option.window, option.slot) == (shop.window, shop.slot)
    assert (option.starts_at, option.ends_at) == (shop.slot.starts_at, shop.slot.ends_at)
    point = shop.window.distribution_point
    assert option.place == point.name
    assert option.address == f"{point.address} {point.postcode} {point.city}"
    assert option.value == f"{shop.window.id}:{shop.slot.id}"
    assert option.places_left == shop.slot.capacity - 1  # the order took its place


def test_a_window_without_slots_is_one_option_with_its_own_hours(db_session):
    shop = make_shop(offers=1, slot_capacity=None)
    order = place(shop, [(shop.offers[0].id, 1)])
    option = order.fulfilment
    assert option.slot is None
    assert (option.starts_at, option.ends_at) == (shop.window.starts_at, shop.window.ends_at)
    assert option.value == f"{shop.window.id}:0"
    assert (option.is_full, option.places_left) == (False, None)


def test_the_cycle_offers_one_option_per_slot_grouped_by_window(db_session):
    shop = make_shop(offers=1, slot_capacity=1)
    later = PickupSlotFactory(
        window=shop.window, starts_at=shop.slot.ends_at, ends_at=shop.slot.ends_at + timedelta(1)
    )
    bare = PickupWindowFactory(
        cycle=shop.cycle,
        starts_at=shop.window.starts_at + timedelta(days=1),
        ends_at=shop.window.ends_at + timedelta(days=1),
    )
    place(shop, [(shop.offers[0].id, 1)])  # the first slot is full now
    groups = fulfilment.options_for(shop.cycle)
    assert [g.window for g in groups] == [shop.window, bare]
    assert [[o.value for o in g.options] for g in groups] == [
        [f"{shop.window.id}:{shop.slot.id}", f"{shop.window.id}:{later.id}"],
        [f"{bare.id}:0"],
    ]
    assert [o.is_full for o in groups[0].options] == [True, False]


def test_a_chosen_option_must_belong_to_the_cycle(db_session):
    shop = make_shop(offers=1)
    other = make_shop(offers=1)
    foreign_slot = other.slot
    assert fulfilment.chosen(shop.cycle, f"{shop.window.id}:{shop.slot.id}") == fulfilment.pickup(
        shop.window, shop.slot
    )
    for value in (
        f"{other.window.id}:{other.slot.id}",  # another cycle's window
        f"{shop.window.id}:{foreign_slot.id}",  # a slot of another window
        "x:1",
        "",
        f"{shop.window.id}:-1",
    ):
        assert fulfilment.chosen(shop.cycle, value) is None, value


def test_checkout_and_order_pages_describe_the_option(client, login_as, db_session):
    shop = make_shop(offers=1)
    point = shop.window.distribution_point
    point.access_instructions = "Porte bleue au fond de la cour"
    db.session.flush()
    citizen_order = place(shop, [(shop.offers[0].id, 2)])
    login_as(citizen_order.customer)
    page = _text(client.get(f"/orders/{citizen_order.id}"))
    assert f"{point.name}, {point.address} {point.postcode} {point.city}" in page

    # checkout lists the slot as a choice with its places left
    client.post(
        f"/cycles/{shop.cycle.id}/cart/items",
        data={"offer_id": shop.offers[0].id, "quantity": 1},
    )
    checkout = _text(client.get(f"/cycles/{shop.cycle.id}/checkout"))
    assert f'value="{shop.window.id}:{shop.slot.id}"' in checkout
    assert "9 places restantes" in checkout


def test_the_pickup_reminder_and_confirmation_say_where_from_the_option(db_session):
    from flask import render_template

    shop = make_shop(offers=1)
    point = DistributionPointFactory(
        hub=shop.hub, name="Halle", address="1 rue Haute", access_instructions="Sonnez"
    )
    shop.window.distribution_point = point
    db.session.flush()
    order = place(shop, [(shop.offers[0].id, 1)])
    option = order.fulfilment
    body = render_template(
        "emails/operations/pickup_reminder.txt",
        order=order,
        pickup_at=option.starts_at,
        pickup_ends_at=option.ends_at,
        link="https://example.test/o",
    )
    assert "Halle, 1 rue Haute 35000 Rennes" in body
    assert "Sonnez" in body
    confirmation = render_template(
        "emails/orders/confirmation.txt", order=order, link="https://example.test/o"
    )
    assert "Retrait : Halle, 1 rue Haute 35000 Rennes" in confirmation
