"""A hub connects its own Stripe account, then its first card order goes to that account with
the 1 % application fee, in real Chromium (localstripe with tests/support/localstripe_ext.py).

localstripe's onboarding page stands for Stripe's form: opening it completes the account, sends
a signed ``account.updated`` to the live server and returns the manager to Comptoir.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from accounts.models import User
from coop.models import CommissionEntry
from core.db import db
from enterprises.models import Enterprise
from orders.models import Order, PaymentStatus
from payments import stripe_api
from payments.models import Payment, StripeEvent
from tests.factories import PASSWORD, UserFactory
from tests.factories_orders import make_market
from tests.support.live_server import LiveServer
from tests.support.stripe_server import LocalStripe

pytestmark = pytest.mark.e2e

EVENTS = ["account.updated", "payment_intent.succeeded", "payment_intent.payment_failed"]


@pytest.fixture
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe()
    yield server
    server.stop()


@pytest.fixture
def live(app, live_server, localstripe, monkeypatch) -> LiveServer:
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe.url)
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_comptoir")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    localstripe.configure_webhook(
        f"{live_server.url}/payments/stripe/webhook",
        app.config["STRIPE_WEBHOOK_SECRET"],
        events=EVENTS,
    )
    return live_server


def _fresh(model, **where):
    db.session.remove()
    return db.session.scalar(select(model).filter_by(**where))


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def _wait_for(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_hub_connects_stripe_and_its_first_card_order_pays_it_with_the_fee(
    app, live, browser, page
):
    market = make_market()
    manager_email = db.session.get(User, market.manager_id).email
    citizen_email = UserFactory(email="camille@example.org", locale="fr").email
    db.session.commit()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the manager opens the settings page: no account, so card payment stays on the platform
    _login(page, live.url, manager_email)
    page.goto(f"{live.url}/hubs/{market.hub_id}/manage")
    page.get_by_role("link", name="Réglages").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Réglages"
    page.screenshot(path="/tmp/hub-settings-390.png", full_page=True)

    # connect: Stripe's (localstripe's) onboarding, then back to Comptoir
    page.get_by_role("button", name="Connecter mon compte Stripe").click()
    page.wait_for_url(re.compile(rf"/hubs/{market.hub_id}/settings$"))
    assert "Votre compte Stripe accepte les paiements par carte." in page.content()
    state = page.get_by_test_id("stripe-account").inner_text()
    assert "Paiements activés" in state
    assert "Virements activés" in state
    hub = _fresh(Enterprise, id=market.hub_id)
    account_id = hub.stripe_account_id
    assert account_id.startswith("acct_")
    # the signed account.updated reached the live server too
    assert _wait_for(lambda: _fresh(StripeEvent, type="account.updated"))

    desktop = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    other = desktop.new_page()
    _login(other, live.url, manager_email)
    other.goto(f"{live.url}/hubs/{market.hub_id}/settings")
    other.screenshot(path="/tmp/hub-settings-desktop.png", full_page=True)
    desktop.close()

    # a citizen's first card order: the PaymentIntent is on the hub's account with the 1 % fee
    page.context.clear_cookies()
    _login(page, live.url, citizen_email)
    page.goto(f"{live.url}/cycles/{market.cycle_id}/shop")
    card = page.locator(f"li.shop-item[data-offer-id='{market.tomato_offer_id}']")
    card.locator("input[name=quantity]").fill("2")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    card.locator(".add-note", has_text="Ajouté à votre panier.").wait_for()
    page.goto(f"{live.url}/cycles/{market.cycle_id}/checkout")
    page.get_by_label(re.compile("17:30.18:00")).check()
    page.get_by_label("Payer maintenant par carte").check()
    page.get_by_role("button", name="Vérifier ma commande").click()
    page.wait_for_load_state()
    page.locator("#accept_terms").check()
    page.get_by_test_id("place-order").click()
    page.wait_for_url(re.compile(r"/payments/orders/\d+/pay$"))
    order_id = int(re.search(r"/orders/(\d+)/pay", page.url).group(1))
    fields = page.locator("#card-element")
    fields.locator("input[placeholder=number]").fill("4242424242424242")
    fields.locator("input[placeholder=exp_month]").fill("12")
    fields.locator("input[placeholder=exp_year]").fill("34")
    fields.locator("input[placeholder=cvc]").fill("123")
    fields.locator("input[placeholder=postal_code]").fill("35200")
    page.get_by_test_id("pay-button").click()
    page.wait_for_url(re.compile(rf"/orders/{order_id}/confirmation$"), timeout=30_000)
    assert page.get_by_test_id("payment-status").inner_text() == "Payée"

    payment = _fresh(Payment, order_id=order_id)
    assert payment.stripe_account_id == account_id
    with app.app_context():
        intent = stripe_api.client().v1.payment_intents.retrieve(
            payment.stripe_payment_intent_id, options={"stripe_account": account_id}
        )
    order = _fresh(Order, id=order_id)
    assert intent.amount == order.total_cents == 990
    assert intent.application_fee_amount == 10  # 1 % of 9,90 €
    assert order.payment_status is PaymentStatus.paid
    entry = _fresh(CommissionEntry, order_id=order_id)
    assert (entry.amount_cents, entry.collected_via) == (10, "application_fee")
    assert errors == []
