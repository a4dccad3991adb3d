"""A new hub follows the guided start of its dashboard to a published cycle, in real Chromium.

The hub manager has an account and a hub, nothing else. From the dashboard's checklist they follow
each step's link and do it through the pages: pay at pickup only on the settings page, a
distribution point, a producer who accepts the hub's request (the producer's manager accepts in
their own browser), a cycle with a pickup window, its products, publishing. After each step the
dashboard shows that step done and what is left; at the end the checklist is gone and an anonymous
visitor reaches the cycle's shop. Dates are built from one "now" (tests/clock.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.timeutils import utcnow
from cycles.models import OrderCycle
from enterprises.models import Enterprise
from tests.clock import local_day
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

STEPS = ["payments", "point", "producers", "cycle", "products", "publish"]
LABELS = {
    "payments": "Connectez votre compte Stripe, ou choisissez le paiement au retrait",
    "point": "Ajoutez un point de retrait",
    "producers": "Trouvez des producteurs qui vous laissent vendre leurs produits",
    "cycle": "Créez un premier cycle de commande",
    "products": "Choisissez les produits du cycle",
    "publish": "Publiez le cycle",
}


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def _flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def _dashboard(page, url: str, *, done: list[str]):
    """Open the dashboard and check the checklist shows exactly ``done`` as done, the rest as
    links to follow; returns the checklist."""
    page.goto(f"{url}/dashboard")
    checklist = page.get_by_test_id("checklist-hub")
    assert checklist.get_by_role("heading", name="Lancer votre comptoir").is_visible()
    assert checklist.locator(".hint").inner_text() == (
        f"{len(done)} étape(s) faite(s) sur {len(STEPS)}"
    )
    for key in STEPS:
        item = checklist.locator(f"li[data-step={key}]")
        text = item.inner_text()
        assert LABELS[key] in text
        if key in done:
            assert item.get_attribute("data-done") == "yes"
            assert "✓" in text
            assert item.get_by_role("link").count() == 0
        else:
            assert item.get_attribute("data-done") == "no"
            assert item.get_by_role("link", name=LABELS[key]).is_visible()
    return checklist


def _follow(page, checklist, key: str) -> None:
    checklist.get_by_role("link", name=LABELS[key]).click()
    page.wait_for_load_state()


def test_a_new_hub_follows_the_checklist_to_a_published_cycle(app, live_server, browser):
    from tests.factories import (
        HubFactory,
        MembershipFactory,
        ProducerFactory,
        ProductFactory,
        UserFactory,
        VariantFactory,
    )

    now = utcnow()
    opens, closes, pickup = local_day(-1, now=now), local_day(2, now=now), local_day(3, now=now)

    hub = HubFactory(name="La Grange", city="Rennes")
    manager = UserFactory(email="manon@example.org")
    MembershipFactory(user=manager, enterprise=hub)
    farm = ProducerFactory(name="Ferme des Prés", city="Betton")
    farmer = UserFactory(email="paul@example.org")
    MembershipFactory(user=farmer, enterprise=farm)
    VariantFactory(product=ProductFactory(producer=farm, name="Pommes"), name="1 kg")
    db.session.commit()
    hub_id, url = hub.id, live_server.url

    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    _login(page, url, "manon@example.org")

    checklist = _dashboard(page, url, done=[])
    page.screenshot(path="/tmp/new-hub-checklist-start.png", full_page=True)

    # 1. payments: the hub settings page; pay at pickup only (no card payment)
    _follow(page, checklist, "payments")
    assert page.url == f"{url}/hubs/{hub_id}/settings"
    page.get_by_label("Paiement par carte en ligne (via Stripe)").uncheck()
    page.get_by_label("Paiement au retrait").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "Réglages enregistrés." in _flash(page)
    checklist = _dashboard(page, url, done=["payments"])

    # 2. a distribution point
    _follow(page, checklist, "point")
    assert page.get_by_role("heading", name="Nouveau point de retrait").is_visible()
    page.locator("#name").fill("Salle des fêtes")
    page.locator("#address").fill("2 place de l'Église")
    page.locator("#postcode").fill("35000")
    page.locator("#city").fill("Rennes")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "Point de retrait ajouté." in _flash(page)
    checklist = _dashboard(page, url, done=["payments", "point"])

    # 3. producers: the hub asks, the producer accepts in their own browser
    _follow(page, checklist, "producers")
    assert page.get_by_role("heading", name="Producteurs de La Grange").is_visible()
    page.get_by_label("Structure", exact=True).select_option(label="Ferme des Prés (Betton)")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_load_state()
    assert "Demande envoyée à Ferme des Prés." in _flash(page)
    # asked, not yet allowed: still to do
    checklist = _dashboard(page, url, done=["payments", "point"])

    farmer_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    farmer_context.set_default_timeout(10_000)
    farmer_page = farmer_context.new_page()
    _login(farmer_page, url, "paul@example.org")
    farmer_page.goto(f"{url}/producers/{farm.id}/hubs")
    farmer_page.get_by_role("row", name="La Grange").get_by_role("button", name="Accepter").click()
    farmer_page.wait_for_load_state()
    assert "Autorisation accordée." in _flash(farmer_page)
    farmer_context.close()
    checklist = _dashboard(page, url, done=["payments", "point", "producers"])

    # 4. a first cycle, with a pickup window
    _follow(page, checklist, "cycle")
    assert page.get_by_role("heading", name="Nouveau cycle").is_visible()
    page.locator("#name").fill("Panier de la semaine")
    page.locator("#opens_at").fill(f"{opens.isoformat()}T08:00")
    page.locator("#closes_at").fill(f"{closes.isoformat()}T20:00")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_selector("#window-form")
    form = page.locator("#window-form")
    form.locator("#distribution_point_id").select_option(label="Salle des fêtes")
    form.locator("#day").fill(pickup.isoformat())
    form.locator("#start").fill("17:00")
    form.locator("#end").fill("19:00")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("section[id^=window-]").count() == 1
    checklist = _dashboard(page, url, done=["payments", "point", "producers", "cycle"])

    # 5. the products of the cycle
    _follow(page, checklist, "products")
    assert page.get_by_role("heading", name="Produits du cycle").is_visible()
    page.get_by_label("Pommes — 1 kg").check()
    page.get_by_role("button", name="Enregistrer cette page").click()
    page.wait_for_load_state()
    assert "Produits de cette page enregistrés." in _flash(page)
    checklist = _dashboard(page, url, done=["payments", "point", "producers", "cycle", "products"])

    # 6. publish
    _follow(page, checklist, "publish")
    page.locator("form[action$='/publish'] button").click()
    page.wait_for_load_state()
    assert "Cycle publié." in _flash(page)

    page.goto(f"{url}/dashboard")
    assert page.get_by_test_id("checklist-hub").count() == 0
    assert "Lancer votre comptoir" not in page.content()
    page.screenshot(path="/tmp/new-hub-checklist-end.png", full_page=True)
    context.close()

    db.session.remove()
    cycle = db.session.scalar(select(OrderCycle).where(OrderCycle.hub_id == hub_id))
    assert cycle.published is True
    saved_hub = db.session.get(Enterprise, hub_id)
    assert (saved_hub.allows_online_payment, saved_hub.allows_pay_at_pickup) == (False, True)

    # an anonymous visitor reaches the shop and sees the product
    anonymous = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    shop = anonymous.new_page()
    response = shop.goto(f"{url}/cycles/{cycle.id}/shop")
    assert response.status == 200
    assert shop.get_by_text("Pommes").first.is_visible()
    assert "Panier de la semaine" in shop.content()
    anonymous.close()
