"""French search (issue 19, item 4) on PostgreSQL and on SQLite: the shop, the producer's list,
the hub's offer candidates; folding, triggers, ranking, typos, odd input, query counts."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import insert, select, text, update

from core.db import db, table_of
from cycles.models import FeeKind
from cycles.services import offer_candidates
from products.models import Product, Variant
from products.search import fold
from products.services import VariantFilters, list_variants
from tests.factories import (
    CycleOfferFactory,
    OrderCycleFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProductFactory,
    VariantFactory,
)
from tests.factories_orders import make_shop
from tests.i18n import in_language
from tests.querycount import count_queries

SAMPLES = [
    "Œufs bio",
    "Crème fraîche",
    "Pain d'épices",
    "PAIN D’ÉPICES",
    "Cœur de bœuf, ÆBLE",
    "Tomates «cerises» — 500 g",
    "Bière d'Alsace ½ l",
    "Smørrebrød Straße",
    "  --  ",
    "",
]

#: name, variant, description (the catalogue of the search tests)
CATALOGUE = [
    ("Œufs bio", "Boîte de 6", "Poules en plein air."),
    ("Crème fraîche", "Pot 50 cl", "Crème crue épaisse."),
    ("Pain d'épices", "Tranche", "Au miel de châtaignier."),
    ("Tomates cerises", "Barquette 500 g", "Rouges et sucrées."),
    ("Coulis", "Bocal", "Fait avec nos tomates mûres."),
    ("Fromage de chèvre", "Pièce", "Affiné trois semaines."),
    ("Confiture de fraises", "Pot 350 g", "Fraises du jardin."),
    ("Poivre noir", "Sachet", "Moulu."),
    ("Poires", "1 kg", "Williams."),
]


def _catalogue(producer_name: str = "Ferme du Chêne"):
    """An open cycle offering CATALOGUE from one producer; returns the shop's URL."""
    farm = ProducerFactory(name=producer_name)
    cycle = OrderCycleFactory()
    PickupWindowFactory(cycle=cycle)
    for name, variant_name, description in CATALOGUE:
        product = ProductFactory(producer=farm, name=name, description=description)
        variant = VariantFactory(product=product, name=variant_name)
        CycleOfferFactory(
            cycle=cycle, variant=variant, hub_fee_kind=FeeKind.percent, hub_fee_value=0
        )
    db.session.flush()
    return f"/cycles/{cycle.id}/shop", cycle, farm


def _names(client, url: str, q: str) -> list[str]:
    response = client.get(f"{url}?q={quote(q)}")
    assert response.status_code == 200, (q, response.status_code)
    return _titles(response.get_data(as_text=True))


def _titles(page: str) -> list[str]:
    """The cards' product names (each title links to the product page)."""
    return re.findall(r'<h2 class="h3">(?:<a [^>]*>)?([^<]*)(?:</a>)?</h2>', page)


def _check_french_search(client) -> None:
    url, _cycle, _farm = _catalogue()
    db.session.commit()
    in_language(client, "fr")
    assert _names(client, url, "oeuf") == ["Œufs bio"]
    assert _names(client, url, "creme") == ["Crème fraîche"]
    assert _names(client, url, "epices") == ["Pain d&#39;épices"]
    assert _names(client, url, "ŒUFS") == ["Œufs bio"]
    assert _names(client, url, "pain d'epice") == ["Pain d&#39;épices"]
    # word starts and plurals, name matches above description matches
    assert _names(client, url, "fro") == ["Fromage de chèvre"]
    assert _names(client, url, "tomate") == ["Tomates cerises", "Coulis"]
    assert _names(client, url, "tomates") == ["Tomates cerises", "Coulis"]
    # a variant's and a producer's name
    assert _names(client, url, "barquette") == ["Tomates cerises"]
    assert len(_names(client, url, "chene")) == len(CATALOGUE)
    # typos: close matches after nothing exact, with a word saying so
    page = client.get(f"{url}?q=fromgae").get_data(as_text=True)
    assert _titles(page) == ["Fromage de chèvre"]
    assert "voici les produits les plus proches." in page
    assert _names(client, url, "confiutre") == ["Confiture de fraises"]
    assert _names(client, url, "confiutre fraises") == ["Confiture de fraises"]
    # a word found as typed is not "corrected" into its neighbours (poire / poivre)
    assert _names(client, url, "poire") == ["Poires"]
    # nothing, said in words
    page = client.get(f"{url}?q=zzzzzz").get_data(as_text=True)
    assert "Aucun produit ne correspond à votre recherche." in page
    assert "0 produit" in page


def test_french_search_on_postgresql(client):
    _check_french_search(client)


@pytest.mark.sqlite
def test_french_search_on_sqlite(sqlite_client):
    _check_french_search(sqlite_client)


def _check_triggers() -> None:
    product = ProductFactory(name="Crème brûlée", description="À l'œuf")
    db.session.flush()
    stored = db.session.execute(
        select(Product.search_name, Product.search_description).where(Product.id == product.id)
    ).one()
    assert tuple(stored) == (" creme brulee ", " a l oeuf ")
    product.name = "Pâté en croûte"
    db.session.flush()
    db.session.refresh(product)
    assert product.search_name == " pate en croute "
    # a bulk statement (the CSV import writes so) is folded too
    db.session.execute(
        update(table_of(Variant)).where(Variant.id == VariantFactory(product=product).id),
        {"name": "Bocal Œ"},
    )
    assert db.session.scalar(select(Variant.search_name).where(Variant.name == "Bocal Œ")) == (
        " bocal oe "
    )
    new_id = db.session.scalar(
        insert(table_of(Product))
        .values(
            producer_id=product.producer_id,
            name="Miel d'Acacia",
            description="",
            product_type="",
            image_path="",
            vat_rate_bp=550,
            active=True,
            created_at=product.created_at,
            updated_at=product.created_at,
        )
        .returning(table_of(Product).c.id)
    )
    assert db.session.scalar(select(Product.search_name).where(Product.id == new_id)) == (
        " miel d acacia "
    )


def test_triggers_fold_every_write_on_postgresql(db_session):
    _check_triggers()


@pytest.mark.sqlite
def test_triggers_fold_every_write_on_sqlite(sqlite_app):
    with sqlite_app.app_context():
        _check_triggers()


def test_postgresql_folds_as_python_does(db_session):
    for sample in SAMPLES:
        assert db.session.scalar(text("SELECT comptoir_fold(:s)"), {"s": sample}) == fold(sample)


def test_odd_searches_never_fail(client):
    url, _cycle, _farm = _catalogue()
    in_language(client, "fr")
    for q in ("!!!", "%", "_", "%%__", "\\", "'; DROP TABLE products; --", "🍅", "a" * 5000):
        response = client.get(f"{url}?q={quote(q)}")
        assert response.status_code == 200, q
        assert "Aucun produit ne correspond à votre recherche." in response.get_data(as_text=True)
    long = " ".join(["oeuf"] * 400)  # cut to 100 characters, 1 distinct word
    assert _names(client, url, long) == ["Œufs bio"]
    assert client.get(f"{url}?q=oe%00uf").status_code == 400  # core.hardening


def test_search_query_count_is_constant(client):
    """A search costs the same number of statements whatever the catalogue's size; a search
    with a typo costs two more (the catalogue's words, the corrected page)."""
    small = make_shop(offers=20, producers=2)
    big = make_shop(offers=600, producers=12)

    def count(shop, q: str) -> int:
        url = f"/cycles/{shop.cycle.id}/shop?q={q}"
        client.get(url)
        db.session.expunge_all()
        with count_queries() as log:
            assert client.get(url).status_code == 200
        return log.count

    exact = count(small, "produit"), count(big, "produit")
    typo = count(small, "prodiut"), count(big, "prodiut")
    assert exact[0] == exact[1]
    assert typo[0] == typo[1] == exact[0] + 2


def test_producer_list_and_offer_candidates_search_in_french(db_session):
    url, cycle, farm = _catalogue()
    rows = list_variants(farm.id, VariantFilters(q="oeufs")).rows
    assert [r.product.name for r in rows] == ["Œufs bio"]
    rows = list_variants(farm.id, VariantFilters(q="EPICE")).rows
    assert [r.product.name for r in rows] == ["Pain d'épices"]
    sku = rows[0].variant.sku
    assert [r.variant.sku for r in list_variants(farm.id, VariantFilters(q=sku.lower())).rows] == [
        sku
    ]
    from tests.factories import ProducerHubLinkFactory

    ProducerHubLinkFactory(hub=cycle.hub, producer=farm)
    candidates, total = offer_candidates(cycle, search="crème")
    assert total == 1
    assert candidates[0].product_name == "Crème fraîche"
