"""A producer builds its catalogue in real Chromium: a product with two variants, a quick stock
edit, then a CSV import with its progress bar, its error preview and its all-or-nothing apply."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.db import db
from products.models import Product, Variant
from tests.login import session_values

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_url(app, committed):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _session_cookie(app, user_id: int) -> str:
    client = app.test_client()
    values = session_values(user_id)
    with client.session_transaction() as sess:
        sess.update(values)
    return client.get_cookie("session").value


@pytest.fixture
def page_as_producer(app, live_url, browser):
    from tests.factories_products import producer_with_manager

    producer, manager = producer_with_manager(name="Ferme des Quatre Vents")
    db.session.commit()
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.add_cookies(
        [{"name": "session", "value": _session_cookie(app, manager.id), "url": live_url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, producer.id
    context.close()


def test_producer_creates_a_product_with_two_variants_and_stock(live_url, page_as_producer):
    page, producer_id = page_as_producer
    page.goto(f"{live_url}/producers/{producer_id}/products")
    page.locator(f"a[href='/producers/{producer_id}/products/new']").first.click()

    page.locator("#name").fill("Carottes des sables")
    page.locator("#product_type").select_option("dfc-pt:carrot")
    page.locator("#description").fill("Récoltées la veille, lavées.")
    page.locator("#vat_rate_bp").select_option("550")
    page.locator(".labels-field summary").click()
    page.locator("input[name=labels][value='dfc-f:Organic-AB']").check()

    page.locator("#variants-0-name").fill("Botte")
    page.locator("#variants-0-sku").fill("CAR-BOT")
    page.locator("#variants-0-unit").select_option("piece")
    page.locator("#variants-0-unit_value").fill("1")
    page.locator("#variants-0-price").fill("2,50")
    page.locator("#variants-0-stock").fill("12")

    page.locator("#add_variant").click()  # a second variant row, nothing saved yet
    page.locator("#variants-1-sku").fill("CAR-500")
    page.locator("#variants-1-unit").select_option("g")
    page.locator("#variants-1-unit_value").fill("500")
    page.locator("#variants-1-price").fill("1,90")
    page.locator("#variants-1-stock").fill("30")
    page.locator("#submit").click()

    page.wait_for_url(f"{live_url}/producers/{producer_id}/products")
    rows = page.locator("table.catalogue tbody tr")
    assert rows.count() == 2
    first = page.locator("tr[data-sku='CAR-500']")
    assert "3,80" in first.inner_text()  # the EU unit price: 1,90 € the 500 g -> 3,80 €/kg

    # quick edit of the stock, saved without leaving the page
    first.locator("input[name=stock]").fill("25")
    first.locator("button[type=submit]").click()
    # a function, not an expression: an expression is eval'd, which the CSP refuses
    page.wait_for_function(
        "() => document.querySelector(\"tr[data-sku='CAR-500'] .quick-status\")"
        ".classList.contains('ok')"
    )

    db.session.expire_all()
    product = db.session.scalar(select(Product).where(Product.producer_id == producer_id))
    assert product.name == "Carottes des sables"
    assert [label.code for label in product.labels] == ["dfc-f:Organic-AB"]
    assert [(v.sku, v.price_cents, v.stock, v.on_demand) for v in product.variants] == [
        ("CAR-BOT", 250, 12, False),
        ("CAR-500", 190, 25, False),
    ]


def test_csv_import_with_progress_preview_and_apply(live_url, page_as_producer, tmp_path):
    page, producer_id = page_as_producer
    header = "sku;produit;variante;catégorie;unité;quantité;prix;tva;stock"
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(
        (
            f"{header}\r\nM-250;Miel de fleurs;Pot 250 g;miel;g;250;6,50;5,5;10\r\n"
            "M-500;Miel de fleurs;Pot 500 g;miel;g;500;onze;5,5;-2\r\n"
        ).encode("cp1252")
    )
    page.goto(f"{live_url}/producers/{producer_id}/products/import")
    page.locator("#file").set_input_files(str(bad))
    page.locator("#submit").click()
    page.wait_for_selector("table.import-errors")
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 2
    text = page.locator("table.import-errors").inner_text()
    assert "price_eur" in text
    assert "stock" in text
    assert db.session.scalar(select(Variant.id)) is None  # nothing written

    good = tmp_path / "bon.csv"
    rows = [f"M-{i};Miel n°{i // 2};Pot;miel;g;250;6,50;5,5;{i}" for i in range(3000)]
    good.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("cp1252"))
    page.goto(f"{live_url}/producers/{producer_id}/products/import")
    page.locator("#file").set_input_files(str(good))
    with page.expect_request(lambda r: r.headers.get("x-progress") == "ndjson"):
        page.locator("#submit").click()  # sent by the page's script: progress as JSON lines
    page.wait_for_selector("form[action$='/apply']")
    assert db.session.scalar(select(Variant.id)) is None  # the preview wrote nothing
    page.locator("form[action$='/apply'] button, form[action$='/apply'] input[type=submit]").click()
    page.wait_for_selector("#import-done")
    assert "3000" in page.locator("#import-done").inner_text()
    db.session.expire_all()
    assert len(db.session.scalars(select(Variant.id)).all()) == 3000
