"""The one French catalogue at work on real pages: wtforms' own messages in the reader's
language (a sub-form included) and the phrases that need a context (pgettext)."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from core.db import db
from tests.factories import OrderCycleFactory
from tests.factories_products import producer_with_manager

REQUIRED = {"fr": "Ce champ est requis.", "en": "This field is required."}


def _in(client, lang: str):
    with client.session_transaction() as sess:
        sess["lang"] = lang
    return client


def _error(html: str, field_id: str) -> str:
    found = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</', html, re.S)
    assert found, f"no error shown for {field_id}"
    return found.group(1).strip()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_signup_required_field_in_the_readers_language(client, lang):
    response = _in(client, lang).post(
        "/signup", data={"full_name": "", "email": "a@example.org", "password": "x" * 12}
    )
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "full_name") == REQUIRED[lang]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_product_variant_sub_form_in_the_readers_language(client, login_as, db_session, lang):
    """The variant rows are a FormField: wtforms builds them with their own Meta, which said
    "This field is required." on the French page before core.forms.SubForm."""
    producer, manager = producer_with_manager()
    db_session.commit()
    login_as(manager)
    response = _in(client, lang).post(
        f"/producers/{producer.id}/products/new",
        data={
            "name": "Carottes",
            "product_type": "dfc-pt:carrot",
            "vat_rate_bp": "550",
            "variants-0-sku": "",
            "variants-0-unit": "kg",
            "variants-0-unit_value": "1",
            "variants-0-price": "2,50",
            "variants-0-stock": "3",
        },
    )
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "variants-0-sku") == REQUIRED[lang]


def test_shop_button_and_shop_page_title_are_two_french_phrases(client, db_session):
    """msgid "Shop": the button says what to do, the page (and the enterprise kind) names the
    place."""
    cycle = OrderCycleFactory()
    db.session.flush()
    home = _in(client, "fr").get("/").get_data(as_text=True)
    card = home[home.index(str(escape(cycle.hub.name))) :]
    assert "Commandes ouvertes" in card
    link = re.search(r'<a class="button" href="([^"]+)">Faire mes courses</a>', card)
    assert link, "the French shop button"
    shop = client.get(link.group(1)).get_data(as_text=True)
    assert f"<title>Boutique – {escape(cycle.hub.name)}" in shop

    home = _in(client, "en").get("/").get_data(as_text=True)
    assert re.search(r'<a class="button" href="[^"]+">Shop</a>', home)
