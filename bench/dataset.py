"""The largest real scale, built fast with Core bulk inserts (explicit ids, then sequences reset).

One hub cycle offering 10,000 variants from 200 producers, and 5,000 orders of 8 lines.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, text

from accounts.models import User
from accounts.passwords import hash_password
from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, FeeKind, OrderCycle, PickupSlot, PickupWindow
from enterprises.models import Enterprise, HubKind, Membership, MembershipRole
from hubs.models import DistributionPoint, LinkSide, LinkStatus, ProducerHubLink
from orders.models import Order, OrderLine, OrderStatus, PaymentMethod, PaymentStatus
from products.models import Product, Unit, Variant

PRODUCERS = 200
VARIANTS_PER_PRODUCER = 50  # 10,000 variants (25 products x 2 variants per producer)
ORDERS = 5000
LINES_PER_ORDER = 8
BENCH_PASSWORD = "bench-password"  # noqa: S105 - benchmark accounts only

WORDS = [
    "Tomates",
    "Carottes",
    "Pommes",
    "Poires",
    "Miel",
    "Pain",
    "Fromage",
    "Yaourt",
    "Oeufs",
    "Cidre",
    "Jus",
    "Beurre",
    "Salade",
    "Courgettes",
    "Poireaux",
    "Oignons",
    "Ail",
    "Echalotes",
    "Potimarron",
    "Betteraves",
    "Radis",
    "Epinards",
    "Fraises",
    "Framboises",
    "Lait",
]
PRODUCT_TYPES = [
    "dfc-pt:tomato",
    "dfc-pt:carrot",
    "dfc-pt:apple",
    "dfc-pt:pear",
    "dfc-pt:honey",
    "dfc-pt:bread",
    "dfc-pt:cheese",
    "dfc-pt:yogurt",
]


@dataclass(frozen=True)
class Dataset:
    hub_id: int
    cycle_id: int
    manager_email: str
    customer_emails: list[str]
    window_ids: list[int]
    offer_ids: list[int]
    producer_ids: list[int]
    password: str = BENCH_PASSWORD


def _bulk(model, rows: list[dict], chunk: int = 5000) -> None:
    table = model.__table__
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[start : start + chunk])


def _reset_sequences(*models) -> None:
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def build_large_dataset(seed: int = 42) -> Dataset:
    rng = random.Random(seed)
    started = time.perf_counter()
    now = utcnow()
    password_hash = hash_password(BENCH_PASSWORD)
    base = dict(created_at=now)

    hub_id = 1
    enterprises = [
        dict(
            id=hub_id,
            name="Grand Comptoir",
            slug="grand-comptoir",
            is_producer=False,
            is_hub=True,
            hub_kind=HubKind.tiers_lieu,
            description="",
            address="",
            postcode="35000",
            city="Rennes",
            department="35",
            latitude=Decimal("48.11"),
            longitude=Decimal("-1.68"),
            updated_at=now,
            **base,
        )
    ]
    producer_ids = list(range(2, PRODUCERS + 2))
    for pid in producer_ids:
        enterprises.append(
            dict(
                id=pid,
                name=f"Ferme {pid}",
                slug=f"ferme-bench-{pid}",
                is_producer=True,
                is_hub=False,
                hub_kind=None,
                description="Producteur du bench",
                address="",
                postcode="35310",
                city="Bréal",
                department="35",
                latitude=Decimal("48.05") + Decimal(pid) / 1000,
                longitude=Decimal("-1.86"),
                updated_at=now,
                **base,
            )
        )
    _bulk(Enterprise, enterprises)

    manager_email = "manager@bench.example"
    users = [
        dict(
            id=1,
            email=manager_email,
            full_name="Hub Manager",
            password_hash=password_hash,
            locale="fr",
            is_admin=False,
            email_confirmed_at=now,
            **base,
        )
    ]
    customer_emails = []
    for uid in range(2, ORDERS + 2):
        email = f"client{uid}@bench.example"
        customer_emails.append(email)
        users.append(
            dict(
                id=uid,
                email=email,
                full_name=f"Client {uid:05d}",
                password_hash=password_hash,
                locale="fr",
                is_admin=False,
                email_confirmed_at=now,
                **base,
            )
        )
    _bulk(User, users)
    _bulk(
        Membership, [dict(id=1, user_id=1, enterprise_id=hub_id, role=MembershipRole.owner, **base)]
    )
    _bulk(
        ProducerHubLink,
        [
            dict(
                id=i,
                producer_id=pid,
                hub_id=hub_id,
                status=LinkStatus.accepted,
                requested_by=LinkSide.hub,
                message="",
                decided_at=now,
                **base,
            )
            for i, pid in enumerate(producer_ids, start=1)
        ],
    )

    products, variants = [], []
    product_id = variant_id = 0
    for pid in producer_ids:
        for p in range(VARIANTS_PER_PRODUCER // 2):
            product_id += 1
            word = WORDS[(pid + p) % len(WORDS)]
            products.append(
                dict(
                    id=product_id,
                    producer_id=pid,
                    name=f"{word} {pid}-{p}",
                    description=f"{word} de la ferme {pid}",
                    product_type=PRODUCT_TYPES[p % len(PRODUCT_TYPES)],
                    image_path="",
                    vat_rate_bp=550,
                    active=True,
                    updated_at=now,
                    **base,
                )
            )
            for v, (name, unit, value) in enumerate(
                (("500 g", Unit.g, Decimal("500")), ("1 kg", Unit.kg, Decimal("1")))
            ):
                variant_id += 1
                variants.append(
                    dict(
                        id=variant_id,
                        product_id=product_id,
                        producer_id=pid,
                        name=name,
                        sku=f"B{pid}-{p}-{v}",
                        unit=unit,
                        unit_value=value,
                        price_cents=rng.randint(150, 1500),
                        sold_by_weight=False,
                        on_demand=variant_id % 10 == 0,
                        stock=rng.randint(200, 2000),
                        active=True,
                        updated_at=now,
                        **base,
                    )
                )
    _bulk(Product, products)
    _bulk(Variant, variants)

    cycle_id = 1
    _bulk(
        OrderCycle,
        [
            dict(
                id=cycle_id,
                hub_id=hub_id,
                name="Semaine du bench",
                opens_at=now - timedelta(days=2),
                closes_at=now + timedelta(days=5),
                published=True,
                repeat_weekly=True,
                orders_count=ORDERS,
                message="",
                updated_at=now,
                **base,
            )
        ],
    )
    _bulk(
        DistributionPoint,
        [
            dict(
                id=i,
                hub_id=hub_id,
                name=f"Point {i}",
                address="",
                postcode="35000",
                city="Rennes",
                department="35",
                access_instructions="",
                notes="",
                active=True,
                **base,
            )
            for i in (1, 2)
        ],
    )
    window_ids = [1, 2]
    pickup = now + timedelta(days=6)
    _bulk(
        PickupWindow,
        [
            dict(
                id=i,
                cycle_id=cycle_id,
                distribution_point_id=i,
                starts_at=pickup,
                ends_at=pickup + timedelta(hours=3),
            )
            for i in window_ids
        ],
    )
    _bulk(
        PickupSlot,
        [
            dict(
                id=s + 1,
                window_id=1,
                starts_at=pickup + timedelta(minutes=15 * s),
                ends_at=pickup + timedelta(minutes=15 * (s + 1)),
                capacity=100000,
                booked=0,
            )
            for s in range(12)
        ],
    )
    offers = [
        dict(
            id=v["id"],
            cycle_id=cycle_id,
            variant_id=v["id"],
            producer_id=v["producer_id"],
            stock_cap=None,
            remaining=None,
            hub_fee_kind=FeeKind.percent,
            hub_fee_value=1000,
            active=True,
        )
        for v in variants
    ]
    _bulk(CycleOffer, offers)

    orders, lines = [], []
    line_id = 0
    by_id = {v["id"]: v for v in variants}
    for n in range(ORDERS):
        order_id = n + 1
        card = n % 3 != 0
        paid = card or n % 2 == 0
        total = hub_fees = 0
        for offer_id in rng.sample(range(1, len(variants) + 1), LINES_PER_ORDER):
            variant = by_id[offer_id]
            qty = rng.randint(1, 3)
            fee = (variant["price_cents"] * 1000 + 5000) // 10000
            unit_price = variant["price_cents"] + fee
            line_id += 1
            lines.append(
                dict(
                    id=line_id,
                    order_id=order_id,
                    offer_id=offer_id,
                    variant_id=offer_id,
                    producer_id=variant["producer_id"],
                    product_name=f"Produit {offer_id}",
                    variant_name=variant["name"],
                    sku=variant["sku"],
                    quantity=qty,
                    producer_price_cents=variant["price_cents"],
                    hub_fee_cents=fee,
                    unit_price_cents=unit_price,
                    vat_rate_bp=550,
                    sold_by_weight=False,
                    line_total_cents=unit_price * qty,
                )
            )
            total += unit_price * qty
            hub_fees += fee * qty
        orders.append(
            dict(
                id=order_id,
                number=f"B-{order_id:06d}",
                cycle_id=cycle_id,
                hub_id=hub_id,
                customer_id=order_id + 1,
                customer_name=f"Client {order_id + 1:05d}",
                customer_email=f"client{order_id + 1}@bench.example",
                customer_phone="",
                pickup_window_id=window_ids[n % 2],
                pickup_slot_id=None,
                status=OrderStatus.confirmed,
                payment_method=PaymentMethod.card if card else PaymentMethod.at_pickup,
                payment_status=PaymentStatus.paid if paid else PaymentStatus.unpaid,
                total_cents=total,
                hub_fee_cents=hub_fees,
                vat_cents=0,
                commission_cents=(total + 50) // 100 if paid else 0,
                refunded_cents=0,
                currency="EUR",
                customer_note="",
                staff_note="",
                placed_at=now,
                updated_at=now,
                **base,
            )
        )
    _bulk(Order, orders)
    _bulk(OrderLine, lines)
    _reset_sequences(
        Enterprise,
        User,
        Membership,
        ProducerHubLink,
        Product,
        Variant,
        OrderCycle,
        DistributionPoint,
        PickupWindow,
        PickupSlot,
        CycleOffer,
        Order,
        OrderLine,
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(
        f"# dataset: {PRODUCERS} producers, {len(variants)} variants offered, {ORDERS} orders "
        f"x {LINES_PER_ORDER} lines, built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return Dataset(
        hub_id=hub_id,
        cycle_id=cycle_id,
        manager_email=manager_email,
        customer_emails=customer_emails,
        window_ids=window_ids,
        offer_ids=[o["id"] for o in offers],
        producer_ids=producer_ids,
    )
