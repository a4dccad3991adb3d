"""The producer's product list with 10,000 variants (5,000 products x 2), in-process.

Figures: producer_list_10k_ms (median of the first page), producer_list_10k_search_ms (a search
with filters, page 3), producer_list_10k_queries (SQL statements of the first page).
"""

from __future__ import annotations

import time
from decimal import Decimal

from bench.context import logged_in_client
from bench.report import emit, median, percentile

DATABASE = "comptoir_bench_producer"
PRODUCTS = 5000
WORDS = ("Tomates", "Carottes", "Pommes", "Miel", "Pain", "Fromage", "Yaourt", "Cidre")


def _build(app) -> tuple[int, int]:
    from sqlalchemy import insert

    from accounts.models import User
    from core.db import db
    from core.timeutils import utcnow
    from enterprises.models import Enterprise, Membership, MembershipRole
    from products.models import Product, Unit, Variant

    now = utcnow()
    with app.app_context():
        producer = Enterprise(
            name="Grande Ferme", slug="grande-ferme-bench", is_producer=True, postcode="35000"
        )
        user = User(email="producer@bench.example", full_name="Grande Ferme")
        db.session.add_all([producer, user])
        db.session.flush()
        db.session.add(
            Membership(user_id=user.id, enterprise_id=producer.id, role=MembershipRole.owner)
        )
        db.session.flush()
        base = dict(created_at=now, updated_at=now, producer_id=producer.id)
        products = [
            dict(
                name=f"{WORDS[i % len(WORDS)]} {i}",
                description="",
                product_type=f"dfc-pt:{WORDS[i % len(WORDS)].lower()}",
                image_path="",
                vat_rate_bp=550,
                active=i % 10 != 0,
                **base,
            )
            for i in range(PRODUCTS)
        ]
        product_ids = list(
            db.session.scalars(insert(Product).returning(Product.id), products).all()
        )
        variants = [
            dict(
                product_id=pid,
                name=name,
                sku=f"GF-{n}-{v}",
                unit=unit,
                unit_value=value,
                price_cents=200 + n % 900,
                sold_by_weight=False,
                on_demand=False,
                stock=n % 40,
                active=True,
                **base,
            )
            for n, pid in enumerate(product_ids)
            for v, (name, unit, value) in enumerate(
                (("500 g", Unit.g, Decimal(500)), ("1 kg", Unit.kg, Decimal(1)))
            )
        ]
        db.session.execute(insert(Variant), variants)
        db.session.commit()
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
        db.session.commit()
        ids = producer.id, user.id
        db.session.remove()
    return ids


def _timed(client, path: str, runs: int = 20) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def run(ctx) -> None:
    from core.db import db
    from tests.querycount import count_queries

    app = ctx.new_app(DATABASE)
    producer_id, user_id = _build(app)
    client = logged_in_client(app, user_id)
    first = f"/producers/{producer_id}/products"
    client.get(first)  # templates compiled
    samples = _timed(client, first)
    emit("producer_list_10k_ms", median(samples), "ms")
    emit("producer_list_10k_p95_ms", percentile(samples, 95), "ms")
    search = _timed(client, first + "?q=miel&status=active&low=1&page=3")
    emit("producer_list_10k_search_ms", median(search), "ms")
    with app.app_context():
        db.session.remove()
        with count_queries() as log:
            assert client.get(first).status_code == 200
    emit("producer_list_10k_queries", log.count, "queries")
