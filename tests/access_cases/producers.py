"""Access rows of the producer area: the lines of enterprise A's products (A is a producer)."""

from __future__ import annotations

from tests.access import MANAGERS_OF_A, Case, cycle_of_citizens_order

PREFIXES = ["producer_orders"]


def _cycle_of_a(w):
    # the citizen's order at hub A contains a line of make_shop's producer, not of A: give A an
    # offer in that cycle so that A's order list exists (404 otherwise)
    from sqlalchemy import select

    from core.db import db
    from cycles.models import CycleOffer, OrderCycle
    from tests.factories import CycleOfferFactory, ProductFactory, VariantFactory

    cycle_id = cycle_of_citizens_order(w)["cycle_id"]
    exists = db.session.scalar(
        select(CycleOffer.id).where(
            CycleOffer.cycle_id == cycle_id, CycleOffer.producer_id == w.a.id
        )
    )
    if exists is None:
        variant = VariantFactory(product=ProductFactory(producer=w.a))
        CycleOfferFactory(cycle=db.session.get(OrderCycle, cycle_id), variant=variant)
        db.session.flush()
    return {"producer_id": w.a.id, "cycle_id": cycle_id}


CASES: list[Case] = [
    Case("producer_orders.index", MANAGERS_OF_A, params=lambda w: {"producer_id": w.a.id}),
    Case("producer_orders.export_csv", MANAGERS_OF_A, params=lambda w: {"producer_id": w.a.id}),
    Case("producer_orders.cycle", MANAGERS_OF_A, params=_cycle_of_a),
]
