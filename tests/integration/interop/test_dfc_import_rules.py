"""Import rules of issue 20: every valid product imported and each refused one named in the
request's language, any VAT rate from 0 to 100 %, a top-level JSON array, products gone from a
re-imported catalogue switched off, and the limits checked before any JSON-LD work."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from dfc_support import body, example_bytes, token
from sqlalchemy import select

from core.db import db
from interop import imports, jsonld
from products.models import Variant
from tests.factories import (
    MembershipFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)

CTX = "https://w3id.org/dfc/ontology/context/context_1.16.0.json"
FDC = "https://env-0105831.jcloud-ver-jpe.ik-server.com/api/dfc/Enterprises/test-hodmedod/SuppliedProducts/"


@pytest.fixture
def importer(db_session):
    producer = ProducerFactory(name="Ferme importatrice")
    user = UserFactory()
    MembershipFactory(user=user, enterprise=producer)
    db.session.commit()
    return producer, user


def _post(client, producer, user, data, language="fr"):
    return client.post(
        f"/api/dfc/enterprises/{producer.id}/catalog_items",
        data=data,
        headers={
            **token(user, "write"),
            "Content-Type": "application/ld+json",
            "Accept-Language": language,
        },
    )


def _product(n: int, *, price="2.50", vat="5.5", currency="dfc-m:Euro", context=True):
    node = {
        "@id": f"https://farm.example/sp/{n}",
        "@type": "dfc-b:SuppliedProduct",
        "dfc-b:name": f"Produit {n}",
        "dfc-b:hasQuantity": {
            "@type": "dfc-b:QuantitativeValue",
            "dfc-b:hasUnit": "dfc-m:Kilogram",
            "dfc-b:value": 1,
        },
        "dfc-b:referencedBy": {
            "@id": f"https://farm.example/ci/{n}",
            "@type": "dfc-b:CatalogItem",
            "dfc-b:sku": f"P{n}",
            "dfc-b:offeredThrough": {
                "@id": f"https://farm.example/of/{n}",
                "@type": "dfc-b:Offer",
                "dfc-b:hasPrice": {
                    "@type": "dfc-b:Price",
                    "dfc-b:value": price,
                    "dfc-b:VATrate": vat,
                    "dfc-b:hasUnit": currency,
                },
            },
        },
    }
    if context:
        node["@context"] = CTX
    return node


def _variants(producer):
    return {
        v.sku: v
        for v in db.session.scalars(select(Variant).where(Variant.producer_id == producer.id))
    }


def test_any_vat_rate_from_0_to_100_is_kept_and_the_price_is_the_shelf_price(client, importer):
    producer, user = importer
    doc = {
        "@context": CTX,
        "@graph": [_product(1, vat="7.7", context=False), _product(2, vat="0", context=False)],
    }
    response = _post(client, producer, user, json.dumps(doc))
    assert response.status_code == 200, response.get_data(as_text=True)
    variants = _variants(producer)
    assert variants["P1"].product.vat_rate_bp == 770
    assert variants["P1"].price_cents == 250  # "2.50" is what the buyer pays
    assert variants["P2"].product.vat_rate_bp == 0


def test_each_refused_product_is_named_in_the_request_language(client, importer):
    producer, user = importer
    doc = {
        "@context": CTX,
        "@graph": [
            _product(1, context=False),
            _product(2, vat="150", context=False),
            _product(3, currency="dfc-m:USDollar", context=False),
        ],
    }
    response = _post(client, producer, user, json.dumps(doc), language="fr")
    assert response.status_code == 200, response.get_data(as_text=True)
    refused = {r["node_id"]: r for r in body(response)["refused"]}
    vat = refused["https://farm.example/of/2"]
    assert vat["code"] == "invalid_vat_rate"
    assert vat["name"] == "Produit 2"
    assert vat["message"] == "Le taux de TVA 150 % n’est pas compris entre 0 et 100 %."
    usd = refused["https://farm.example/of/3"]
    assert usd["code"] == "unknown_currency"
    assert usd["message"].startswith("Le prix est en USDollar : nous vendons en euros")
    assert list(_variants(producer)) == ["P1"]

    other = ProducerFactory()
    MembershipFactory(user=user, enterprise=other)
    db.session.commit()
    response = _post(client, other, user, json.dumps(doc), language="en")
    messages = [r["message"] for r in body(response)["refused"]]
    assert "The VAT rate 150 % is not between 0 and 100 %." in messages


def test_a_document_refused_whole_speaks_the_request_language(client, importer):
    producer, user = importer
    response = _post(client, producer, user, example_bytes("01"), language="fr")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"]["errors"][0]["code"] == "order_document"
    assert error["message"] == (
        "Ce document DFC est illisible : Ce document est une commande, pas un catalogue : "
        "envoyez-le à l’adresse des commandes."
    )


def test_a_top_level_array_of_nodes_is_read(client, importer):
    producer, user = importer
    response = _post(client, producer, user, json.dumps([_product(1), _product(2)]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert set(_variants(producer)) == {"P1", "P2"}


def test_products_gone_from_the_platform_catalogue_are_switched_off(client, importer):
    producer, user = importer
    assert _post(client, producer, user, example_bytes("05")).status_code == 200
    elsewhere = VariantFactory(
        product=ProductFactory(producer=producer),
        sku="OTHER",
        external_id="https://other-platform.example/sp/1",
    )
    mine = VariantFactory(product=ProductFactory(producer=producer), sku="OWN")
    db.session.commit()
    doc = json.loads(example_bytes("05"))
    gone = FDC + "44519466467635"
    doc["@graph"] = [n for n in doc["@graph"] if n["@id"] != gone]
    response = _post(client, producer, user, json.dumps(doc))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert body(response)["summary"]["deactivated_variants"] == 1
    variants = _variants(producer)
    assert variants["NCBB/T4"].active is False  # gone from the FDC catalogue
    assert variants["NCBB/CD"].active is True
    db.session.refresh(elsewhere)
    db.session.refresh(mine)
    assert elsewhere.active is True  # imported from another platform
    assert mine.active is True  # made here


def test_a_huge_quantity_is_a_clear_refusal_not_a_crash(client, importer):
    producer, user = importer
    doc = _product(1)
    doc["dfc-b:hasQuantity"]["dfc-b:value"] = 1e25
    response = _post(client, producer, user, json.dumps(doc), language="en")
    assert response.status_code == 422
    (refused,) = response.get_json()["error"]["fields"]["errors"]
    assert refused["code"] == "too_big"
    assert refused["message"] == "The quantity is too large (1E+25)."


def test_more_than_max_products_is_refused_before_any_json_ld_work(monkeypatch):
    def no_expansion(*args, **kwargs):
        raise AssertionError("the document was expanded")

    monkeypatch.setattr(jsonld._pyld, "expand", no_expansion)
    doc = {"@context": CTX, "@graph": [_product(n, context=False) for n in range(20_001)]}
    data = json.dumps(doc).encode()
    started = time.perf_counter()
    with pytest.raises(imports.DfcDocumentRefused) as refused:
        imports.read_catalogue(data)
    elapsed = time.perf_counter() - started
    assert refused.value.problem.code == "too_large"
    assert elapsed < 20  # about 1 s (was 67 s of JSON-LD work before being refused)


def test_quantity_zero_or_missing_is_one_item_with_a_note(client, importer):
    producer, user = importer
    zero = _product(1, context=False)
    zero["dfc-b:hasQuantity"]["dfc-b:value"] = "0"
    missing = _product(2, context=False)
    del missing["dfc-b:hasQuantity"]
    response = _post(
        client, producer, user, json.dumps({"@context": CTX, "@graph": [zero, missing]})
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    for variant in _variants(producer).values():
        assert (variant.unit.value, variant.unit_value) == ("piece", Decimal(1))
    notes = [w for w in body(response)["warnings"] if w["code"] == "quantity_defaulted"]
    assert len(notes) == 2


def _offer_of(doc, sku):
    graph = doc["@graph"]
    items = {n["@id"]: n for n in graph if n["@type"] == "dfc-b:CatalogItem"}
    offers = {n["@id"]: n for n in graph if n["@type"] == "dfc-b:Offer"}
    products = {n["@id"]: n for n in graph if n["@type"] == "dfc-b:SuppliedProduct"}
    (item,) = [i for i in items.values() if i["dfc-b:sku"] == sku]
    offer_ref = item["dfc-b:offeredThrough"]
    offer_ref = offer_ref[0] if isinstance(offer_ref, list) else offer_ref
    product_ref = item["dfc-b:references"]
    return offers[offer_ref["@id"]], products[product_ref["@id"]]


def test_prices_mean_the_same_on_both_sides(client, importer):
    """OFN's reader (``variant.price = offer.price.value``) gets our shelf price; a DFC reader
    gets the VAT from VATrate; a sold-by-weight item travels as its estimated weight and the
    exact price at that weight, so that value / weight is the price per kg."""
    from core.money import vat_included_cents

    producer, user = importer
    product = ProductFactory(producer=producer, name="Confiture", vat_rate_bp=1000)
    VariantFactory(product=product, sku="JAM", unit="g", unit_value=Decimal(350), price_cents=350)
    cheese = ProductFactory(producer=producer, name="Tomme", vat_rate_bp=550)
    VariantFactory(
        product=cheese,
        sku="TOMME",
        unit="g",
        unit_value=Decimal(450),
        price_cents=1290,  # per kg
        sold_by_weight=True,
    )
    db.session.commit()
    exported = client.get(f"/api/dfc/enterprises/{producer.id}/catalog_items", headers=token(user))
    doc = json.loads(exported.get_data())

    jam_offer, _jam = _offer_of(doc, "JAM")
    price = jam_offer["dfc-b:hasPrice"]
    assert price["dfc-b:value"] == 3.5  # what OFN shows and charges: our shelf price
    rate = Decimal(str(price["dfc-b:VATrate"]))
    value = Decimal(str(price["dfc-b:value"]))
    vat = (value * rate / (100 + rate) * 100).quantize(Decimal(1))
    assert int(vat) == vat_included_cents(350, 1000) == 32  # the VAT we account for

    cheese_offer, cheese_product = _offer_of(doc, "TOMME")
    assert cheese_product["dfc-b:hasQuantity"] == {
        "@type": "dfc-b:QuantitativeValue",
        "dfc-b:hasUnit": "dfc-m:Gram",
        "dfc-b:value": 450,
    }
    weighed = Decimal(str(cheese_offer["dfc-b:hasPrice"]["dfc-b:value"]))
    assert weighed == Decimal("5.805")  # 12.90 EUR/kg x 0.45 kg, exact
    assert weighed / Decimal("0.450") == Decimal("12.90")

    # round trip into another producer: the same shelf price and VAT rate
    other = ProducerFactory()
    MembershipFactory(user=user, enterprise=other)
    db.session.commit()
    response = _post(client, other, user, exported.get_data())
    assert response.status_code == 200, response.get_data(as_text=True)
    variants = _variants(other)
    assert variants["JAM"].price_cents == 350
    assert variants["JAM"].product.vat_rate_bp == 1000
    # a reader of the ontology alone sees one 450 g item at its estimated price
    assert (variants["TOMME"].unit_value, variants["TOMME"].price_cents) == (Decimal(450), 581)


def test_a_product_imported_at_another_vat_rate_still_opens_in_our_pages(
    client, importer, login_as
):
    producer, user = importer
    doc = {"@context": CTX, "@graph": [_product(1, vat="7.7", context=False)]}
    assert _post(client, producer, user, json.dumps(doc)).status_code == 200
    variant = _variants(producer)["P1"]
    login_as(user)
    assert client.get(f"/products/{variant.product_id}/edit").status_code == 200
    assert client.get(f"/producers/{producer.id}/products").status_code == 200
