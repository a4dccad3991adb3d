"""A hub manager runs an order in the back office, in real Chromium with CSRF on: finds it by
name, changes a quantity, records the payment at pickup, hands it over, writes a note."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, OrderCycle
from notifications.models import OutboundEmail
from orders import services as order_services
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from tests.factories import UserFactory
from tests.factories_orders import make_market
from tests.login import session_values

pytestmark = pytest.mark.e2e


def _text(value: str) -> str:
    return value.replace("\u202f", " ").replace("\xa0", " ")


def _session_cookie(app, user_id: int) -> str:
    client = app.test_client()
    values = session_values(user_id)
    with client.session_transaction() as sess:
        sess.update(values)
    return client.get_cookie("session").value


def test_manager_edits_marks_paid_and_hands_over_an_order(app, live_server, page, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    market = make_market()
    customer = UserFactory(full_name="Jeanne Le Bihan", email="jeanne@example.org")
    other = UserFactory(full_name="Paul Riou", email="paul@example.org")
    db.session.commit()
    customer_id = customer.id
    cycle = db.session.get(OrderCycle, market.cycle_id)
    for who, qty in ((customer, 3), (other, 1)):
        order_services.place_order(
            cycle=cycle,
            customer=who,
            items=[(market.egg_offer_id, qty)],
            pickup_window_id=market.window_id,
            pickup_slot_id=market.slot_ids[0],
            payment_method=PaymentMethod.at_pickup,
            idempotency_key=f"e2e-bo-{who.id}",
            terms_accepted=True,
            now=utcnow(),
        )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.context.add_cookies(
        [
            {
                "name": "session",
                "value": _session_cookie(app, market.manager_id),
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/hubs/{market.hub_id}/orders")
    page.get_by_role("link", name="Panier de la semaine").click()
    assert page.locator("[data-testid=order-row]").count() == 2
    page.get_by_label("Rechercher").fill("bihan")
    page.get_by_role("button", name="Filtrer").click()
    assert page.locator("[data-testid=order-row]").count() == 1
    page.locator("[data-testid=order-row] a").first.click()

    assert "Jeanne Le Bihan" in page.content()
    assert _text(page.get_by_test_id("order-total").inner_text()) == "9,24 €"  # 3 × 3,08 €
    page.get_by_label("Quantité de Œufs plein air").fill("2")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    assert "nouveau total 6,16" in _text(page.locator(".flash").first.inner_text())

    page.get_by_label("Payé par").select_option("cash")
    page.get_by_role("button", name="Marquer payée").click()
    assert "Paiement enregistré." in page.content()
    page.get_by_role("button", name="Marquer comme retirée").click()
    assert "Marquée comme retirée." in page.content()
    page.get_by_role("textbox", name="Note interne (jamais montrée au client)").fill(
        "A payé en pièces de 1 €"
    )
    page.get_by_role("button", name="Enregistrer la note").click()
    assert "Note enregistrée." in page.content()
    page.screenshot(path="/tmp/backoffice_order.png", full_page=True)
    assert errors == []

    db.session.remove()
    order = db.session.scalar(select(Order).where(Order.customer_id == customer_id))
    assert order.total_cents == 616
    assert order.status is OrderStatus.collected
    assert order.payment_status is PaymentStatus.paid
    assert order.staff_note == "A payé en pièces de 1 €"
    assert db.session.get(CycleOffer, market.egg_offer_id).variant.stock == 27
    assert (
        db.session.scalar(
            select(OutboundEmail.subject).where(OutboundEmail.kind == "order_changed")
        )
        == f"Votre commande {order.number} a été modifiée"
    )
