"""A producer fills in the food information in real Chromium, finding the category by typing;
the product page then shows the allergens in bold."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from products.models import Product
from tests.e2e.test_catalogue import browser, live_url, page_as_producer  # noqa: F401

pytestmark = pytest.mark.e2e


def test_category_finder_and_food_information(live_url, page_as_producer):  # noqa: F811
    page, producer_id = page_as_producer
    page.goto(f"{live_url}/producers/{producer_id}/products/new")
    page.locator("#name").fill("Faisselle")
    finder = page.locator("input.category-finder")
    finder.fill("chevre frais")  # accents ignored
    options = page.eval_on_selector("#product_type", "s => Array.from(s.options).map(o => o.text)")
    assert options == ["— choisir —", "Fromage frais de chèvre"]
    assert page.locator("#product_type").input_value() == "dfc-pt:goat-fresh-cheese"

    page.locator("#ingredients").fill("Lait cru de chèvre, ferments, sel")
    page.locator("input[name=allergens][value=milk]").check()
    page.locator("#date_kind").select_option("dlc")
    page.locator("#shelf_life_days").fill("6")
    page.locator("#variants-0-sku").fill("FAI-1")
    page.locator("#variants-0-unit").select_option("piece")
    page.locator("#variants-0-unit_value").fill("1")
    page.locator("#variants-0-price").fill("3,20")
    page.locator("#variants-0-stock").fill("10")
    page.locator("#submit").click()
    page.wait_for_url(f"{live_url}/producers/{producer_id}/products")

    db.session.expire_all()
    product = db.session.scalar(select(Product).where(Product.producer_id == producer_id))
    assert (product.product_type, product.allergen_codes) == ("dfc-pt:goat-fresh-cheese", ["milk"])
    page.goto(f"{live_url}/products/{product.id}")
    bold = page.locator("[data-testid=ingredients] strong.allergen")
    assert bold.all_inner_texts() == ["Lait"]
    assert page.locator("[data-testid=allergens]").inner_text().startswith("Lait")
