"""The cooperative's public pages and the shop's price breakdown, in real Chromium (French UI)."""

from __future__ import annotations

import pytest

from core.db import db
from tests.factories_coop import make_territory
from tests.factories_orders import make_market

pytestmark = pytest.mark.e2e


def _text(value: str) -> str:
    return value.replace("\u202f", " ").replace("\xa0", " ")


def test_territories_accounts_and_price_breakdown(live_server, page, tmp_path):
    make_territory()
    market = make_market()
    db.session.commit()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Chiffres territoriaux").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Chiffres territoriaux"
    row = page.locator("li[data-area='35']")
    assert "37,5 %" in _text(row.inner_text())
    assert "55,6 km" in _text(row.inner_text())
    row.locator("summary").click()
    assert row.locator("details table").is_visible()
    page.screenshot(path=str(tmp_path / "territories.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les données ouvertes (CSV)").click()
    body = download.value.path().read_text(encoding="utf-8")
    assert body.startswith("level,code,name,department,month")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Voir les comptes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Les comptes de la coopérative"
    assert "12,34 € donne 0,12 €" in _text(page.locator("[data-figure=example]").inner_text())
    page.screenshot(path=str(tmp_path / "accounts.png"), full_page=True)

    page.goto(f"{live_server.url}/cycles/{market.cycle_id}/shop")
    card = page.locator(f"li.shop-item[data-offer-id='{market.butter_offer_id}']")
    details = card.locator("details.price-breakdown")
    assert not details.locator("p").is_visible()
    details.locator("summary").click()
    text = _text(details.locator("p").inner_text())
    assert "Producteur 3,20 €" in text  # butter: 3.20 EUR + 10 % hub fee
    assert "part du comptoir 0,32 €" in text
    assert "coopérative 0,04 €" in text  # 1 % of 3.52 = 0.0352
    assert errors == []
