"""A citizen orders for the weekly pickup and pays by card, in real Chromium.

Everything is real except the card network: the app is served over HTTP, the browser is the
system Chromium, Stripe is localstripe (its Stripe.js stand-in runs in the page), and e-mails go
to a local SMTP sink. The order becomes paid only when localstripe's webhook, signed with the
app's STRIPE_WEBHOOK_SECRET, reaches the live server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from coop.models import CommissionEntry
from core.db import db
from cycles.models import CycleOffer, PickupSlot
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from payments.models import Payment, PaymentState, StripeEvent
from tests.factories import PASSWORD, UserFactory
from tests.factories_orders import Market, make_market
from tests.support.live_server import LiveServer
from tests.support.stripe_server import LocalStripe

pytestmark = pytest.mark.e2e

PAYMENT_EVENTS = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
]


@pytest.fixture
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe()
    yield server
    server.stop()


@pytest.fixture
def live(app, live_server, localstripe, monkeypatch) -> LiveServer:
    """The shared live server (tests/e2e/conftest.py), with real CSRF checks and Stripe calls to
    localstripe, whose signed webhooks are sent to the live server."""
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe.url)
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_comptoir")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    localstripe.configure_webhook(
        f"{live_server.url}/payments/stripe/webhook",
        app.config["STRIPE_WEBHOOK_SECRET"],
        events=PAYMENT_EVENTS,
    )
    return live_server


def _add_to_cart(page, offer_id: int, quantity: int) -> None:
    card = page.locator(f"li.shop-item[data-offer-id='{offer_id}']")
    card.locator("input[name=quantity]").fill(str(quantity))
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    # added in place (static/js/shop.js): the card says it, the page stays where it is
    card.locator(".add-note", has_text="Ajouté à votre panier.").wait_for()


def _text(value: str) -> str:
    """Babel's French formats use no-break spaces ("13,42\u00a0€"): compare with plain ones."""
    return value.replace("\u202f", " ").replace("\xa0", " ")


def _fresh(model, **where):
    db.session.remove()
    return db.session.scalar(select(model).filter_by(**where))


def test_citizen_fills_a_two_producer_cart_picks_a_slot_and_pays_by_card(
    app, live, page, smtp_sink
):
    market: Market = make_market()
    citizen = UserFactory(email="camille@example.org", full_name="Camille Durand", locale="fr")
    db.session.commit()

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # log in
    page.goto(f"{live.url}/login")
    page.locator("#email").fill(citizen.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()

    # find the hub by postcode, then its shop
    page.goto(f"{live.url}/")
    page.get_by_role("link", name="Trouver un comptoir près de chez moi").click()
    page.locator("#postcode").fill("35200")
    page.get_by_role("button", name="Rechercher").click()
    hub_card = page.locator("li.hub-card", has_text="La Grange")
    assert "Panier de la semaine" in hub_card.inner_text()
    hub_card.get_by_role("link", name="Faire mes courses", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("La Grange")
    # on a phone the filters sit two by two under the search field, leaving room for products
    search, producer, category, sort = (
        page.locator(f"form[role=search] #{name}").bounding_box()
        for name in ("q", "producer", "category", "sort")
    )
    assert producer["y"] == category["y"] > search["y"]
    assert sort["y"] > producer["y"]
    assert page.locator("li.shop-item").first.bounding_box()["y"] < page.viewport_size["height"]
    # the pickup times in the shop header, in the French convention
    assert re.search(r"\d{2}:\d{2}–\d{2}:\d{2}", page.locator("main").inner_text())

    # a cart from two producers
    _add_to_cart(page, market.tomato_offer_id, 2)
    _add_to_cart(page, market.butter_offer_id, 1)
    page.get_by_test_id("cart-link").click()
    page.wait_for_load_state()
    assert [h.inner_text() for h in page.locator("main h2").all()] == [
        "Ferme des Quatre Vents",
        "GAEC du Moulin",
    ]
    # 2 × (4,50 € + 10 %) + 1 × (3,20 € + 10 %) = 9,90 € + 3,52 €
    assert _text(page.locator("main p.price").inner_text()) == "Total : 13,42 €"
    page.get_by_role("link", name="Commander", exact=True).click()
    page.wait_for_load_state()

    # pickup slot and payment by card
    page.get_by_label(re.compile("17:30.18:00")).check()
    page.get_by_label("Payer maintenant par carte").check()
    page.get_by_role("button", name="Vérifier ma commande").click()
    page.wait_for_load_state()

    # the price breakdown before paying
    assert page.locator("h1").inner_text() == "Vérifiez votre commande"
    lines = page.locator("table.order-lines tbody tr")
    assert lines.count() == 2
    tomato = _text(lines.filter(has_text="Tomates anciennes").inner_text())
    assert "Producteur : 9,00 €" in tomato
    assert "Part du comptoir : 0,90 €" in tomato
    assert "dont 1 % de commission de soutien : 0,10 €" in tomato
    assert "TVA incluse (5,5 %) : 0,52 €" in tomato
    assert "9,90 €" in tomato
    total = _text(page.get_by_test_id("review-total").inner_text())
    assert total == "Total à payer : 13,42 €"
    assert "17:30–18:00" in page.locator("section[aria-labelledby=pickup-title]").inner_text()

    page.screenshot(path="/tmp/checkout-review.png", full_page=True)
    place = page.get_by_test_id("place-order")
    assert place.inner_text() == "Commander et payer"
    page.locator("#accept_terms").check()
    place.click()
    page.wait_for_url(re.compile(r"/payments/orders/\d+/pay$"))
    order_id = int(re.search(r"/orders/(\d+)/pay", page.url).group(1))
    order = _fresh(Order, id=order_id)
    assert order.status is OrderStatus.pending_payment
    assert order.payment_method is PaymentMethod.card
    assert order.total_cents == 1342

    # pay with localstripe's card fields (the Stripe.js stand-in)
    pay_button = page.get_by_test_id("pay-button")
    assert _text(pay_button.inner_text()) == "Payer 13,42 €"
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("35200")
    with page.expect_response(re.compile(r"/payments/orders/\d+/confirm$")) as confirmed:
        pay_button.click()
    assert confirmed.value.json()["status"] == "succeeded"
    # Stripe said "succeeded" to the browser, yet nothing is paid until the signed webhook:
    # localstripe sends it a second later.
    assert _fresh(Order, id=order_id).payment_status is PaymentStatus.pending

    page.wait_for_url(re.compile(rf"/orders/{order_id}/confirmation$"), timeout=30_000)
    assert page.get_by_test_id("confirmation-title").inner_text() == (
        "Merci, votre commande est confirmée !"
    )
    assert "Une confirmation a été envoyée à camille@example.org." in page.content()
    assert page.get_by_test_id("payment-status").inner_text() == "Payée"
    number = page.get_by_test_id("order-number").inner_text()
    page.screenshot(path="/tmp/checkout-confirmation.png", full_page=True)

    # the webhook did it: a verified event, the payment succeeded, the order paid
    event = _fresh(StripeEvent, type="payment_intent.succeeded")
    assert event is not None
    payment = _fresh(Payment, order_id=order_id)
    assert event.payload["data"]["object"]["id"] == payment.stripe_payment_intent_id
    assert payment.state is PaymentState.succeeded
    assert payment.amount_cents == 1342
    order = _fresh(Order, id=order_id)
    assert order.status is OrderStatus.confirmed
    assert order.payment_status is PaymentStatus.paid
    assert order.pickup_slot_id == market.slot_ids[1]
    assert _fresh(CommissionEntry, order_id=order_id).amount_cents == 13  # 1 % of 13,42 €
    assert _fresh(PickupSlot, id=market.slot_ids[1]).booked == 1
    assert _fresh(CycleOffer, id=market.tomato_offer_id).variant.stock == 18

    # the confirmation e-mail, in French, on the SMTP sink
    mail = smtp_sink.wait_for(lambda m: number in (m["Subject"] or ""), timeout=15)
    assert mail["To"] == "camille@example.org"
    assert mail["Subject"] == f"Votre commande {number} chez La Grange"
    body = _text(mail.get_content())
    assert body.startswith("Bonjour Camille Durand,")
    assert "2 × Tomates anciennes (sachet 1 kg) – 9,90 €" in body
    assert "1 × Beurre demi-sel (plaquette 250 g) – 3,52 €" in body
    assert "Total : 13,42 €" in body
    assert "Paiement : payée par carte" in body
    assert "Salle du fond" in body
    assert "17:30–18:00" in body
    assert f"{live.url}/orders/{order_id}?t=" in body
    assert errors == []
