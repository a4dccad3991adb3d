"""Importing DFC catalogues as Open Food Network and the FDC app publish them: units, prices,
stock, update by @id, every valid product imported and each refused one named, and 422 naming
the node when nothing can be imported."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from dfc_support import body, example_bytes, token
from sqlalchemy import func, select

from core.db import db
from interop import imports
from products.models import Product, Unit, Variant
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

CTX = "https://w3id.org/dfc/ontology/context/context_1.16.0.json"
FDC = "https://env-0105831.jcloud-ver-jpe.ik-server.com/api/dfc/Enterprises/test-hodmedod/SuppliedProducts/"


@pytest.fixture
def importer(db_session):
    producer = ProducerFactory(name="Ferme importatrice")
    user = UserFactory()
    MembershipFactory(user=user, enterprise=producer)
    db.session.commit()  # a SAVEPOINT: error responses roll back to here, not further
    return producer, user


def _variants(producer):
    return {
        v.sku: v
        for v in db.session.scalars(select(Variant).where(Variant.producer_id == producer.id))
    }


def _count(producer) -> int:
    return db.session.scalar(
        select(func.count(Variant.id)).where(Variant.producer_id == producer.id)
    )


def _post(client, producer, user, data, scope="write"):
    return client.post(
        f"/api/dfc/enterprises/{producer.id}/catalog_items",
        data=data,
        headers={**token(user, scope), "Content-Type": "application/ld+json"},
    )


def test_fdc_catalogue_05(client, importer):
    producer, user = importer
    response = _post(client, producer, user, example_bytes("05"))
    assert response.status_code == 200, response.get_data(as_text=True)
    summary = body(response)["summary"]
    assert summary["new_variants"] == 4
    assert summary["new_products"] == 4
    variants = _variants(producer)
    retail = variants["NCBB/T4"]
    assert retail.unit is Unit.kg
    assert retail.unit_value == Decimal("0.4")
    assert retail.on_demand  # stockLimitation "-1"
    assert retail.external_id == FDC + "44519466467635"
    assert retail.product.name == "Baked British Beans - Retail can, 400g (can)"
    assert retail.product.vat_rate_bp == 0  # VATrate "0"
    assert retail.price_cents == 209  # "2.09" with 0 % VAT
    assert "<" not in retail.product.description  # HTML turned into text
    assert "They're back!" in retail.product.description
    assert variants["NCBB/CD"].price_cents == 1885


def _in_euros(prefix):
    return example_bytes(prefix).replace(b"dfc-m:AustralianDollar", b"dfc-m:Euro")


def test_ofn_v1_catalogue_07_and_v2_08(client, importer):
    producer, user = importer
    # OFN's examples are priced in Australian dollars: never relabelled as euros
    response = _post(client, producer, user, example_bytes("07"))
    assert response.status_code == 422
    (refused,) = response.get_json()["error"]["fields"]["errors"]
    assert refused["code"] == "unknown_currency"
    assert refused["name"] == "Apple - 1g"
    assert "AustralianDollar" in refused["message"]
    assert _count(producer) == 0

    response = _post(client, producer, user, _in_euros("07"))
    assert response.status_code == 200, response.get_data(as_text=True)
    warnings = body(response)["warnings"]
    assert {w["code"] for w in warnings} >= {"vat_defaulted"}
    (variant,) = _variants(producer).values()
    assert variant.sku == "AR"
    assert variant.unit is Unit.g
    assert variant.unit_value == Decimal(1)
    assert variant.price_cents == 1999  # the shelf price, VAT included (no rate: 5.5 %)
    assert variant.product.vat_rate_bp == 550
    assert variant.stock == 0
    assert not variant.on_demand  # stockLimitation 0: sold out, not on demand
    assert variant.product.name == "Apple"  # the OFN product group
    assert variant.name == "1g"  # "Apple - 1g" without the group's name
    assert variant.product.external_id == "http://test.host/api/dfc/product_groups/90000"

    # the v2 document names the same nodes: it updates them, it does not duplicate them
    response = _post(client, producer, user, _in_euros("08"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert body(response)["summary"]["updated_variants"] == 1
    assert _count(producer) == 1


def test_reimport_updates_by_id(client, importer):
    producer, user = importer
    assert _post(client, producer, user, example_bytes("05")).status_code == 200
    doc = json.loads(example_bytes("05"))
    for node in doc["@graph"]:
        if node["@id"] == "_:b273":
            node["dfc-b:value"] = "2.50"
        if node.get("dfc-b:sku") == "NCBB/T4":
            node["dfc-b:stockLimitation"] = "7"
            node["dfc-b:sku"] = "NCBB/T4-NEW"  # a SKU change keeps the variant (same @id)
    response = _post(client, producer, user, json.dumps(doc))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert body(response)["summary"]["updated_variants"] == 4
    assert _count(producer) == 4
    variant = _variants(producer)["NCBB/T4-NEW"]
    assert variant.price_cents == 250
    assert variant.stock == 7
    assert not variant.on_demand
    assert (
        db.session.scalar(select(func.count(Product.id)).where(Product.producer_id == producer.id))
        == 4
    )


def _node(node_id, **props):
    return {"@id": node_id, **props}


def _catalogue(unit="dfc-m:Kilogram", with_type=True, value="1"):
    sp = _node(
        "https://other.example/sp/1",
        **{
            "dfc-b:name": "Pommes",
            "dfc-b:hasQuantity": {
                "@type": "dfc-b:QuantitativeValue",
                "dfc-b:hasUnit": unit,
                "dfc-b:value": value,
            },
        },
    )
    if with_type:
        sp["@type"] = "dfc-b:SuppliedProduct"
    return {
        "@context": CTX,
        "@graph": [
            sp,
            _node(
                "https://other.example/ci/1",
                **{
                    "@type": "dfc-b:CatalogItem",
                    "dfc-b:references": "https://other.example/sp/1",
                    "dfc-b:sku": "POM",
                    "dfc-b:offeredThrough": "https://other.example/of/1",
                },
            ),
            _node(
                "https://other.example/of/1",
                **{
                    "@type": "dfc-b:Offer",
                    "dfc-b:hasPrice": {
                        "@type": "dfc-b:Price",
                        "dfc-b:value": 2,
                        "dfc-b:hasUnit": "dfc-m:Euro",
                        "dfc-b:VATrate": 5.5,
                    },
                },
            ),
        ],
    }


@pytest.mark.parametrize(
    ("payload", "problem", "node"),
    [
        (b"{not json", "invalid_json", None),
        (
            json.dumps({**_catalogue(), "@context": "https://evil.example/ctx.json"}),
            "unknown_context",
            None,
        ),
        (json.dumps(_catalogue(unit="kg")), "unknown_unit", "https://other.example/sp/1"),
        (json.dumps(_catalogue(unit="dfc-m:Metre")), "unknown_unit", "https://other.example/sp/1"),
        (json.dumps(_catalogue(value="beaucoup")), "invalid_value", "https://other.example/sp/1"),
        (json.dumps(_catalogue(value=1e25)), "too_big", "https://other.example/sp/1"),
        (json.dumps(_catalogue(with_type=False)), "no_product", None),
    ],
)
def test_bad_input_is_refused_with_the_node_and_nothing_is_written(
    client, importer, payload, problem, node
):
    producer, user = importer
    response = _post(client, producer, user, payload)
    assert response.status_code == 422
    error = response.get_json()["error"]
    # a document that cannot be read is refused whole; with no valid product, it is rejected
    document_level = problem in ("invalid_json", "unknown_context")
    assert error["code"] == ("dfc_document_refused" if document_level else "dfc_import_rejected")
    found = error["fields"]["errors"]
    assert any(e["code"] == problem and e["node_id"] == node for e in found), found
    assert _count(producer) == 0


def test_one_wrong_product_is_named_and_the_others_are_imported(client, importer):
    producer, user = importer
    doc = json.loads(example_bytes("05"))
    for node in doc["@graph"]:
        if node["@id"] == "_:b274":
            node["dfc-b:hasUnit"] = "dfc-m:Percent"
    response = _post(client, producer, user, json.dumps(doc))
    assert response.status_code == 200, response.get_data(as_text=True)
    result = body(response)
    (refused,) = result["refused"]
    assert refused["node_id"] == FDC + "44519468400947"
    assert refused["code"] == "unknown_unit"
    assert refused["name"].startswith("Chia Seed")
    assert result["summary"]["refused"] == 1
    assert result["summary"]["new_variants"] == 3
    assert _count(producer) == 3


def test_import_needs_a_write_token_of_a_manager(client, importer, world):
    producer, user = importer
    assert _post(client, producer, user, example_bytes("05"), scope="read").status_code == 403
    assert _post(client, producer, world.stranger, example_bytes("05")).status_code == 403
    assert _count(producer) == 0


def test_round_trip_export_then_import_into_another_enterprise(client, world, importer):
    target, user = importer
    exported = client.get(
        f"/api/dfc/enterprises/{world.producer.id}/catalog_items",
        headers=token(world.producer_manager),
    )
    assert exported.status_code == 200
    response = _post(client, target, user, exported.get_data())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert body(response)["warnings"] == []

    def shape(producer):
        return sorted(
            (
                v.product.name,
                v.name,
                v.sku,
                v.unit.value,
                v.unit_value.normalize(),
                v.price_cents,
                v.on_demand,
                v.stock,
                v.product.vat_rate_bp,
                v.product.product_type,
                sorted(label.code for label in v.product.labels),
            )
            for v in _variants(producer).values()
        )

    assert shape(target) == shape(world.producer)
    # importing it again changes nothing and creates nothing
    again = _post(client, target, user, exported.get_data())
    assert body(again)["summary"]["new_variants"] == 0
    assert shape(target) == shape(world.producer)


@pytest.mark.parametrize("prefix", ["06", "09", "10a", "10b", "13"])
def test_every_example_reads_offline(prefix):
    """The other real examples parse (offline) and give no crash: products or clear reasons."""
    graph, rows, errors, warnings = imports.read_catalogue(example_bytes(prefix))
    assert len(graph) > 0
    assert all(e.node_id is None or isinstance(e.node_id, str) for e in errors)


@pytest.mark.parametrize("prefix", ["01", "02", "03", "04", "11", "12"])
def test_an_order_sent_as_a_catalogue_is_refused_as_such(prefix):
    with pytest.raises(imports.DfcDocumentRefused) as refused:
        imports.read_catalogue(example_bytes(prefix))
    assert refused.value.problem.code == "order_document"


def test_links_in_the_other_direction_and_numbers_as_strings(client, importer):
    """No ``references`` nor ``offeredThrough``: the product names its item
    (``referencedBy``) and the offer names its product (``offeredItem``); every number is a
    string; the Price and the QuantitativeValue are blank-node strings; a v2-style Organization
    and OWL property names (``street``) sit beside."""
    producer, user = importer
    doc = {
        "@context": "https://www.datafoodconsortium.org",
        "@graph": [
            {
                "@id": "_:q",
                "@type": "dfc-b:QuantitativeValue",
                "dfc-b:hasUnit": "dfc-m:Dozen",
                "dfc-b:value": "1",
            },
            {
                "@id": "_:p",
                "@type": "dfc-b:Price",
                "dfc-b:hasUnit": "dfc-m:Euro",
                "dfc-b:value": "4.00",
                "dfc-b:VATrate": "5.5",
            },
            {
                "@id": "https://farm.example/sp/eggs",
                "@type": "dfc-b:SuppliedProduct",
                "dfc-b:name": "Oeufs",
                "dfc-b:hasType": "dfc-pt:egg",
                "dfc-b:hasQuantity": "_:q",
                "dfc-b:hasCertification": "dfc-f:Organic-AB",
                "dfc-b:referencedBy": "https://farm.example/ci/eggs",
            },
            {
                "@id": "https://farm.example/ci/eggs",
                "@type": "dfc-b:CatalogItem",
                "dfc-b:sku": "OEUFS-12",
                "dfc-b:stockLimitation": "24",
            },
            {
                "@id": "https://farm.example/of/eggs",
                "@type": "dfc-b:Offer",
                "dfc-b:offeredItem": "https://farm.example/sp/eggs",
                "dfc-b:hasPrice": "_:p",
            },
            {
                "@id": "https://farm.example/addr",
                "@type": "dfc-b:Address",
                "dfc-b:street": "1 rue des Poules",
            },
        ],
    }
    response = _post(client, producer, user, json.dumps(doc))
    assert response.status_code == 200, response.get_data(as_text=True)
    variant = _variants(producer)["OEUFS-12"]
    assert variant.unit is Unit.dozen
    assert variant.unit_value == 1
    assert variant.stock == 24
    assert variant.price_cents == 400  # the shelf price, 5.5 % VAT included
    assert variant.product.vat_rate_bp == 550
    assert variant.product.product_type == "dfc-pt:egg"
    assert [label.code for label in variant.product.labels] == ["dfc-f:Organic-AB"]


def test_reimport_keeps_a_variant_the_producer_switched_off(client, importer):
    producer, user = importer
    assert _post(client, producer, user, example_bytes("05")).status_code == 200
    variant = _variants(producer)["NCBB/T4"]
    variant.active = False
    db.session.commit()
    assert _post(client, producer, user, example_bytes("05")).status_code == 200
    db.session.refresh(variant)
    assert variant.active is False


def test_a_deeply_nested_document_is_refused_not_crashed(client, importer):
    producer, user = importer
    text = '{"@context": "' + CTX + '", "a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = _post(client, producer, user, text)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["errors"][0]["code"] == "invalid_json"
    assert _count(producer) == 0
