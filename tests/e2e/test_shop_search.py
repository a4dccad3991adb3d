"""A visitor searches the shop as people type: no accents, a ligature, a typo (issue 19)."""

from __future__ import annotations

import pytest

from tests.factories_orders import make_market

pytestmark = pytest.mark.e2e


def _titles(page) -> list[str]:
    return page.locator("li.shop-item h2").all_inner_texts()


def test_oeuf_finds_the_eggs_and_a_typo_finds_the_butter(live_server, page):
    market = make_market()
    page.goto(f"{live_server.url}/cycles/{market.cycle_id}/shop")
    assert len(_titles(page)) == 3

    page.locator("#q").fill("oeuf")
    page.locator("#q").press("Enter")
    page.wait_for_load_state()
    assert _titles(page) == ["Œufs plein air"]

    page.locator("#q").fill("bueurre")
    page.locator("#q").press("Enter")
    page.wait_for_load_state()
    assert _titles(page) == ["Beurre demi-sel"]
    assert "voici les produits les plus proches" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
