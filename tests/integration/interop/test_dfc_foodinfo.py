"""Food information in DFC: allergens as AllergenCharacteristic, origin as a territorial facet,
storage, shelf life and alcohol; written as the connectors write them, read back (round trip),
connector defaults read as absent, what we cannot hold named in a warning."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from dfc_support import body, check_document, nodes_of, token
from sqlalchemy import select

from core.db import db
from products.models import Product
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

CTX = "https://w3id.org/dfc/ontology/context/context_1.16.0.json"


@pytest.fixture
def importer(db_session):
    producer = ProducerFactory(name="Ferme importatrice")
    user = UserFactory()
    MembershipFactory(user=user, enterprise=producer)
    db.session.commit()
    return producer, user


def _post(client, producer, user, data):
    return client.post(
        f"/api/dfc/enterprises/{producer.id}/catalog_items",
        data=data,
        headers={**token(user, "write"), "Content-Type": "application/ld+json"},
    )


def _food(product):
    return (
        product.allergen_codes,
        product.origin_code,
        product.storage,
        product.shelf_life_days,
        product.alcohol_percent,
    )


def _by_name(producer):
    return {
        p.name: p
        for p in db.session.scalars(select(Product).where(Product.producer_id == producer.id))
    }


def test_food_information_travels_both_ways(client, world, importer):
    tomatoes, juice = world.products[:2]
    tomatoes.allergen_codes = []
    tomatoes.origin_code = "dfc-f:PaysDeLoire"
    tomatoes.storage = "À température ambiante"
    tomatoes.shelf_life_days = 6
    juice.allergen_codes = ["celery", "sulphites"]
    juice.alcohol_percent = Decimal("4.5")
    juice.ingredients = "Pommes, céleri"  # no DFC property: stays ours
    db.session.commit()

    exported = client.get(
        f"/api/dfc/enterprises/{world.producer.id}/catalog_items",
        headers=token(world.producer_manager),
    )
    doc = json.loads(exported.get_data(as_text=True))
    check_document(doc)  # every term in 1.16 (or a wire name), no key dropped on expansion
    products = [n for n in nodes_of(doc) if n.get("dfc-b:name", "").startswith("Jus de pomme -")]
    assert products
    juice_node = products[0]
    assert juice_node["dfc-b:hasAllergenCharacteristic"] == [
        {
            "@type": "dfc-b:AllergenCharacteristic",
            "dfc-b:hasAllergenDimension": "dfc-m:Celeriac",
            "dfc-b:value": 1,
        },
        {
            "@type": "dfc-b:AllergenCharacteristic",
            "dfc-b:hasAllergenDimension": "dfc-m:Sulphites",
            "dfc-b:value": 1,
        },
    ]
    assert juice_node["dfc-b:alcoholPercentage"] == 4.5
    tomato_node = next(
        n for n in nodes_of(doc) if n.get("dfc-b:name", "").startswith("Tomates anciennes -")
    )
    assert tomato_node["dfc-b:hasGeographicalOrigin"] == ["dfc-f:PaysDeLoire"]
    assert tomato_node["dfc-b:usageOrStorageCondition"] == "À température ambiante"
    assert tomato_node["dfc-b:lifetime"] == 6
    assert "dfc-b:hasAllergenCharacteristic" not in tomato_node

    target, user = importer
    response = _post(client, target, user, exported.get_data())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert body(response)["warnings"] == []
    imported = _by_name(target)
    assert _food(imported["Tomates anciennes"]) == _food(tomatoes)
    assert _food(imported["Jus de pomme"]) == _food(juice)
    assert imported["Jus de pomme"].allergen_codes == ["celery", "sulphites"]
    assert imported["Jus de pomme"].ingredients == ""
    assert [label.code for label in imported["Tomates anciennes"].labels] == ["dfc-f:Organic-AB"]


def _connector_document(characteristics, extra=None):
    """A catalogue as connector-typescript writes one: a flat @graph, blank nodes by label."""
    graph = [
        {
            "@id": "_:q",
            "@type": "dfc-b:QuantitativeValue",
            "dfc-b:hasUnit": "dfc-m:Gram",
            "dfc-b:value": "250",
        },
        {
            "@id": "_:p",
            "@type": "dfc-b:Price",
            "dfc-b:hasUnit": "dfc-m:Euro",
            "dfc-b:value": "3.5",
            "dfc-b:VATrate": "5.5",
        },
        {
            "@id": "http://other.example/sp/1",
            "@type": "dfc-b:SuppliedProduct",
            "dfc-b:name": "Pesto",
            "dfc-b:hasType": "dfc-pt:basil",
            "dfc-b:hasQuantity": "_:q",
            "dfc-b:hasAllergenCharacteristic": [c["@id"] for c in characteristics],
            "dfc-b:hasGeographicalOrigin": "dfc-f:Italy",
            "dfc-b:hasNatureOrigin": "dfc-f:PlantOrigin",
            "dfc-b:alcoholPercentage": "0",
            "dfc-b:lifetime": "",
            "dfc-b:usageOrStorageCondition": "",
            "dfc-b:referencedBy": "http://other.example/ci/1",
            **(extra or {}),
        },
        {
            "@id": "http://other.example/ci/1",
            "@type": "dfc-b:CatalogItem",
            "dfc-b:sku": "PES-1",
            "dfc-b:offeredThrough": "http://other.example/of/1",
        },
        {
            "@id": "http://other.example/of/1",
            "@type": "dfc-b:Offer",
            "dfc-b:hasPrice": "_:p",
            "dfc-b:offeredItem": "http://other.example/sp/1",
        },
        *characteristics,
    ]
    return json.dumps({"@context": CTX, "@graph": graph})


def test_connector_style_characteristics_and_defaults(client, importer):
    characteristics = [
        {
            "@id": "_:a1",
            "@type": "dfc-b:AllergenCharacteristic",
            "dfc-b:hasAllergenDimension": "dfc-m:Nuts",
            "dfc-b:hasUnit": "dfc-m:Kilogram",
            "dfc-b:value": "1",
        },
        {
            "@id": "_:a2",
            "@type": "dfc-b:AllergenCharacteristic",
            "dfc-b:hasAllergenDimension": {"@id": "dfc-m:LactoseMilks"},
        },
        {
            "@id": "_:a3",
            "@type": "dfc-b:AllergenCharacteristic",
            "dfc-b:hasAllergenDimension": "dfc-m:Peanuts",
            "dfc-b:value": 0,
        },
        {
            "@id": "_:a4",
            "@type": "dfc-b:AllergenCharacteristic",
            "dfc-b:hasAllergenDimension": "dfc-m:Calcium",
            "dfc-b:value": "1",
        },
    ]
    producer, user = importer
    response = _post(client, producer, user, _connector_document(characteristics))
    assert response.status_code == 200, response.get_data(as_text=True)
    pesto = _by_name(producer)["Pesto"]
    # nuts and milk present, peanuts declared absent (value 0); defaults "" and 0 are absent
    assert _food(pesto) == (["milk", "nuts"], "dfc-f:Italy", "", None, None)
    warnings = [w["message"] for w in body(response)["warnings"]]
    assert any("dfc-m:Calcium" in w and "allergen" in w for w in warnings), warnings
    assert not any("Italy" in w for w in warnings), warnings  # an origin, held


def test_values_we_cannot_hold_are_dropped_with_a_warning(client, importer):
    producer, user = importer
    document = _connector_document(
        [],
        {
            "dfc-b:alcoholPercentage": 140,
            "dfc-b:lifetime": 99999,
            "dfc-b:usageOrStorageCondition": "Au frais",
        },
    )
    response = _post(client, producer, user, document)
    assert response.status_code == 200, response.get_data(as_text=True)
    pesto = _by_name(producer)["Pesto"]
    assert _food(pesto) == ([], "dfc-f:Italy", "Au frais", None, None)
    warnings = " ".join(w["message"] for w in body(response)["warnings"])
    assert "alcoholPercentage" in warnings
    assert "lifetime" in warnings
