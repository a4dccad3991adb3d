"""Demo hubs: distribution points, producer permissions and one open weekly cycle per hub.

Idempotent: points, links and cycles are found by name before being created. Runs after
demo.catalogue; if the catalogue has no variants yet, the cycles simply offer nothing.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.db import db, table_of
from core.timeutils import local_date, local_to_utc, utcnow
from cycles.models import CycleOffer, FeeKind, OrderCycle, PickupSlot, PickupWindow
from demo.accounts import get_enterprise
from hubs import services as hub_services
from hubs.models import DistributionPoint, LinkSide, LinkStatus, Postcode, ProducerHubLink
from products.models import Variant

# hub slug -> distribution points (name, address, postcode, city, lat, lon, access)
POINTS = {
    "la-grange": [
        (
            "La Grange — salle du fond",
            "12 rue de la Grange",
            "35200",
            "Rennes",
            "48.0936",
            "-1.6580",
            "Entrée par la cour, porte verte. Vélos dans la cour.",
        ),
        (
            "Marché des Lices (stand Comptoir)",
            "Place des Lices",
            "35000",
            "Rennes",
            "48.1124",
            "-1.6840",
            "Stand 14, à côté de la fontaine.",
        ),
    ],
    "ferme-de-la-prevalaye": [
        (
            "Boutique de la ferme",
            "Chemin de la Prévalaye",
            "35000",
            "Rennes",
            "48.1036",
            "-1.7364",
            "Parking devant le hangar.",
        ),
    ],
    "cafe-du-bourg": [
        (
            "Café du Bourg",
            "3 place de l'Église",
            "35760",
            "Saint-Grégoire",
            "48.1511",
            "-1.6850",
            "Au comptoir, demander le panier Comptoir.",
        ),
        (
            "Mairie de Saint-Grégoire (hall)",
            "Rue Alphonse Milon",
            "35760",
            "Saint-Grégoire",
            "48.1519",
            "-1.6855",
            "Hall d'accueil, horaires de la mairie.",
        ),
    ],
}

# hub slug -> producer slugs allowing it
LINKS = {
    "la-grange": [
        "ferme-des-quatre-vents",
        "gaec-du-moulin",
        "les-poules-de-marie",
        "boulangerie-le-levain",
        "vergers-de-la-vilaine",
        "rucher-du-bocage",
    ],
    "ferme-de-la-prevalaye": ["gaec-du-moulin", "boulangerie-le-levain", "les-poules-de-marie"],
    "cafe-du-bourg": [
        "ferme-des-quatre-vents",
        "vergers-de-la-vilaine",
        "brasserie-des-landes",
        "boulangerie-le-levain",
    ],
}

# hub slug -> cycle name, fee (basis points), window 1 (weekday offset from close, start, end),
# window 2
CYCLES = {
    "la-grange": ("Panier de la semaine — La Grange", 1000),
    "ferme-de-la-prevalaye": ("Vente à la ferme", 0),
    "cafe-du-bourg": ("Paniers du samedi", 800),
}


def _points(hub) -> list[DistributionPoint]:
    found = []
    for name, address, postcode, city, lat, lon, access in POINTS[hub.slug]:
        point = db.session.scalar(
            select(DistributionPoint).where(
                DistributionPoint.hub_id == hub.id, DistributionPoint.name == name
            )
        )
        if point is None:
            point = DistributionPoint(
                hub_id=hub.id,
                name=name,
                address=address,
                postcode=postcode,
                city=city,
                department=postcode[:2],
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                access_instructions=access,
            )
            db.session.add(point)
        found.append(point)
    db.session.flush()
    return found


def _links(hub) -> list[int]:
    producer_ids = []
    for slug in LINKS[hub.slug]:
        producer = get_enterprise(slug)
        link = db.session.scalar(
            select(ProducerHubLink).where(
                ProducerHubLink.producer_id == producer.id, ProducerHubLink.hub_id == hub.id
            )
        )
        if link is None:
            db.session.add(
                ProducerHubLink(
                    producer_id=producer.id,
                    hub_id=hub.id,
                    status=LinkStatus.accepted,
                    requested_by=LinkSide.hub,
                    decided_at=utcnow(),
                    message="Bonjour, nous aimerions proposer vos produits à nos adhérents.",
                )
            )
        producer_ids.append(producer.id)
    db.session.flush()
    return producer_ids


def _cycle(hub, points: list[DistributionPoint], producer_ids: list[int]) -> bool:
    name, fee_bp = CYCLES[hub.slug]
    existing = db.session.scalar(
        select(OrderCycle).where(OrderCycle.hub_id == hub.id, OrderCycle.name == name)
    )
    if existing is not None:
        return False
    today = local_date(utcnow())
    opens = local_to_utc(today - timedelta(days=1), time(8, 0))
    closes = local_to_utc(today + timedelta(days=3), time(20, 0))
    pickup_day: date = today + timedelta(days=4)
    cycle = OrderCycle(
        hub_id=hub.id,
        name=name,
        opens_at=opens,
        closes_at=closes,
        published=True,
        repeat_weekly=True,
        message="Merci de venir avec vos sacs et vos boîtes à œufs !",
    )
    db.session.add(cycle)
    first = PickupWindow(
        cycle=cycle,
        distribution_point_id=points[0].id,
        starts_at=local_to_utc(pickup_day, time(17, 0)),
        ends_at=local_to_utc(pickup_day, time(19, 0)),
    )
    start = first.starts_at
    while start < first.ends_at:
        first.slots.append(
            PickupSlot(starts_at=start, ends_at=start + timedelta(minutes=15), capacity=6)
        )
        start += timedelta(minutes=15)
    second_point = points[1] if len(points) > 1 else points[0]
    second_day = pickup_day + timedelta(days=1)
    second = PickupWindow(
        cycle=cycle,
        distribution_point_id=second_point.id,
        starts_at=local_to_utc(second_day, time(10, 0)),
        ends_at=local_to_utc(second_day, time(12, 0)),
    )
    db.session.add_all([first, second])
    db.session.flush()
    return True


def _offers(hub, producer_ids: list[int]) -> None:
    """Offer every active variant of the allowed producers not yet offered (idempotent)."""
    name, fee_bp = CYCLES[hub.slug]
    cycle = db.session.execute(
        select(OrderCycle).where(OrderCycle.hub_id == hub.id, OrderCycle.name == name)
    ).scalar_one()
    offered = select(CycleOffer.variant_id).where(CycleOffer.cycle_id == cycle.id)
    variants = db.session.scalars(
        select(Variant)
        .where(
            Variant.producer_id.in_(producer_ids),
            Variant.active.is_(True),
            Variant.id.not_in(offered),
        )
        .order_by(Variant.id)
    )
    for variant in variants:
        cap = None if variant.on_demand else min(variant.stock, 30)
        db.session.add(
            CycleOffer(
                cycle_id=cycle.id,
                variant_id=variant.id,
                producer_id=variant.producer_id,
                stock_cap=cap,
                remaining=cap,
                hub_fee_kind=FeeKind.percent,
                hub_fee_value=fee_bp,
            )
        )
    db.session.flush()


def seed() -> str:
    if not db.session.scalar(select(func.count(Postcode.id))):
        loaded = hub_services.read_postcode_rows()
        db.session.execute(table_of(Postcode).insert(), loaded)
    created = 0
    for slug in POINTS:
        hub = get_enterprise(slug)
        points = _points(hub)
        producer_ids = _links(hub)
        if hub.is_producer:
            producer_ids.append(hub.id)
        created += _cycle(hub, points, producer_ids)
        _offers(hub, producer_ids)
    offers = db.session.scalar(select(func.count(CycleOffer.id)))
    return (
        f"hubs: 3 hubs with points and producers, {created} open cycle(s) created, {offers} offers"
    )
