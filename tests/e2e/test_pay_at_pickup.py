"""A guest orders to pay at pickup, in real Chromium, with no account (e-mail only).

The hub's "mark paid / collected" pages (operations) do not exist yet: the hub's side is done with
the payment service the hub pages will call, then the guest's own page shows the result.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from accounts.models import User
from coop.models import CommissionEntry
from core.db import db
from cycles.models import CycleOffer, PickupSlot
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from payments import services as payment_services
from payments.models import Payment
from tests.factories_orders import Market, make_market
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def live(app, live_server, monkeypatch) -> LiveServer:
    """The shared live server (tests/e2e/conftest.py), with real CSRF checks."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return live_server


def _text(value: str) -> str:
    return value.replace("\u202f", " ").replace("\xa0", " ")


def _add_to_cart(page, offer_id: int, quantity: int) -> None:
    card = page.locator(f"li.shop-item[data-offer-id='{offer_id}']")
    card.locator("input[name=quantity]").fill(str(quantity))
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    # added in place (static/js/shop.js): the card says it, the page stays where it is
    card.locator(".add-note", has_text="Ajouté à votre panier.").wait_for()


def _orders_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(Order.id)))


def test_guest_orders_to_pay_at_pickup_and_the_hub_marks_it_paid(
    app, live, browser, page, smtp_sink
):
    market: Market = make_market()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the home page lists the hub and its open cycle
    page.goto(f"{live.url}/")
    hub_card = page.locator("li.hub-card", has_text="La Grange")
    assert "Commandes ouvertes" in hub_card.inner_text()
    hub_card.get_by_role("link", name="Faire mes courses", exact=True).click()
    page.wait_for_load_state()

    _add_to_cart(page, market.egg_offer_id, 1)
    _add_to_cart(page, market.butter_offer_id, 2)
    page.get_by_test_id("cart-link").click()
    page.wait_for_load_state()
    assert [h.inner_text() for h in page.locator("main h2").all()] == [
        "Ferme des Quatre Vents",
        "GAEC du Moulin",
    ]
    page.get_by_role("link", name="Commander", exact=True).click()
    page.wait_for_load_state()

    # no account: name and e-mail are asked; pay at pickup
    page.get_by_label(re.compile("17:00.17:30")).check()
    page.locator("#guest_name").fill("Léa Bouvier")
    page.locator("#guest_email").fill("lea@example.org")
    page.locator("#guest_phone").fill("06 12 34 56 78")
    page.get_by_label("Payer au retrait (espèces, chèque ou carte sur place)").check()
    page.get_by_role("button", name="Vérifier ma commande").click()
    page.wait_for_load_state()

    assert page.locator("h1").inner_text() == "Vérifiez votre commande"
    assert "Léa Bouvier · lea@example.org · 06 12 34 56 78" in page.content()
    # 1 × (2,80 € + 10 %) + 2 × (3,20 € + 10 %) = 3,08 € + 7,04 €
    assert _text(page.get_by_test_id("review-total").inner_text()) == "Total à payer : 10,12 €"
    place = page.get_by_test_id("place-order")
    assert place.inner_text() == "Passer ma commande"

    # without accepting the terms the browser does not send the form
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/place") else None)
    place.click()
    page.wait_for_timeout(300)
    assert sent == []
    assert page.locator("#accept_terms").evaluate("el => el.validity.valueMissing") is True
    assert _orders_count() == 0
    page.locator("#accept_terms").check()
    place.click()
    page.wait_for_url(re.compile(r"/orders/\d+/confirmation$"))
    assert len(sent) == 1  # one submission, one order
    order_id = int(re.search(r"/orders/(\d+)/confirmation", page.url).group(1))

    assert page.get_by_test_id("confirmation-title").inner_text() == (
        "Merci, votre commande est confirmée !"
    )
    assert "Une confirmation a été envoyée à lea@example.org." in page.content()
    assert page.get_by_test_id("order-status").inner_text() == "Confirmée"
    assert page.get_by_test_id("payment-status").inner_text() == "À payer au retrait"
    assert _text(page.get_by_test_id("order-total").inner_text()) == "10,12 €"
    number = page.get_by_test_id("order-number").inner_text()

    # the order as the hub will find it: confirmed, to be paid at pickup; stock and slot held
    db.session.remove()
    order = db.session.get(Order, order_id)
    assert order.number == number
    assert order.customer_id is None
    no_account = select(func.count(User.id)).where(User.email == "lea@example.org")
    assert db.session.scalar(no_account) == 0
    assert (order.customer_name, order.customer_email) == ("Léa Bouvier", "lea@example.org")
    assert order.status is OrderStatus.confirmed
    assert order.payment_method is PaymentMethod.at_pickup
    assert order.payment_status is PaymentStatus.unpaid
    assert order.hold_expires_at is None
    assert order.total_cents == 1012
    assert order.pickup_slot_id == market.slot_ids[0]
    assert db.session.get(PickupSlot, market.slot_ids[0]).booked == 1
    assert db.session.get(CycleOffer, market.egg_offer_id).variant.stock == 29
    assert db.session.get(CycleOffer, market.butter_offer_id).variant.stock == 10

    # the French confirmation e-mail, with a signed link to the order
    mail = smtp_sink.wait_for(lambda m: number in (m["Subject"] or ""), timeout=15)
    assert mail["To"] == "lea@example.org"
    assert mail["Subject"] == f"Votre commande {number} chez La Grange"
    body = _text(mail.get_content())
    assert body.startswith("Bonjour Léa Bouvier,")
    assert "Paiement : à payer au retrait (espèces, chèque ou carte sur place)" in body
    assert "Total : 10,12 €" in body
    link = re.search(rf"{re.escape(live.url)}/orders/{order_id}\?t=\S+", body).group(0)

    # another browser: the order is hidden without the link, shown with it
    other = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    elsewhere = other.new_page()
    assert elsewhere.goto(f"{live.url}/orders/{order_id}").status == 404
    assert elsewhere.goto(link).status == 200
    assert elsewhere.locator("h1").inner_text() == f"Commande {number}"
    assert elsewhere.get_by_test_id("payment-status").inner_text() == "À payer au retrait"

    # at pickup, the hub records the cash payment (the service its operations pages will call)
    db.session.remove()
    payment_services.record_manual_payment(
        db.session.get(Order, order_id), method="cash", actor=None
    )
    db.session.remove()
    order = db.session.get(Order, order_id)
    assert order.payment_status is PaymentStatus.paid
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order_id))
    assert (payment.provider, payment.method, payment.amount_cents) == ("manual", "cash", 1012)
    entry = db.session.scalar(select(CommissionEntry).where(CommissionEntry.order_id == order_id))
    assert (entry.amount_cents, entry.collected_via) == (10, "statement")  # 1 % of 10,12 €

    # and the guest's page (same browser session) shows it paid
    page.goto(f"{live.url}/orders/{order_id}")
    assert page.get_by_test_id("payment-status").inner_text() == "Payée"
    assert errors == []
    other.close()
