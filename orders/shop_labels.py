"""The shop's label filter: the labels (AB, Label Rouge, AOP...) offered in a cycle with their
counts (the filter's options), cached like the other facets. The filter itself is in
``orders.shop`` (``shop_page(label=...)``)."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from core.db import db
from cycles.models import CycleOffer, OrderCycle
from orders.shop import facets
from products import categories
from products.models import Product, ProductLabel, Variant


def label_facets(cycle: OrderCycle, max_age: float = 0) -> list[tuple[str, str, int]]:
    """(code, short name, offers) of every label in the cycle's shop, the main French labels
    first; one statement, reused for ``max_age`` seconds (names are given in the reader's
    language, after the cache)."""
    key = ("labels", cycle.id)
    counts = facets.get(key, max_age) if max_age else None
    if counts is None:
        rows = db.session.execute(
            select(ProductLabel.code, func.count(CycleOffer.id))
            .select_from(CycleOffer)
            .join(Variant, Variant.id == CycleOffer.variant_id)
            .join(Product, Product.id == Variant.product_id)
            .join(ProductLabel, ProductLabel.product_id == Product.id)
            .where(
                and_(
                    CycleOffer.cycle_id == cycle.id,
                    CycleOffer.active.is_(True),
                    Variant.active.is_(True),
                    Product.active.is_(True),
                )
            )
            .group_by(ProductLabel.code)
        ).all()
        counts = {code: int(n) for code, n in rows}
        if max_age:
            facets.put(key, counts)
    main = {code: i for i, code in enumerate(categories.MAIN_LABELS)}
    found = [(code, categories.label_badge(code), n) for code, n in counts.items()]
    return sorted(found, key=lambda f: (main.get(f[0], len(main)), f[1].lower()))
