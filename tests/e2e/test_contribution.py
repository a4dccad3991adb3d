"""A producer manager chooses a free contribution in real Chromium: 0 € first, then 15 € a month."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from coop.models import ContributionPayment, ContributionPledge, PlatformCost, Rhythm
from core.db import db
from core.timeutils import local_date, utcnow
from enterprises.models import MembershipRole
from tests.factories import PASSWORD, EnterpriseFactory, MembershipFactory, UserFactory
from tests.support.live_server import LiveServer
from tests.support.stripe_server import LocalStripe

pytestmark = pytest.mark.e2e


@pytest.fixture
def live(app, live_server, monkeypatch) -> LiveServer:
    """The shared live server (tests/e2e/conftest.py), with real CSRF checks."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return live_server


def _text(value: str) -> str:
    return value.replace("\u202f", " ").replace("\xa0", " ")


def test_producer_chooses_zero_then_fifteen_euros_a_month(app, live, page):
    farm = EnterpriseFactory(name="Ferme des Quatre Vents", is_producer=True, is_hub=False)
    EnterpriseFactory(name="La Grange", is_producer=False, is_hub=True)
    manager = UserFactory(email="lea@quatrevents.example", full_name="Léa Bouvier", locale="fr")
    MembershipFactory(user=manager, enterprise=farm, role=MembershipRole.owner)
    # 480,00 EUR of costs this year, 2 active enterprises: 240,00 a year, 20,00 a month
    db.session.add(
        PlatformCost(label="Hébergement", yearly_cents=48_000, year=local_date(utcnow()).year)
    )
    db.session.commit()
    farm_id, manager_id = farm.id, manager.id

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live.url}/login")
    page.locator("#email").fill("lea@quatrevents.example")
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live.url}/dashboard")
    page.get_by_role("link", name="Contribution à Comptoir").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Votre contribution à Comptoir"
    suggestion = _text(page.get_by_test_id("suggestion").inner_text())
    assert suggestion == "20,00 € par mois, ou 240,00 € par an."
    assert page.get_by_text("Une simple suggestion, jamais une obligation.").is_visible()

    # 0 EUR: accepted, confirmed kindly, nothing to pay
    page.get_by_label("Montant (euros)").fill("0")
    page.get_by_label("Chaque mois").check()
    page.get_by_role("button", name="Enregistrer mon choix").click()
    page.wait_for_load_state()
    flash = page.locator(".flash-success")
    assert "Votre choix est enregistré : pas de contribution pour l'instant." in flash.inner_text()
    current = page.get_by_test_id("current-pledge").inner_text()
    assert "Vous avez choisi de ne pas contribuer pour l'instant (0 €)" in _text(current)
    assert page.get_by_test_id("pay-contribution").count() == 0

    # then 15 EUR a month
    page.get_by_label("Montant (euros)").fill("15")
    page.get_by_label("Chaque mois").check()
    page.get_by_role("button", name="Enregistrer mon choix").click()
    page.wait_for_load_state()
    assert _text(page.locator(".flash-success").inner_text()) == (
        "Merci ! Votre contribution de 15,00 € par mois est enregistrée."
    )
    assert _text(page.get_by_test_id("current-pledge").inner_text()).startswith(
        "15,00 € par mois, choisi le"
    )
    assert _text(page.get_by_test_id("pay-contribution").inner_text()) == "Payer 15,00 € par carte"
    history = _text(page.get_by_test_id("pledge-history").inner_text())
    assert "15,00 € par mois" in history
    assert "pas de contribution" in history
    assert errors == []

    db.session.remove()
    pledges = [
        (p.amount_cents, p.rhythm, p.chosen_by_id)
        for p in db.session.scalars(
            select(ContributionPledge)
            .where(ContributionPledge.enterprise_id == farm_id)
            .order_by(ContributionPledge.id)
        )
    ]
    assert pledges == [(0, Rhythm.monthly, manager_id), (1500, Rhythm.monthly, manager_id)]


@pytest.fixture
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe()
    yield server
    server.stop()


@pytest.fixture
def live_stripe(app, live_server, localstripe, monkeypatch) -> LiveServer:
    """Real CSRF checks, Stripe calls to localstripe, its signed webhooks sent to the server."""
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", localstripe.url)
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_comptoir")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    localstripe.configure_webhook(
        f"{live_server.url}/payments/stripe/webhook",
        app.config["STRIPE_WEBHOOK_SECRET"],
        events=["payment_intent.succeeded", "payment_intent.payment_failed"],
    )
    return live_server


def test_producer_pays_the_monthly_contribution_by_card(app, live_stripe, page):
    farm = EnterpriseFactory(name="GAEC du Moulin", is_producer=True, is_hub=False)
    manager = UserFactory(email="paul@moulin.example", locale="fr")
    MembershipFactory(user=manager, enterprise=farm, role=MembershipRole.owner)
    db.session.add(ContributionPledge(enterprise_id=farm.id, amount_cents=1500, rhythm="monthly"))
    db.session.commit()
    farm_id = farm.id
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_stripe.url}/login")
    page.locator("#email").fill("paul@moulin.example")
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_stripe.url}/enterprises/{farm_id}/contribution")
    page.get_by_test_id("pay-contribution").click()
    page.wait_for_load_state()

    pay_button = page.get_by_test_id("pay-button")
    assert _text(pay_button.inner_text()) == "Payer 15,00 €"
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("35200")
    with page.expect_response(re.compile(r"/contribution/payments/\d+/confirm$")) as confirmed:
        pay_button.click()
    assert confirmed.value.json()["status"] == "succeeded"

    # the page waits for localstripe's signed webhook, then shows the result
    page.wait_for_url(re.compile(r"/contribution\?payment=\d+$"), timeout=30_000)
    notice = _text(page.get_by_test_id("payment-notice").inner_text())
    assert notice == "Merci ! Votre paiement de 15,00 € est confirmé."
    assert errors == []
    db.session.remove()
    payments = list(
        db.session.scalars(
            select(ContributionPayment).where(ContributionPayment.enterprise_id == farm_id)
        )
    )
    assert [(p.amount_cents, p.method, p.status) for p in payments] == [(1500, "card", "paid")]
