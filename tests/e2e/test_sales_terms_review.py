"""A buyer reads the hub's sales terms from the review page, in real Chromium, and the order keeps
the version accepted (also after the hub saves a new one).

``LEGAL_SHOTS=/some/dir`` also saves screenshots of the legal pages (390 px and desktop).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from accounts.models import User
from core.db import db
from enterprises.models import Enterprise
from hubs.terms.services import ensure_current_terms
from orders.models import Order
from tests.factories import PASSWORD
from tests.factories_orders import Market, make_market

pytestmark = pytest.mark.e2e


def _add_to_cart(page, offer_id: int) -> None:
    card = page.locator(f"li.shop-item[data-offer-id='{offer_id}']")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    card.locator(".add-note", has_text="Ajouté à votre panier.").wait_for()


def test_buyer_reads_the_terms_from_the_review_page_and_the_order_keeps_them(
    app, live_server, browser, page
):
    market: Market = make_market()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/cycles/{market.cycle_id}/shop")
    assert page.get_by_test_id("shop-terms-link").inner_text() == "Conditions de vente"
    _add_to_cart(page, market.egg_offer_id)
    page.goto(f"{live_server.url}/cycles/{market.cycle_id}/checkout")
    page.get_by_label(re.compile("17:00.17:30")).check()
    page.locator("#guest_name").fill("Léa Bouvier")
    page.locator("#guest_email").fill("lea@example.org")
    page.get_by_label("Payer au retrait (espèces, chèque ou carte sur place)").check()
    page.get_by_role("button", name="Vérifier ma commande").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Vérifiez votre commande"

    # the link opens the hub's terms in a new tab; the review page stays as it was
    link = page.get_by_test_id("review-terms-link")
    assert link.inner_text() == "Lire les conditions de vente de La Grange (version 1)"
    with page.context.expect_page() as opened:
        link.click()
    terms_page = opened.value
    terms_page.wait_for_load_state()
    assert terms_page.locator("h1").inner_text() == "Conditions de vente de La Grange"
    body = terms_page.get_by_test_id("terms-body").inner_text()
    assert "CONDITIONS GÉNÉRALES DE VENTE — La Grange" in body
    assert "L221-28" in body
    terms_page.close()

    page.locator("#accept_terms").check()
    page.get_by_test_id("place-order").click()
    page.wait_for_url(re.compile(r"/orders/\d+/confirmation$"))
    order_id = int(re.search(r"/orders/(\d+)/confirmation", page.url).group(1))

    db.session.remove()
    order = db.session.get(Order, order_id)
    manager_email = db.session.get(User, market.manager_id).email
    assert order.sales_terms is not None
    assert order.sales_terms.version == 1
    accepted_body = order.sales_terms.body
    assert accepted_body.startswith("CONDITIONS GÉNÉRALES DE VENTE — La Grange")

    # the hub's manager writes its own terms from the hub's page: a new version; the order
    # keeps the one its buyer accepted
    manager_page = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 390, "height": 844}
    ).new_page()
    manager_page.on("pageerror", lambda exc: errors.append(str(exc)))
    manager_page.goto(f"{live_server.url}/login")
    manager_page.locator("#email").fill(manager_email)
    manager_page.locator("#password").fill(PASSWORD)
    manager_page.locator("form[action$='/login'] button[type=submit]").click()
    manager_page.wait_for_load_state()
    manager_page.goto(f"{live_server.url}/hubs/{market.hub_id}/manage")
    manager_page.get_by_role("link", name="Conditions de vente", exact=True).click()
    manager_page.wait_for_load_state()
    assert manager_page.locator("h1").inner_text() == "Conditions de vente"
    # the demo hub has no SIRET, and the mediator is always for the hub to name
    missing = manager_page.get_by_test_id("terms-missing").inner_text()
    assert missing.startswith("2 informations restent à compléter dans le texte")
    manager_page.get_by_label("Conditions de vente (texte brut)").fill(
        "Nouvelles conditions de La Grange."
    )
    manager_page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    manager_page.wait_for_load_state()
    assert "Conditions de vente enregistrées (version 2)." in manager_page.content()

    db.session.remove()
    hub = db.session.get(Enterprise, market.hub_id)
    assert ensure_current_terms(hub).version == 2
    order = db.session.get(Order, order_id)
    assert (order.sales_terms.version, order.sales_terms.body) == (1, accepted_body)
    # the buyer's order page links the version accepted, not the current one
    page.goto(f"{live_server.url}/orders/{order_id}")
    assert page.get_by_test_id("order-terms").get_by_role("link").get_attribute("href") == (
        f"/hubs/{market.hub_id}/terms/v1"
    )
    assert errors == []

    shots = os.environ.get("LEGAL_SHOTS")
    if shots:
        folder = Path(shots)
        folder.mkdir(parents=True, exist_ok=True)
        pages = {
            "legal": "/legal",
            "privacy": "/privacy",
            "terms": f"/hubs/{market.hub_id}/terms",
            "terms-v1": f"/hubs/{market.hub_id}/terms/v1",
            "order": f"/orders/{order_id}",
        }
        for width, label in ((390, "mobile"), (1280, "desktop")):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
            manager_page.set_viewport_size({"width": width, "height": 900})
            manager_page.goto(f"{live_server.url}/hubs/{market.hub_id}/manage/terms")
            manager_page.screenshot(path=str(folder / f"edit-{label}.png"), full_page=True)
