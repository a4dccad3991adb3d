"""A buyer reads the hub's sales terms from the review page, in real Chromium, and the order keeps
the version accepted (also after the hub saves a new one).

``LEGAL_SHOTS=/some/dir`` also saves screenshots of the legal pages (390 px and desktop).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core.db import db
from enterprises.models import Enterprise
from hubs.terms.services import ensure_current_terms, save_terms
from orders.models import Order
from tests.factories_orders import Market, make_market

pytestmark = pytest.mark.e2e


def _add_to_cart(page, offer_id: int) -> None:
    card = page.locator(f"li.shop-item[data-offer-id='{offer_id}']")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    page.wait_for_load_state()


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
    hub = db.session.get(Enterprise, market.hub_id)
    order = db.session.get(Order, order_id)
    assert order.sales_terms is not None
    assert order.sales_terms.version == 1
    accepted_body = order.sales_terms.body
    assert accepted_body.startswith("CONDITIONS GÉNÉRALES DE VENTE — La Grange")

    # the hub writes its own terms: a new version; the order keeps the one its buyer accepted
    save_terms(hub, body="Nouvelles conditions de La Grange.", actor_id=market.manager_id)
    db.session.remove()
    hub = db.session.get(Enterprise, market.hub_id)
    assert ensure_current_terms(hub).version == 2
    order = db.session.get(Order, order_id)
    assert (order.sales_terms.version, order.sales_terms.body) == (1, accepted_body)
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
        }
        for width, label in ((390, "mobile"), (1280, "desktop")):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
