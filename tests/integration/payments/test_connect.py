"""A hub connects its own Stripe account (Account Links, localstripe + tests/support ext)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from core.db import db
from core.timeutils import utcnow
from orders import services as order_services
from orders.errors import PaymentMethodNotAllowed
from orders.models import PaymentMethod
from payments import services, stripe_api
from payments.models import StripeEvent
from tests.factories import MembershipFactory, UserFactory
from tests.factories_orders import make_shop
from tests.factories_payments import event_for, sign

SECRET = "whsec_test_comptoir"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _open_link(url: str) -> str:
    """Open an onboarding link the way the manager's browser would; the redirect's target."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(url, timeout=5)
    assert caught.value.code == 302
    return caught.value.headers["Location"]


def _deliver(client, event: dict):
    import json

    payload = json.dumps(event).encode()
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": sign(payload, SECRET), "Content-Type": "application/json"},
    )


def _account_event(account_id: str) -> dict:
    """The account.updated event localstripe generated for this account."""
    events = stripe_api.client().v1.events.list(params={"type": "account.updated"})
    found = [e.to_dict() for e in events.data if e.data.object["id"] == account_id]
    assert found, "localstripe sent no account.updated for the account"
    return found[-1]


def _card_order(shop, key: str):
    return order_services.place_order(
        cycle=shop.cycle,
        customer=UserFactory(),
        items=[(shop.offers[0].id, 2)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.card,
        idempotency_key=key,
        terms_accepted=True,
        now=utcnow(),
    )


@pytest.fixture
def hub_shop(db_session, stripe_app):
    stripe_app.config["STRIPE_WEBHOOK_SECRET"] = SECRET
    shop = make_shop(offers=1, stock=5)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=shop.cycle.hub)
    return shop, manager


def test_a_hub_connects_and_its_next_card_order_goes_to_its_account_with_the_fee(
    client, login_as, hub_shop
):
    shop, manager = hub_shop
    hub = shop.cycle.hub
    login_as(manager)

    page = client.get(f"/hubs/{hub.id}/settings")
    assert page.status_code == 200
    assert "Connecter mon compte Stripe" in page.get_data(as_text=True)

    answer = client.post(f"/payments/hubs/{hub.id}/connect")
    assert answer.status_code == 303
    db.session.refresh(hub)
    account_id = hub.stripe_account_id
    assert account_id.startswith("acct_")
    assert not hub.stripe_charges_enabled
    # while charges are disabled, card is neither offered nor accepted
    assert PaymentMethod.card not in order_services.allowed_payment_methods(shop.cycle)
    with pytest.raises(PaymentMethodNotAllowed):
        _card_order(shop, "k-too-early")
    db.session.rollback()
    page = client.get(f"/hubs/{hub.id}/settings").get_data(as_text=True)
    assert "Informations manquantes" in page
    assert "Paiements désactivés" in page

    # the manager fills in Stripe's form, comes back to the return page
    back = _open_link(answer.headers["Location"])
    assert back.endswith(f"/payments/hubs/{hub.id}/connect/return")
    # the signed account.updated webhook marks the account as able to take charges
    assert _deliver(client, _account_event(account_id)).status_code == 200
    db.session.refresh(hub)
    assert (hub.stripe_details_submitted, hub.stripe_charges_enabled) == (True, True)
    assert hub.stripe_payouts_enabled
    assert db.session.scalar(select(StripeEvent.type)) == "account.updated"
    returned = client.get(urllib.parse.urlsplit(back).path)
    assert returned.status_code == 303
    page = client.get(f"/hubs/{hub.id}/settings").get_data(as_text=True)
    assert "Paiements activés" in page
    assert "Virements activés" in page
    assert "Connecter mon compte Stripe" not in page

    assert PaymentMethod.card in order_services.allowed_payment_methods(shop.cycle)
    order = _card_order(shop, "k-connected")
    payment = services.start_card_payment(order)
    intent = stripe_api.client().v1.payment_intents.retrieve(
        payment.stripe_payment_intent_id, options={"stripe_account": account_id}
    )
    assert intent.amount == order.total_cents == 990
    assert intent.application_fee_amount == 10  # 1 % of 9,90 €


def test_an_expired_link_gives_a_new_one_and_the_return_page_reads_the_account(
    client, login_as, hub_shop
):
    shop, manager = hub_shop
    hub = shop.cycle.hub
    login_as(manager)
    first = client.post(f"/payments/hubs/{hub.id}/connect").headers["Location"]
    refresh = _open_link(first + "?expired=1")
    assert refresh.endswith(f"/payments/hubs/{hub.id}/connect/refresh")
    again = client.get(f"/payments/hubs/{hub.id}/connect/refresh")
    assert again.status_code == 303
    assert again.headers["Location"] != first
    db.session.refresh(hub)
    account_id = hub.stripe_account_id
    client.post(f"/payments/hubs/{hub.id}/connect")  # a second click: the same account
    db.session.refresh(hub)
    assert hub.stripe_account_id == account_id

    _open_link(again.headers["Location"])  # completes the account at localstripe
    returned = client.get(f"/payments/hubs/{hub.id}/connect/return", follow_redirects=True)
    assert "Votre compte Stripe accepte les paiements par carte." in returned.get_data(True)
    db.session.refresh(hub)
    assert hub.stripe_charges_enabled


def test_only_the_hubs_managers_connect_it(client, login_as, hub_shop):
    shop, _manager = hub_shop
    hub = shop.cycle.hub
    assert client.post(f"/payments/hubs/{hub.id}/connect").status_code == 302  # to login
    login_as(UserFactory())
    for url in (
        f"/payments/hubs/{hub.id}/connect/return",
        f"/payments/hubs/{hub.id}/connect/refresh",
        f"/hubs/{hub.id}/settings",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/payments/hubs/{hub.id}/connect").status_code == 403
    assert client.post(f"/payments/hubs/{hub.id + 999}/connect").status_code == 404
    db.session.refresh(hub)
    assert hub.stripe_account_id == ""


def test_account_updated_for_an_unknown_account_or_a_bad_signature_changes_nothing(
    client, hub_shop
):
    shop, _manager = hub_shop
    hub = shop.cycle.hub
    hub.stripe_account_id = "acct_known"
    db.session.flush()
    event = {
        "id": "evt_unknown_account",
        "object": "event",
        "type": "account.updated",
        "created": 1,
        "data": {"object": {"id": "acct_unknown", "charges_enabled": True}},
    }
    assert _deliver(client, event).status_code == 200
    forged = event_for(
        {"id": "acct_known", "charges_enabled": True}, "account.updated", "evt_forged"
    )
    answer = client.post(
        "/payments/stripe/webhook",
        data=forged,
        headers={
            "Stripe-Signature": sign(forged, "whsec_wrong"),
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 400
    db.session.refresh(hub)
    assert not hub.stripe_charges_enabled


def test_stripe_unreachable_or_not_configured_is_said_on_the_settings_page(
    client, login_as, hub_shop
):
    shop, manager = hub_shop
    hub = shop.cycle.hub
    login_as(manager)
    app = client.application
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens
    page = client.post(f"/payments/hubs/{hub.id}/connect", follow_redirects=True)
    assert "Stripe est injoignable pour le moment" in page.get_data(as_text=True)
    db.session.refresh(hub)
    assert hub.stripe_account_id == ""
    key = app.config.get("STRIPE_SECRET_KEY")
    app.config["STRIPE_SECRET_KEY"] = ""
    try:
        page = client.post(f"/payments/hubs/{hub.id}/connect", follow_redirects=True)
    finally:
        app.config["STRIPE_SECRET_KEY"] = key
    assert "Le paiement par carte n’est pas configuré" in page.get_data(as_text=True)
