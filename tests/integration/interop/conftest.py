"""Fixtures of the DFC integration tests: a producer with a catalogue, a hub with a cycle and
orders, their managers, API tokens, and the checks every exported document must pass."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accounts.api_auth import hash_token, new_token_value
from accounts.models import ApiToken
from core.db import db
from core.timeutils import utcnow
from enterprises.models import MembershipRole
from interop import jsonld, vocabulary
from orders.models import OrderStatus, PaymentStatus
from products.models import ProductLabel, Unit
from tests.factories import (
    CycleOfferFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dfc"
ONTOLOGY_TERMS = FIXTURES / "ontology_terms_v1.16.0.txt"


def example_bytes(prefix: str) -> bytes:
    (path,) = [p for p in FIXTURES.glob("*.json") if p.name.startswith(prefix + "_")]
    return path.read_bytes()


def token(user: Any, scope: str = "read") -> dict[str, str]:
    raw = new_token_value()
    db.session.add(
        ApiToken(
            user_id=user.id, name="dfc", token_hash=hash_token(raw), prefix=raw[:8], scope=scope
        )
    )
    # committed (a SAVEPOINT here): an error response rolls the session back to it
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


# -- document checks ---------------------------------------------------------------------------


def _walk(value: Any):
    if isinstance(value, dict):
        if set(value) != {"@id"}:
            yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def nodes_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "@graph" in doc:
        return doc["@graph"]
    return [{k: v for k, v in doc.items() if k != "@context"}]


def ontology_terms() -> tuple[set[str], set[str]]:
    classes, properties = set(), set()
    for line in ONTOLOGY_TERMS.read_text().splitlines():
        if line and not line.startswith("#"):
            kind, *names = line.split()
            if kind == "class":
                classes.add(names[0])
            elif kind == "property":
                properties.add(names[0])
    return classes, properties


def check_document(doc: dict[str, Any]) -> None:
    """What every document we produce must meet (the issue's point 5):
    - the pinned 1.16 context, as a single URL string;
    - expanded offline with pyld, no key is dropped and links stay IRIs;
    - every class and property exists in DFC 1.16 or is a documented wire name;
    - concept values (units, currencies, types, statuses) are taxonomy concepts;
    - every non-blank node has an absolute @id under BASE_URL."""
    from interop.terms import WIRE_ONLY

    assert doc["@context"] == jsonld.CONTEXT_V1_URL
    expanded = jsonld.expand(doc)
    compact_keys: Counter = Counter()
    for obj in _walk(nodes_of(doc)):
        compact_keys.update(jsonld.expand_curie(k) for k in obj if not k.startswith("@"))
    expanded_keys: Counter = Counter()
    for obj in _walk(expanded):
        if "@value" not in obj:
            expanded_keys.update(k for k in obj if not k.startswith("@"))
    assert expanded_keys == compact_keys, "a key was dropped by JSON-LD expansion"
    classes, properties = ontology_terms()
    for obj in _walk(nodes_of(doc)):
        assert "@type" in obj, obj
        assert obj["@type"] in classes, obj["@type"]
        for key in obj:
            if not key.startswith("@"):
                assert key in properties or key in WIRE_ONLY, key
        node_id = obj.get("@id")
        if node_id is not None:
            assert node_id.startswith("http://comptoir.test/api/dfc/"), node_id
    for obj in _walk(expanded):
        for key, values in obj.items():
            if key.startswith("@"):
                continue
            for value in values:
                if isinstance(value, dict) and "@value" in value:
                    assert not str(value["@value"]).startswith(("dfc-", "http")), (key, value)
    for obj in _walk(nodes_of(doc)):
        for key in ("dfc-b:hasUnit", "dfc-b:hasType", "dfc-b:hasOrderStatus"):
            if key in obj:
                value = obj[key]["@id"] if isinstance(obj[key], dict) else obj[key]
                assert vocabulary.concept(value) is not None, (key, value)


# -- data --------------------------------------------------------------------------------------


@dataclass
class World:
    producer: Any
    other_producer: Any
    hub: Any
    producer_manager: Any
    hub_manager: Any
    stranger: Any
    admin: Any
    products: list[Any]
    variants: list[Any]
    cycle: Any
    orders: list[Any]
    customer: Any


@pytest.fixture
def world(db_session) -> World:
    producer = ProducerFactory(name="Ferme des Tilleuls", vat_number="FR123", phone="0601020304")
    other = ProducerFactory(name="Rucher du Coin")
    hub = HubFactory(name="Tiers-lieu du Bourg")
    producer_manager = UserFactory(full_name="Anne Martin")
    hub_manager = UserFactory(full_name="Hugo Bernard")
    stranger = UserFactory()
    admin = UserFactory(is_admin=True)
    MembershipFactory(user=producer_manager, enterprise=producer, role=MembershipRole.owner)
    MembershipFactory(user=hub_manager, enterprise=hub, role=MembershipRole.owner)
    MembershipFactory(user=UserFactory(), enterprise=other, role=MembershipRole.owner)
    ProducerHubLinkFactory(producer=producer, hub=hub)
    ProducerHubLinkFactory(producer=other, hub=hub)

    tomatoes = ProductFactory(
        producer=producer, name="Tomates anciennes", product_type="dfc-pt:tomato", vat_rate_bp=550
    )
    db.session.add(ProductLabel(product=tomatoes, code="dfc-f:Organic-AB"))
    juice = ProductFactory(
        producer=producer, name="Jus de pomme", product_type="dfc-pt:fruit-juice", vat_rate_bp=2000
    )
    v1 = VariantFactory(
        product=tomatoes,
        name="500 g",
        sku="TOM-500",
        unit=Unit.g,
        unit_value=Decimal(500),
        price_cents=350,
        stock=12,
    )
    v2 = VariantFactory(
        product=tomatoes,
        name="1 kg",
        sku="TOM-1K",
        unit=Unit.kg,
        unit_value=Decimal(1),
        price_cents=651,
        stock=0,
    )
    v3 = VariantFactory(
        product=juice,
        name="1 l",
        sku="JUS-1L",
        unit=Unit.l,
        unit_value=Decimal(1),
        price_cents=351,
        on_demand=True,
        stock=0,
    )
    honey = VariantFactory(
        product=ProductFactory(producer=other, name="Miel", product_type="dfc-pt:honey"),
        sku="MIEL",
        unit=Unit.g,
        unit_value=Decimal(500),
        price_cents=800,
    )

    cycle = OrderCycleFactory(hub=hub, name="Semaine 12")
    window = PickupWindowFactory(cycle=cycle)
    offers = {v.id: CycleOfferFactory(cycle=cycle, variant=v) for v in (v1, v2, v3, honey)}
    customer = UserFactory(full_name="Léa Durand", email="lea@example.org", phone="0611")
    orders = []
    o1 = OrderFactory(cycle=cycle, customer=customer, pickup_window=window, number="C-0001")
    OrderLineFactory(order=o1, offer=offers[v1.id], quantity=2)
    OrderLineFactory(order=o1, offer=offers[honey.id], quantity=1)
    orders.append(o1)
    o2 = OrderFactory(
        cycle=cycle,
        pickup_window=window,
        number="C-0002",
        status=OrderStatus.collected,
        payment_status=PaymentStatus.paid,
        customer_phone="0622",
    )
    OrderLineFactory(order=o2, offer=offers[v3.id], quantity=3)
    orders.append(o2)
    o3 = OrderFactory(cycle=cycle, pickup_window=window, number="C-0003")
    OrderLineFactory(order=o3, offer=offers[honey.id], quantity=2)  # other producer only
    orders.append(o3)
    db.session.commit()  # a SAVEPOINT: error responses roll back to here, not further
    return World(
        producer=producer,
        other_producer=other,
        hub=hub,
        producer_manager=producer_manager,
        hub_manager=hub_manager,
        stranger=stranger,
        admin=admin,
        products=[tomatoes, juice],
        variants=[v1, v2, v3],
        cycle=cycle,
        orders=orders,
        customer=customer,
    )


def closed_cycle(world: World) -> None:
    world.cycle.opens_at = utcnow() - timedelta(days=3)
    world.cycle.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()


def body(response) -> dict[str, Any]:
    return json.loads(response.get_data(as_text=True))
