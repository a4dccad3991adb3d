"""Every change of an order writes one event, told on the hub's order page and, in plain French
words, on the citizen's. Prices (make_shop): 4,95 € an item; weighed tomatoes 13,20 € a kg,
500 g an item (estimate)."""

from __future__ import annotations

import html as html_lib

from sqlalchemy import select

from core.db import db
from operations.backoffice import services as backoffice
from orders import services as order_services
from orders.models import ActorKind, EventKind, OrderEvent
from tests.factories import UserFactory
from tests.factories_operations import place, shop_with_manager, weighed_offer


def _events(order) -> list[OrderEvent]:
    return list(
        db.session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        )
    )


def _history(client, url) -> str:
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    start = text.index('data-testid="order-history"')
    return html_lib.unescape(text[start : text.index("</ol>", start)]).replace("\xa0", " ")


def test_each_change_is_an_event_told_to_the_hub_and_to_the_citizen(db_session, login_as):
    shop, manager = shop_with_manager(offers=2, hub_kwargs={"name": "La Grange"})
    manager.full_name = "Marie Martin"
    tomatoes = weighed_offer(shop)
    citizen = UserFactory(full_name="Paul Durand")
    order = place(
        shop, [(shop.offers[0].id, 2), (shop.offers[1].id, 1), (tomatoes.id, 2)], customer=citizen
    )
    miel = order.lines[0]
    miel_name = f"{miel.product_name} ({miel.variant_name})"

    # the citizen lowers a quantity (before the cycle closes, pay at pickup)
    client = login_as(citizen)
    assert (
        client.post(f"/orders/{order.id}/edit", data={f"qty-{shop.offers[1].id}": "0"}).status_code
        == 303
    )
    # the hub removes a line and weighs the tomatoes
    tomato_line = next(ln for ln in order.lines if ln.sold_by_weight)
    client = login_as(manager)
    url = f"/hubs/{order.hub_id}/orders/{order.id}"
    client.post(
        f"{url}/lines",
        data={
            f"qty-{miel.id}": "0",
            f"qty-{tomato_line.id}": "2",
            f"weight-{tomato_line.id}": "1,35",
        },
    )
    client.post(f"{url}/paid", data={"method": "cash"})
    client.post(f"{url}/refund", data={"amount": "1,00", "reason": "Œufs cassés"})
    client.post(f"{url}/collected", data={"collected": "1"})
    client.post(f"{url}/collected", data={"collected": "0"})
    client.post(f"{url}/note", data={"staff_note": "Client à rappeler"})

    kinds = [e.kind for e in _events(order)]
    assert kinds == [
        EventKind.placed,
        EventKind.lines_changed,
        EventKind.lines_changed,
        EventKind.marked_paid,
        EventKind.refunded,
        EventKind.collected,
        EventKind.uncollected,
        EventKind.note,
    ]
    events = _events(order)
    assert events[1].actor_kind is ActorKind.citizen
    assert events[1].actor_id == citizen.id
    assert events[2].actor_kind is ActorKind.hub
    assert events[2].actor_id == manager.id
    assert events[2].actor_name == "La Grange"
    assert events[2].total_before_cents > events[2].total_after_cents
    assert events[4].amount_cents == 100
    assert events[4].reason == "Œufs cassés"

    hub_page = _history(client, url)
    assert "Passée par Paul Durand" in hub_page
    assert "Modifiée par Paul Durand" in hub_page
    assert f"Modifiée par La Grange : {miel_name} : retiré" in hub_page
    assert "poids 1 kg → 1,35 kg" in hub_page
    assert "Payée au retrait" in hub_page
    assert "(enregistré par La Grange)" in hub_page
    assert "Remboursement : 1,00 € — Œufs cassés" in hub_page
    assert "Retirée" in hub_page
    assert "Retrait annulé par La Grange" in hub_page
    assert "Note interne modifiée — Client à rappeler" in hub_page
    assert "(Marie Martin)" in hub_page  # the hub sees who acted

    citizen_page = _history(login_as(citizen), f"/orders/{order.id}")
    assert "Passée par vous" in citizen_page
    assert "Modifiée par vous : " in citizen_page
    assert ": retiré" in citizen_page
    assert f"Modifiée par La Grange : {miel_name} : retiré" in citizen_page
    assert "poids 1 kg → 1,35 kg" in citizen_page
    assert "Remboursement : 1,00 € — Œufs cassés" in citizen_page
    assert "Retrait annulé par La Grange" in citizen_page
    # the staff's note and who in the hub acted are the hub's
    assert "Note interne" not in citizen_page
    assert "Client à rappeler" not in citizen_page
    assert "Marie Martin" not in citizen_page


def test_the_staff_note_stays_a_note_and_cancel_reasons_are_events(db_session, login_as):
    shop, manager = shop_with_manager(offers=1, hub_kwargs={"name": "La Grange"})
    order = place(shop, [(shop.offers[0].id, 1)])
    backoffice.save_staff_note(order, "Vient à 18 h", actor=manager)
    backoffice.cancel_by_hub(order, restock=True, actor=manager, reason="Rupture de stock")
    db.session.refresh(order)
    assert order.staff_note == "Vient à 18 h"  # no reason appended to the note any more
    cancelled = _events(order)[-1]
    assert cancelled.kind is EventKind.cancelled
    assert cancelled.reason == "Rupture de stock"
    page = _history(login_as(order.customer), f"/orders/{order.id}")
    assert "Annulée par La Grange — Rupture de stock" in page


def test_a_citizen_cancel_is_told_in_their_words(db_session, login_as):
    shop, _manager = shop_with_manager(offers=1)
    citizen = UserFactory()
    order = place(shop, [(shop.offers[0].id, 1)], customer=citizen)
    client = login_as(citizen)
    client.post(f"/orders/{order.id}/cancel")
    assert [e.kind for e in _events(order)] == [EventKind.placed, EventKind.cancelled]
    page = _history(client, f"/orders/{order.id}")
    assert "Annulée par vous" in page
    assert "cancelled by the customer" not in page  # the code's own reason is not shown raw


def test_an_emptied_order_is_cancelled_by_the_citizen(db_session):
    shop, _manager = shop_with_manager(offers=1)
    citizen = UserFactory()
    order = place(shop, [(shop.offers[0].id, 1)], customer=citizen)
    order_services.update_order_lines(order, {shop.offers[0].id: 0}, actor=citizen)
    last = _events(order)[-1]
    assert last.kind is EventKind.cancelled
    assert last.actor_kind is ActorKind.citizen


def test_the_citizen_adds_an_item_through_the_one_change_lines_path(db_session, login_as):
    shop, _manager = shop_with_manager(offers=2, stock=5)
    citizen = UserFactory()
    order = place(shop, [(shop.offers[0].id, 1)], customer=citizen)
    client = login_as(citizen)
    client.post(f"/orders/{order.id}/edit", data={f"qty-{shop.offers[1].id}": "2"})
    db.session.refresh(order)
    assert sorted((ln.offer_id, ln.quantity) for ln in order.lines) == [
        (shop.offers[0].id, 1),
        (shop.offers[1].id, 2),
    ]
    db.session.refresh(shop.offers[1].variant)
    assert shop.offers[1].variant.stock == 3
    assert order.total_cents == 3 * 495
    event = _events(order)[-1]
    assert event.kind is EventKind.lines_changed
    assert event.detail["lines"][0]["quantity_before"] == 0
    assert "Modifiée par vous : " in _history(client, f"/orders/{order.id}")
    assert ": ajouté (2)" in _history(client, f"/orders/{order.id}")
    # more than the stock: refused, nothing changed
    client.post(f"/orders/{order.id}/edit", data={f"qty-{shop.offers[1].id}": "9"})
    db.session.refresh(order)
    assert order.total_cents == 3 * 495
