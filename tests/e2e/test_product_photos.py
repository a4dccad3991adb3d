"""A producer adds a photo to a product in real Chromium; a citizen on a phone sees it on the
shop card (WebP, lazily loaded, the space reserved) and opens the product page from the card."""

from __future__ import annotations

import pytest

from core.db import db
from enterprises.models import MembershipRole
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories_orders import make_shop
from tests.support.images import photo_bytes

pytestmark = pytest.mark.e2e


def _log_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def test_a_producers_photo_shows_on_the_shop_card(live_server, browser, page, tmp_path):
    shop = make_shop(offers=3, producers=1)
    product = shop.offers[0].variant.product
    product.name = "Aaa tomates anciennes"
    farmer = UserFactory(email="paul@example.org", locale="fr")
    MembershipFactory(user=farmer, enterprise=product.producer, role=MembershipRole.owner)
    citizen = UserFactory(email="camille@example.org", locale="fr")
    db.session.commit()
    photo = tmp_path / "tomates.jpg"
    photo.write_bytes(photo_bytes((2000, 1500), color=(190, 30, 30), gps=True))

    # the producer adds the photo on the product's page
    farmer_page = browser.new_context(locale="fr-FR").new_page()
    _log_in(farmer_page, live_server.url, farmer.email)
    farmer_page.goto(f"{live_server.url}/products/{product.id}/edit")
    farmer_page.locator("#photo").set_input_files(str(photo))
    farmer_page.locator("#alt").fill("Tomates rouges en cagette")
    farmer_page.get_by_role("button", name="Ajouter la photo").click()
    farmer_page.wait_for_load_state()
    assert "Photo ajoutée." in farmer_page.locator("body").inner_text()
    assert farmer_page.locator("#photos .photo-row").count() == 1
    farmer_page.context.close()

    # a citizen on a phone sees it on the card
    _log_in(page, live_server.url, citizen.email)
    page.goto(f"{live_server.url}/cycles/{shop.cycle.id}/shop")
    card = page.locator("li.shop-item", has_text="Aaa tomates anciennes")
    image = card.locator(".card-photo img")
    assert image.get_attribute("loading") == "lazy"
    assert image.get_attribute("width") == "1600"
    assert image.get_attribute("height") == "1200"
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    chosen = image.evaluate("img => img.currentSrc")
    assert chosen.endswith(".webp")  # the WebP source, in a width that fits a 390 px phone
    assert "/media/photos/" in chosen
    box = image.bounding_box()
    assert 340 <= box["width"] <= 390
    assert abs(box["height"] - box["width"] * 2 / 3) < 2  # 3:2, reserved before loading
    # the other cards show their category's illustration
    other = page.locator("li.shop-item").nth(1).locator(".card-photo img")
    assert "/static/img/photos/" in other.get_attribute("src")

    # the card's title opens the product page, which shows the photo and leads back
    card.get_by_role("link", name="Aaa tomates anciennes").click()
    page.wait_for_load_state()
    gallery = page.get_by_test_id("product-photos").locator("img")
    assert gallery.count() == 1
    assert gallery.first.get_attribute("alt") == "Tomates rouges en cagette"
    page.wait_for_function("img => img.naturalWidth > 0", arg=gallery.first.element_handle())
    page.get_by_test_id("back-to-shop").click()
    assert f"/cycles/{shop.cycle.id}/shop" in page.url
