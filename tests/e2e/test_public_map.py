"""The map of hubs and producers in real Chromium: Leaflet comes from our static files and draws
a marker per place, with no tile reachable (tests have no network: tile requests are refused),
and the list is there for those without JavaScript."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from core.db import db
from tests.factories import (
    PASSWORD,
    CycleOfferFactory,
    DistributionPointFactory,
    HubFactory,
    OrderCycleFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.e2e

#: set COMPTOIR_SCREENSHOTS=/some/dir to keep the screenshots
SHOTS = os.environ.get("COMPTOIR_SCREENSHOTS", "")


def _places():
    HubFactory(name="La Grange", latitude=Decimal("48.11"), longitude=Decimal("-1.68"))
    HubFactory(name="Bar de la Gare", latitude=Decimal("48.20"), longitude=Decimal("-1.50"))
    ProducerFactory(name="Ferme des Saules", latitude=Decimal("48.05"), longitude=Decimal("-1.9"))
    ProducerFactory(name="Ferme sans lieu", latitude=None, longitude=None)
    db.session.commit()


def test_the_map_draws_markers_with_our_leaflet_and_no_tiles(live_server, page, tmp_path):
    _places()
    scripts: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request", lambda req: scripts.append(req.url) if req.resource_type == "script" else None
    )
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });"
    )

    page.goto(f"{live_server.url}/map")

    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Carte des comptoirs et des producteurs"
    )
    page.locator(".leaflet-marker-icon").first.wait_for()
    assert page.locator(".leaflet-marker-icon").count() == 2  # the hubs: pins
    assert page.locator("path.pub-producer-marker").count() == 1  # the located producer
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    leaflet = [url for url in scripts if "leaflet" in url]
    assert leaflet == [f"{live_server.url}/static/vendor/leaflet/leaflet.js"]
    assert page.evaluate("typeof window.L") == "object"
    # the list is there too, with the place the map cannot show
    assert page.get_by_role("link", name="Ferme sans lieu").is_visible()
    # a marker opens a popup linking to the place's page
    page.locator(".leaflet-marker-icon").first.click()
    popup = page.locator(".leaflet-popup-content a")
    assert popup.inner_text() in ("La Grange", "Bar de la Gare")
    assert "/hubs/" in popup.get_attribute("href")
    assert errors == []
    assert page.evaluate("window.__csp") == []  # Leaflet keeps to our Content-Security-Policy
    folder = Path(SHOTS) if SHOTS else tmp_path
    page.screenshot(path=str(folder / "map-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.locator(".leaflet-marker-icon").first.wait_for()
    page.screenshot(path=str(folder / "map-1280.png"), full_page=True)


def test_without_javascript_the_map_page_is_a_list(live_server, browser):
    _places()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/map")
        assert not page.locator("#map").is_visible()
        assert page.get_by_role("link", name="La Grange").is_visible()
        assert page.get_by_role("link", name="Ferme des Saules").is_visible()
    finally:
        context.close()


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_a_visitor_reads_a_hub_then_its_producer_follows_it_and_finds_mes_comptoirs(
    live_server, page, tmp_path
):
    hub = HubFactory(
        name="La Grange",
        description="Un tiers-lieu au bord du canal : épicerie, café, ateliers.",
        phone="02 99 00 00 00",
    )
    point = DistributionPointFactory(
        hub=hub,
        name="Salle des fêtes",
        access_instructions="Entrée par la cour, sonnez à la porte verte.",
    )
    cycle = OrderCycleFactory(hub=hub, name="Panier de la semaine")
    PickupWindowFactory(cycle=cycle, distribution_point=point)
    producer = ProducerFactory(
        name="Ferme des Saules",
        slug="saules",
        description="Trois générations de maraîchers sur les bords de la Vilaine.",
    )
    ProducerHubLinkFactory(producer=producer, hub=hub)
    for name in ("Carottes des sables", "Poireaux", "Œufs bio"):
        variant = VariantFactory(product=ProductFactory(producer=producer, name=name))
        CycleOfferFactory(cycle=cycle, variant=variant)
    citizen = UserFactory(email="camille@example.org")
    db.session.commit()
    folder = Path(SHOTS) if SHOTS else tmp_path

    page.goto(f"{live_server.url}/hubs/{hub.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "La Grange"
    assert "Entrée par la cour" in page.locator("[data-testid=hub-point]").inner_text()
    _no_overflow(page)
    page.screenshot(path=str(folder / "hub-390.png"), full_page=True)
    page.get_by_role("link", name="Ferme des Saules").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ferme des Saules"
    offers = page.locator("[data-testid=producer-offers]")
    assert "Œufs bio" in offers.inner_text()
    assert "La Grange" in offers.inner_text()
    _no_overflow(page)
    page.screenshot(path=str(folder / "producer-390.png"), full_page=True)

    _login(page, live_server.url, citizen.email)
    page.goto(f"{live_server.url}/hubs/{hub.id}")
    page.get_by_test_id("follow-button").click()
    page.goto(f"{live_server.url}/account")
    page.get_by_test_id("my-hubs-link").click()
    assert "La Grange" in page.get_by_test_id("followed-hubs").inner_text()
    _no_overflow(page)
    page.screenshot(path=str(folder / "my-hubs-390.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/hubs/{hub.id}")
    page.screenshot(path=str(folder / "hub-1280.png"), full_page=True)
    page.goto(f"{live_server.url}/e/saules")
    page.screenshot(path=str(folder / "producer-1280.png"), full_page=True)


def test_far_from_every_hub_a_visitor_asks_for_one(live_server, page, tmp_path):
    from hubs.services import load_postcodes

    load_postcodes(departments=["35", "13"])
    HubFactory(name="La Grange")
    db.session.commit()
    folder = Path(SHOTS) if SHOTS else tmp_path

    page.goto(f"{live_server.url}/hubs")
    page.locator("#postcode").fill("13001")
    page.get_by_role("button", name="Rechercher").click()
    assert "Aucun comptoir près de chez vous" in page.get_by_test_id("nothing-near").inner_text()
    _no_overflow(page)
    page.screenshot(path=str(folder / "far-390.png"), full_page=True)
    page.locator("#email").fill("pas-une-adresse")
    page.get_by_role("button", name="Demander un comptoir ici").click()
    assert page.locator("#email-error").is_visible()
    page.locator("#email").fill("camille@example.org")
    page.locator("#message").fill("Des légumes le jeudi soir ?")
    page.get_by_role("button", name="Demander un comptoir ici").click()
    assert "Merci : votre demande est enregistrée." in page.locator(".flashes").inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/hubs?postcode=13001")
    page.screenshot(path=str(folder / "far-1280.png"), full_page=True)
