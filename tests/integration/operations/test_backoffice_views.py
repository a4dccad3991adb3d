"""The hub back office through the browser's eyes: lists, filters, one order and its actions.

Prices: make_shop sells at 4,50 € + a 10 % hub fee = 4,95 € an item; the weighed tomatoes cost
12,00 € + 10 % = 13,20 € a kg, 500 g an item (estimate).
"""

from __future__ import annotations

from sqlalchemy import func, select

from coop.models import CommissionEntry
from core.db import db
from notifications.models import OutboundEmail
from orders.models import OrderStatus, PaymentStatus
from payments.models import Payment, Refund
from tests.factories import MembershipFactory, OrderCycleFactory, UserFactory
from tests.factories_operations import place, shop_with_manager, weighed_offer
from tests.factories_orders import make_shop
from tests.i18n import in_language


def _url(order, what=""):
    base = f"/hubs/{order.hub_id}/orders/{order.id}"
    return f"{base}/{what}" if what else base


def _commission(order) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(CommissionEntry.amount_cents), 0)).where(
                CommissionEntry.order_id == order.id
            )
        )
    )


def test_cycles_list_counts_and_totals(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    place(shop, [(shop.offers[0].id, 2)])  # 9,90 €
    place(shop, [(shop.offers[0].id, 1)])  # 4,95 €
    from datetime import timedelta

    OrderCycleFactory(
        hub=shop.hub,
        name="Semaine passée",
        opens_at=shop.cycle.opens_at - timedelta(days=365),
        closes_at=shop.cycle.opens_at - timedelta(days=360),
    )

    page = login_as(manager).get(f"/hubs/{shop.hub.id}/orders")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index(shop.cycle.name) < html.index("Semaine passée")  # newest first
    assert f'data-testid="cycle-{shop.cycle.id}-orders">2<' in html
    assert "14,85" in html
    assert f"/hubs/{shop.hub.id}/cycles/{shop.cycle.id}/orders" in html


def test_cycle_orders_search_filters_and_totals(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    alice = UserFactory(full_name="Alice Dupont", email="alice@example.org")
    bruno = UserFactory(full_name="Bruno Le Goff", email="bruno@example.org")
    a = place(shop, [(shop.offers[0].id, 1)], customer=alice)
    b = place(shop, [(shop.offers[0].id, 3)], customer=bruno)
    c = place(shop, [(shop.offers[0].id, 2)], customer=UserFactory(full_name="Chloé"))
    from operations.backoffice.services import set_collected

    set_collected(b, True, manager)
    client = login_as(manager)
    url = f"/hubs/{shop.hub.id}/cycles/{shop.cycle.id}/orders"

    every = client.get(url).get_data(as_text=True)
    assert every.count('data-testid="order-row"') == 3
    assert "29,70" in every  # 6 items
    assert f"/hubs/{shop.hub.id}/cycles/{shop.cycle.id}/orders.jsonld" in every  # DFC export

    def rows(**query):
        html = client.get(url, query_string=query).get_data(as_text=True)
        return {o.number for o in (a, b, c) if o.number in html}, html

    assert rows(q="dupont")[0] == {a.number}
    assert rows(q="BRUNO@")[0] == {b.number}
    assert rows(q=c.number)[0] == {c.number}
    found, html = rows(collected="yes")
    assert found == {b.number}
    assert "14,85" in html  # the filtered set's total
    assert rows(collected="no")[0] == {a.number, c.number}
    assert rows(status="collected")[0] == {b.number}
    assert rows(payment_method="card")[0] == set()
    assert rows(pickup=f"p{shop.window.distribution_point_id}")[0] == {a.number, b.number, c.number}
    _, html = rows(sort="total")
    assert html.index(b.number) < html.index(c.number) < html.index(a.number)
    assert client.get(url, query_string={"status": "nonsense"}).status_code == 200


def test_cycle_orders_query_count_does_not_grow_with_orders(db_session, login_as):
    from tests.querycount import count_queries

    shop, manager = shop_with_manager(offers=1, stock=500, slot_capacity=100)
    client = login_as(manager)
    url = f"/hubs/{shop.hub.id}/cycles/{shop.cycle.id}/orders"

    def count() -> int:
        client.get(url)
        db.session.expunge_all()
        with count_queries() as log:
            assert client.get(url).status_code == 200
        return log.count

    place(shop, [(shop.offers[0].id, 1)])
    ids = (shop.cycle.id, shop.window.id, shop.slot.id, shop.offers[0].id)
    few = count()
    cycle, window, slot, offer = (
        db.session.get(model, pk)
        for model, pk in zip(
            (type(shop.cycle), type(shop.window), type(shop.slot), type(shop.offers[0])),
            ids,
            strict=True,
        )
    )
    shop = type(shop)(cycle=cycle, window=window, slot=slot, offers=[offer])
    from tests.factories import PickupSlotFactory, PickupWindowFactory

    for i in range(12):  # each in its own window (own point) and slot: nothing shared to cache
        window = PickupWindowFactory(cycle=cycle) if i % 2 else window
        spot = PickupSlotFactory(window=window, capacity=5)
        place(type(shop)(cycle=cycle, window=window, slot=spot, offers=[offer]), [(offer.id, 2)])
    many = count()
    assert many == few, f"{few} → {many}"


def test_other_hubs_manager_gets_403_and_foreign_orders_404(db_session, login_as):
    shop, _ = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    other, other_manager = shop_with_manager(offers=1)
    client = login_as(other_manager)
    assert client.get(f"/hubs/{shop.hub.id}/orders").status_code == 403
    assert client.get(_url(order)).status_code == 403
    assert client.post(_url(order, "note"), data={"staff_note": "x"}).status_code == 403
    # through their own hub's URLs, another hub's order and cycle do not exist
    assert client.get(f"/hubs/{other.hub.id}/orders/{order.id}").status_code == 404
    assert (
        client.post(
            f"/hubs/{other.hub.id}/orders/{order.id}/collected", data={"collected": "1"}
        ).status_code
        == 404
    )
    assert client.get(f"/hubs/{other.hub.id}/cycles/{shop.cycle.id}/orders").status_code == 404
    db.session.refresh(order)
    assert order.staff_note == ""
    assert order.collected_at is None


def test_order_page_shows_customer_lines_and_dfc_link(db_session, login_as):
    shop, manager = shop_with_manager(offers=2)
    customer = UserFactory(full_name="Maëlle Riou", email="maelle@example.org")
    order = (
        place(shop, [(shop.offers[0].id, 2)], customer=customer, guest_phone="0601020304")
        if False
        else place(shop, [(shop.offers[0].id, 2)], customer=customer)
    )
    html = login_as(manager).get(_url(order)).get_data(as_text=True)
    assert "Maëlle Riou" in html
    assert "maelle@example.org" in html
    assert "9,90" in html
    assert f"/hubs/{shop.hub.id}/orders/{order.id}.jsonld" in html


def test_edit_lines_recomputes_totals_moves_stock_and_tells_the_customer(db_session, login_as):
    shop, manager = shop_with_manager(offers=2, stock=100)
    customer = UserFactory(locale="en", email="sam@example.org")
    order = place(shop, [(shop.offers[0].id, 2), (shop.offers[1].id, 3)], customer=customer)
    assert order.total_cents == 2475
    first, second = order.lines
    v0, v1 = shop.offers[0].variant, shop.offers[1].variant
    assert (v0.stock, v1.stock) == (98, 97)

    response = login_as(manager).post(
        _url(order, "lines"),
        data={f"qty-{first.id}": "4", f"qty-{second.id}": "3", f"remove-{second.id}": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(order)
    db.session.refresh(v0)
    db.session.refresh(v1)
    assert [(ln.offer_id, ln.quantity) for ln in order.lines] == [(shop.offers[0].id, 4)]
    assert order.total_cents == 1980  # 4 × 4,95
    assert order.hub_fee_cents == 180
    assert (v0.stock, v1.stock) == (96, 100)
    mail = db.session.scalar(select(OutboundEmail).where(OutboundEmail.kind == "order_changed"))
    assert mail.to_email == "sam@example.org"
    assert mail.subject == f"Your order {order.number} was changed"  # the customer's language
    assert "removed" in mail.body_text
    assert "19.80" in mail.body_text


def test_order_changed_email_in_french_for_a_french_customer(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)], customer=UserFactory(locale="fr"))
    login_as(manager).post(_url(order, "lines"), data={f"qty-{order.lines[0].id}": "1"})
    mail = db.session.scalar(select(OutboundEmail).where(OutboundEmail.kind == "order_changed"))
    assert mail.subject == f"Votre commande {order.number} a été modifiée"
    assert "4,95" in mail.body_text


def test_more_than_the_stock_is_refused_and_nothing_changes(db_session, login_as):
    shop, manager = shop_with_manager(offers=1, stock=3)
    order = place(shop, [(shop.offers[0].id, 2)])
    client = in_language(login_as(manager), "fr")
    response = client.post(_url(order, "lines"), data={f"qty-{order.lines[0].id}": "5"})
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.lines[0].quantity == 2
    assert order.total_cents == 990
    assert db.session.get(type(shop.offers[0].variant), shop.offers[0].variant_id).stock == 1
    bad = client.post(_url(order, "lines"), data={f"qty-{order.lines[0].id}": "deux"})
    assert bad.status_code == 422
    assert "nombre entier" in bad.get_data(as_text=True)


def test_final_weight_changes_the_total(db_session, login_as):
    shop, manager = shop_with_manager(offers=0)
    tomatoes = weighed_offer(shop)
    order = place(shop, [(tomatoes.id, 2)])
    assert order.total_cents == 1320  # 1 kg estimated × 13,20 €
    line = order.lines[0]
    client = login_as(manager)

    client.post(_url(order, "lines"), data={f"qty-{line.id}": "2", f"weight-{line.id}": "1,25"})
    db.session.refresh(order)
    assert order.lines[0].final_weight_g == 1250
    assert order.total_cents == 1650  # 1,25 kg × 13,20 €

    client.post(
        _url(order, "lines"),
        data={f"qty-{line.id}": "2", f"weight-{line.id}": "800", f"unit-{line.id}": "g"},
    )
    db.session.refresh(order)
    assert order.lines[0].final_weight_g == 800
    assert order.total_cents == 1056  # 0,8 × 13,20 €

    bad = client.post(
        _url(order, "lines"), data={f"qty-{line.id}": "2", f"weight-{line.id}": "lourd"}
    )
    assert bad.status_code == 422
    db.session.refresh(order)
    assert order.total_cents == 1056


def test_cancel_with_and_without_restock(db_session, login_as):
    shop, manager = shop_with_manager(offers=1, stock=10)
    variant = shop.offers[0].variant
    kept = place(shop, [(shop.offers[0].id, 3)])
    returned = place(shop, [(shop.offers[0].id, 2)])
    assert variant.stock == 5
    client = login_as(manager)

    client.post(_url(returned, "cancel"), data={"restock": "y", "reason": "Rupture"})
    db.session.refresh(variant)
    assert variant.stock == 7
    client.post(_url(kept, "cancel"), data={"reason": "Produits abîmés"})
    db.session.refresh(variant)
    db.session.refresh(kept)
    assert variant.stock == 7  # not put back
    assert kept.status is OrderStatus.cancelled
    assert db.session.scalar(
        select(OutboundEmail).where(
            OutboundEmail.kind == "order_cancelled", OutboundEmail.to_email == kept.customer_email
        )
    )


def test_mark_paid_records_the_payment_and_the_commission(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])
    client = login_as(manager)
    assert client.post(_url(order, "paid"), data={"method": "bitcoin"}).status_code == 422
    assert db.session.scalar(select(func.count(Payment.id))) == 0

    assert client.post(_url(order, "paid"), data={"method": "cheque"}).status_code == 302
    db.session.refresh(order)
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.method, payment.amount_cents) == ("cheque", 990)
    assert order.payment_status is PaymentStatus.paid
    assert _commission(order) == 10
    client.post(_url(order, "paid"), data={"method": "cash"})  # twice: already paid
    assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_refund_above_what_was_paid_is_refused_and_nothing_written(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])
    client = login_as(manager)
    client.post(_url(order, "paid"), data={"method": "cash"})

    too_much = client.post(_url(order, "refund"), data={"amount": "10,00"})
    assert too_much.status_code == 422
    assert "9,90" in too_much.get_data(as_text=True)
    assert client.post(_url(order, "refund"), data={"amount": "-1"}).status_code == 422
    assert client.post(_url(order, "refund"), data={"amount": "1,234"}).status_code == 422
    assert db.session.scalar(select(func.count(Refund.id))) == 0

    assert (
        client.post(
            _url(order, "refund"), data={"amount": "2,50", "reason": "Œufs cassés"}
        ).status_code
        == 302
    )
    db.session.refresh(order)
    assert order.refunded_cents == 250
    assert order.payment_status is PaymentStatus.partially_refunded
    assert _commission(order) == 7  # 1 % of 7,40 = 0,074 → 0,07


def test_refunding_an_unpaid_order_is_a_state_error(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    response = in_language(login_as(manager), "fr").post(
        _url(order, "refund"), data={"amount": "1"}, follow_redirects=True
    )
    assert "Rien n" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Refund.id))) == 0


def test_collected_toggles_and_collected_orders_are_locked(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])
    client = login_as(manager)
    client.post(_url(order, "collected"), data={"collected": "1"})
    db.session.refresh(order)
    assert order.collected_at is not None
    assert order.status is OrderStatus.collected

    refused = client.post(
        _url(order, "lines"), data={f"qty-{order.lines[0].id}": "1"}, follow_redirects=True
    )
    assert "ne peut plus être modifiée" in refused.get_data(as_text=True)  # OrderLocked, flashed
    db.session.refresh(order)
    assert order.lines[0].quantity == 2  # a collected order is not edited

    client.post(_url(order, "collected"), data={"collected": "0"})
    db.session.refresh(order)
    assert order.collected_at is None
    assert order.status is OrderStatus.confirmed


def test_staff_note_is_saved_and_never_shown_to_the_customer(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    customer = UserFactory()
    order = place(shop, [(shop.offers[0].id, 1)], customer=customer)
    login_as(manager).post(_url(order, "note"), data={"staff_note": "Client difficile, vérifier"})
    db.session.refresh(order)
    assert order.staff_note == "Client difficile, vérifier"
    assert "Client difficile" in login_as(manager).get(_url(order)).get_data(as_text=True)
    page = login_as(customer).get(f"/orders/{order.id}")
    assert page.status_code == 200
    assert "Client difficile" not in page.get_data(as_text=True)


def test_admin_sees_any_hub(db_session, login_as):
    shop = make_shop(offers=1)
    order = place(shop, [(shop.offers[0].id, 1)])
    admin = UserFactory(is_admin=True)
    assert login_as(admin).get(_url(order)).status_code == 200
    MembershipFactory  # noqa: B018 - imported for the other tests' readers


def test_mark_paid_offers_only_the_means_the_hub_accepts(db_session, login_as):
    shop, manager = shop_with_manager(offers=1)
    shop.hub.manual_payment_means = "cash"
    db.session.commit()
    order = place(shop, [(shop.offers[0].id, 2)])
    client = in_language(login_as(manager), "fr")
    page = client.get(_url(order)).get_data(as_text=True)
    start = page.index('name="method"')
    select_html = page[start : page.index("</select>", start)]
    assert "Espèces" in select_html
    assert "Chèque" not in select_html

    refused = client.post(_url(order, "paid"), data={"method": "cheque"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert client.post(_url(order, "paid"), data={"method": "cash"}).status_code == 302
    assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_mark_paid_service_refuses_a_means_the_hub_does_not_accept(db_session):
    import pytest

    from operations.backoffice import services
    from operations.backoffice.errors import MeansNotAccepted

    shop, manager = shop_with_manager(offers=1)
    order = place(shop, [(shop.offers[0].id, 2)])  # the hub accepts cash and cheques
    with pytest.raises(MeansNotAccepted):
        services.mark_paid(order, method="transfer", actor=manager)
    assert db.session.scalar(select(func.count(Payment.id))) == 0
