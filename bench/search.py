"""French search in a 10,000-variant shop, on PostgreSQL and on SQLite (products.search).

One cycle offering 10,000 variants (5,000 products from 200 producers, two variants each) named
in French with accents and ligatures ("Œufs bio", "Pain d'épices", "Crème fraîche"...). Each
search is a whole shop page through the Flask test client, in-process, with the page cache off
(``SHOP_CACHE_SECONDS=0``: every request queries and renders, facets included), so the figure is
what a visitor waits for a search nobody made in the last seconds, minus the network.

Figures per database (``pg``, ``sqlite``): median and p95 of all searches, median of the searches
with a typo (corrected: two statements more), the SQL statements of one search, and for
comparison the median of the same page without a search (browsing: 10,000 rows counted, sorted).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from decimal import Decimal
from urllib.parse import quote

from bench.report import emit, median, percentile

PRODUCERS = 200
PRODUCTS_PER_PRODUCER = 25  # x 2 variants = 10,000 variants
NAMES = [
    "Œufs bio",
    "Crème fraîche",
    "Pain d'épices",
    "Fromage de chèvre",
    "Tomates cerises",
    "Confiture de fraises",
    "Pâté de campagne",
    "Miel de châtaignier",
    "Beurre demi-sel",
    "Pommes Reinette",
    "Poires Williams",
    "Yaourt à la vanille",
    "Jus de pomme",
    "Cidre brut",
    "Carottes des sables",
    "Épinards",
    "Échalotes",
    "Bœuf bourguignon",
    "Côtes de porc",
    "Galettes de sarrasin",
    "Noix de Grenoble",
    "Lentilles vertes",
    "Huile de colza",
    "Farine de blé",
    "Salade batavia",
]
#: as typed by visitors: accents left out, plurals, word starts, two words, a farm, typos, nothing
SEARCHES = (
    "oeuf",
    "creme",
    "epices",
    "tomate",
    "fro",
    "miel chataignier",
    "ferme 42",
    "boeuf",
    "fromgae",
    "confiutre",
    "zzzzzz",
)
TYPOS = ("fromgae", "confiutre")
ROUNDS = 9


def _build(app) -> int:
    """The catalogue, by bulk statements (the triggers fold the names); returns the cycle's id."""
    from sqlalchemy import insert, text

    from core.db import db
    from core.timeutils import utcnow
    from cycles.models import CycleOffer, FeeKind, OrderCycle
    from enterprises.models import Enterprise
    from products.models import Product, Unit, Variant

    rng = random.Random(19)
    now = utcnow()
    with app.app_context():
        hub = Enterprise(name="Comptoir du bench", slug="comptoir-search-bench", is_hub=True)
        db.session.add(hub)
        db.session.flush()
        cycle = OrderCycle(
            hub_id=hub.id,
            name="Semaine",
            opens_at=now,
            closes_at=now.replace(year=now.year + 1),
            published=True,
        )
        db.session.add(cycle)
        db.session.flush()
        producers = [
            {"name": f"Ferme {n}", "slug": f"ferme-search-{n}", "is_producer": True}
            for n in range(1, PRODUCERS + 1)
        ]
        producer_ids = db.session.scalars(
            insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True), producers
        ).all()
        products = [
            {
                "producer_id": pid,
                "name": f"{NAMES[(i + p) % len(NAMES)]} n°{p}",
                "description": f"{NAMES[(i + p) % len(NAMES)]} de la ferme {i + 1}, fait main.",
                "product_type": "",
                "image_path": "",
                "vat_rate_bp": 550,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i, pid in enumerate(producer_ids)
            for p in range(PRODUCTS_PER_PRODUCER)
        ]
        product_ids = db.session.scalars(
            insert(Product).returning(Product.id, sort_by_parameter_order=True), products
        ).all()
        variants = [
            {
                "product_id": product_id,
                "producer_id": product["producer_id"],
                "name": name,
                "sku": f"S{product_id}-{v}",
                "unit": unit,
                "unit_value": value,
                "price_cents": rng.randint(150, 1500),
                "sold_by_weight": False,
                "on_demand": True,
                "stock": 0,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for product_id, product in zip(product_ids, products, strict=True)
            for v, (name, unit, value) in enumerate(
                (("Sachet 500 g", Unit.g, Decimal("500")), ("Colis 1 kg", Unit.kg, Decimal("1")))
            )
        ]
        variant_ids = db.session.scalars(
            insert(Variant).returning(Variant.id, sort_by_parameter_order=True), variants
        ).all()
        db.session.execute(
            insert(CycleOffer),
            [
                {
                    "cycle_id": cycle.id,
                    "variant_id": vid,
                    "producer_id": variant["producer_id"],
                    "hub_fee_kind": FeeKind.percent,
                    "hub_fee_value": 1000,
                    "active": True,
                }
                for vid, variant in zip(variant_ids, variants, strict=True)
            ],
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return cycle.id


def _measure(app, cycle_id: int, label: str) -> None:
    from core.db import db
    from tests.querycount import count_queries

    client = app.test_client()
    url = f"/cycles/{cycle_id}/shop?q="
    with app.app_context():
        for q in SEARCHES:  # templates compiled, plans cached
            assert client.get(url + quote(q)).status_code == 200
        with count_queries() as log:
            client.get(url + "creme")
        emit(f"search_{label}_queries", log.count, "queries")
        with count_queries() as log:
            client.get(url + "fromgae")
        emit(f"search_{label}_typo_queries", log.count, "queries")
        browse = []
        for _ in range(ROUNDS):
            db.session.remove()
            started = time.perf_counter()
            assert client.get(f"/cycles/{cycle_id}/shop").status_code == 200
            browse.append((time.perf_counter() - started) * 1000)
        emit(f"search_{label}_10k_browse_median_ms", median(browse), "ms")
        found = client.get(url + "oeuf").get_data(as_text=True)
        assert "Œufs bio" in found, found[:500]
        assert "shop-item" in found, found[:500]
        timings: dict[str, list[float]] = {q: [] for q in SEARCHES}
        for _ in range(ROUNDS):
            for q in SEARCHES:
                db.session.remove()
                started = time.perf_counter()
                response = client.get(url + quote(q))
                timings[q].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    every = [t for samples in timings.values() for t in samples]
    typos = [t for q in TYPOS for t in timings[q]]
    emit(f"search_{label}_10k_median_ms", median(every), "ms")
    emit(f"search_{label}_10k_p95_ms", percentile(every, 95), "ms")
    emit(f"search_{label}_10k_typo_median_ms", median(typos), "ms")


def run(ctx) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from bench.context import BENCH_CONFIG

    app = ctx.new_app("comptoir_bench_search", SHOP_CACHE_SECONDS=0)
    _measure(app, _build(app), "pg")

    folder = tempfile.mkdtemp(prefix="comptoir-bench-search-")
    sqlite_app = create_app(
        {
            **BENCH_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(folder, 'search.sqlite3')}",
            "UPLOAD_FOLDER": folder,
            "SHOP_CACHE_SECONDS": 0,
        }
    )
    with sqlite_app.app_context():
        upgrade(revision="heads")
    _measure(sqlite_app, _build(sqlite_app), "sqlite")
