"""Helpers of the DFC integration tests (imported by name: ``from dfc_support import ...``;
the fixtures are in this folder's conftest.py)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from accounts.api_auth import hash_token, new_token_value
from accounts.models import ApiToken
from core.db import db
from core.timeutils import utcnow
from interop import jsonld, vocabulary

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dfc"
ONTOLOGY_TERMS = FIXTURES / "ontology_terms_v1.16.0.txt"


def example_bytes(prefix: str) -> bytes:
    (path,) = [p for p in FIXTURES.glob("*.json") if p.name.startswith(prefix + "_")]
    return path.read_bytes()


BASE = "http://comptoir.test"
API = "/api/dfc/enterprises"
FDC = "https://env-0105831.jcloud-ver-jpe.ik-server.com/api/dfc/Enterprises/test-hodmedod"
#: the two products OFN orders in the recorded backorder
BEANS, CHIA = "44519466500403", "44519468433715"


def ofn_post(world: Any, *, beans: int | None = None, chia: int | None = None) -> bytes:
    """OFN's POST (fixture 01): its Order is @id'd with our orders URL, lines 1 and 2 concern
    our offers of the 500 g tomatoes (stock 12) and the juice (on demand)."""
    tomatoes, _kilo, juice = world.variants
    ours = f"{BASE}{API}/{world.producer.id}"
    text = example_bytes("01").decode()
    text = text.replace(f"{FDC}/SuppliedProducts/{BEANS}/Offer", f"{ours}/offers/{tomatoes.id}")
    text = text.replace(f"{FDC}/SuppliedProducts/{CHIA}/Offer", f"{ours}/offers/{juice.id}")
    text = text.replace(
        f"{FDC}/SuppliedProducts/{BEANS}", f"{ours}/supplied_products/{tomatoes.id}"
    )
    text = text.replace(f"{FDC}/SuppliedProducts/{CHIA}", f"{ours}/supplied_products/{juice.id}")
    text = text.replace(f"{FDC}/Orders", f"{ours}/orders")
    text = text.replace(f"{FDC}/SalesSession/#", "https://ofn.example/api/dfc/sale_sessions/77")
    doc = json.loads(text)
    lines = {
        n["@id"].rsplit("/", 1)[1]: n for n in doc["@graph"] if n["@type"] == "dfc-b:OrderLine"
    }
    if beans is not None:
        lines["1"]["dfc-b:quantity"] = beans
    if chia is not None:
        lines["2"]["dfc-b:quantity"] = chia
    return json.dumps(doc).encode()


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


def closed_cycle(world: World) -> None:
    world.cycle.opens_at = utcnow() - timedelta(days=3)
    world.cycle.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()


def body(response) -> dict[str, Any]:
    return json.loads(response.get_data(as_text=True))
