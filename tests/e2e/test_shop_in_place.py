"""Shopping without friction on a phone (issue #19, item 5), in real Chromium at 390×844.

"Ajouter" keeps the page where it is (with JavaScript: no reload; without: back at the card),
a quantity far above usual is confirmed first, the cart is a list of cards with its total and
"Commander" in view, a closed shop says when the next cycle opens, and the header is one line
with a menu button and the cart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.db import db
from core.timeutils import utcnow
from tests.factories import OrderCycleFactory
from tests.factories_orders import make_shop

pytestmark = pytest.mark.e2e

SHOTS = "/tmp"  # screenshots kept for a look (not asserted)


def _shop(offers: int = 12, stock: int = 2000):
    shop = make_shop(offers=offers, producers=3, stock=stock)
    db.session.commit()
    return shop


def _card(page, offer_id: int):
    return page.locator(f"li.shop-item[data-offer-id='{offer_id}']")


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844


@pytest.fixture
def no_js_page(browser) -> Iterator:
    context = browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_adding_to_cart_keeps_the_scroll_position(live_server, page):
    shop = _shop()
    offer = shop.offers[8]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    card = _card(page, offer.id)
    add = card.get_by_role("button", name=re.compile("^Ajouter"))
    # the button in the middle of the screen (cards are tall with their photo): clicking it
    # needs no scroll, so any move is the page's
    add.evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY"
        " - window.innerHeight / 2)"
    )
    page.evaluate("window.notReloaded = true")
    before = page.evaluate("window.scrollY")
    assert before > 1000
    assert _in_view(page, add)

    card.locator("input[name=quantity]").fill("3")
    add.click()
    card.locator(".add-note", has_text="Ajouté à votre panier.").wait_for()

    assert page.evaluate("window.scrollY") == before
    assert page.evaluate("window.notReloaded") is True  # the same page, not a reload
    assert card.get_by_role("button").inner_text() == "Ajouter (3 dans le panier)"
    assert page.get_by_test_id("header-cart").inner_text().split()[-1] == "3"
    assert page.get_by_test_id("cart-link").inner_text() == "Panier (3)"
    # said to screen readers without moving their focus
    expect(page.locator("#live-status")).to_have_text("Ajouté à votre panier.")
    page.screenshot(path=f"{SHOTS}/shopux-add-in-place.png")

    # a second add counts on top of the first, still in place
    card.locator("input[name=quantity]").fill("2")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    card.get_by_role("button", name="Ajouter (5 dans le panier)").wait_for()
    assert page.evaluate("window.scrollY") == before
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/cart")
    assert page.locator(f"#cart-qty-{offer.id}").input_value() == "5"
    assert errors == []


def test_without_javascript_adding_comes_back_to_the_same_card(live_server, no_js_page):
    page = no_js_page
    shop = _shop()
    offer = shop.offers[8]
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    card = _card(page, offer.id)
    card.scroll_into_view_if_needed()
    card.locator("input[name=quantity]").fill("2")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    page.wait_for_load_state()

    assert page.url.endswith(f"/cycles/{shop.cycle.id}/shop#add-{offer.id}")
    card = _card(page, offer.id)
    note = card.locator(".add-note")
    assert note.inner_text() == "Ajouté à votre panier."
    assert _in_view(page, note)
    assert _in_view(page, card.locator("h2"))  # the card's name above it too
    assert card.get_by_role("button").inner_text() == "Ajouter (2 dans le panier)"
    assert page.locator(".flashes").count() == 0  # said once, on the card
    page.screenshot(path=f"{SHOTS}/shopux-add-no-js.png")


def test_a_quantity_far_above_usual_is_confirmed_in_the_card(live_server, page):
    shop = _shop(offers=3)
    offer = shop.offers[1]
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    card = _card(page, offer.id)
    card.locator("input[name=quantity]").fill("999")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()

    question = card.locator(".add-confirm")
    question.wait_for()
    text = question.locator("p").inner_text()
    assert text.startswith("999 × Produit 00001 (1 kg) : c’est bien plus que d’habitude.")
    # the question has the focus (read at once), nothing is in the cart yet
    assert page.evaluate("document.activeElement.id") == f"confirm-{offer.id}"
    assert page.get_by_test_id("cart-link").inner_text() == "Panier (0)"
    page.screenshot(path=f"{SHOTS}/shopux-confirm.png")

    # "No" puts the focus back on the quantity to correct it
    question.get_by_role("button", name="Non, corriger la quantité").click()
    assert question.count() == 0
    assert page.evaluate("document.activeElement.name") == "quantity"

    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    card.locator(".add-confirm").get_by_role("button", name="Oui, ajouter à mon panier").click()
    card.get_by_role("button", name="Ajouter (999 dans le panier)").wait_for()
    assert page.get_by_test_id("cart-link").inner_text() == "Panier (999)"


def test_without_javascript_a_large_quantity_has_its_own_confirmation_step(live_server, no_js_page):
    page = no_js_page
    shop = _shop(offers=3)
    offer = shop.offers[1]
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    card = _card(page, offer.id)
    card.locator("input[name=quantity]").fill("999")
    card.get_by_role("button", name=re.compile("^Ajouter")).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Est-ce la quantité voulue ?"
    page.get_by_role("button", name="Oui, ajouter à mon panier").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#add-{offer.id}")
    assert _card(page, offer.id).get_by_role("button").inner_text() == (
        "Ajouter (999 dans le panier)"
    )


def test_the_cart_on_a_phone_is_a_list_of_cards_with_a_sticky_total(live_server, page):
    shop = _shop(offers=8)
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    for offer in shop.offers:
        card = _card(page, offer.id)
        card.get_by_role("button", name=re.compile("^Ajouter")).click()
        card.locator(".add-note").wait_for()
    page.get_by_test_id("header-cart").click()
    page.wait_for_load_state()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("main table").count() == 0
    assert page.locator("li.cart-line").count() == 8
    # the total and "Commander" are on screen at the top of a long cart, and at its end
    bar = page.get_by_test_id("cart-total-bar")
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * 844
    for scroll in ("0", "document.documentElement.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {scroll})")
        box = bar.bounding_box()
        assert 0 <= box["y"]
        assert box["y"] + box["height"] <= 844
        assert bar.get_by_role("link", name="Commander", exact=True).is_visible()
    assert re.fullmatch(r"Total : 39,60\s€", bar.locator(".price").inner_text())
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=f"{SHOTS}/shopux-cart-phone.png")


def test_a_closed_shop_says_when_the_next_cycle_opens(live_server, page):
    shop = _shop(offers=2)
    now = utcnow()
    cycle = shop.cycle
    cycle.opens_at = now - timedelta(days=8)
    cycle.closes_at = now - timedelta(days=1)
    nxt = OrderCycleFactory(
        hub=cycle.hub,
        name="Panier de Noël",
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=6),
    )
    other = OrderCycleFactory(hub=cycle.hub, name="Vente de sapins")
    db.session.commit()

    page.goto(f"{live_server.url}/cycles/{cycle.id}/shop")
    text = page.get_by_test_id("shop-elsewhere").inner_text()
    assert "Prochain cycle de commande : Panier de Noël, ouverture des commandes le " in text
    assert "Ouvert en ce moment chez" in text
    assert page.get_by_role("link", name="Vente de sapins").get_attribute("href") == (
        f"/cycles/{other.id}/shop"
    )
    assert page.locator("form.add-form").count() == 0
    page.screenshot(path=f"{SHOTS}/shopux-closed-shop.png")
    page.get_by_role("link", name="Voir ce qui sera proposé").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cycles/{nxt.id}/shop")
    assert "Ouverture des commandes le" in page.locator("header.shop-header").inner_text()


def test_the_header_is_one_line_with_a_menu_button_and_the_cart(live_server, page, no_js_page):
    shop = _shop(offers=2)
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] <= 64
    login = page.get_by_role("link", name="Se connecter")
    assert not login.is_visible()
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert login.is_visible()
    page.screenshot(path=f"{SHOTS}/shopux-menu-open.png")
    page.keyboard.press("Escape")
    assert not login.is_visible()
    assert page.get_by_test_id("header-cart").get_attribute("href") == (
        f"/cycles/{shop.cycle.id}/cart"
    )

    # without JavaScript the menu button is a link that opens the menu (#site-menu) too
    no_js_page.goto(f"{live_server.url}/")
    no_js_page.get_by_role("link", name="Menu").click()
    assert no_js_page.get_by_role("link", name="Se connecter").is_visible()
    no_js_page.get_by_role("link", name="Fermer le menu").click()
    assert not no_js_page.get_by_role("link", name="Se connecter").is_visible()
