"""Catalogue import: real FDC (05) and OFN (07 v1, 08 v2) catalogues, and bad products."""

from __future__ import annotations

from decimal import Decimal

import pytest
from interop_support import example

from interop import jsonld
from interop.documents import extract_catalog, parse_document

FDC = "https://env-0105831.jcloud-ver-jpe.ik-server.com/api/dfc/Enterprises/test-hodmedod/"


def summary(product):
    return (
        product.external_id,
        product.name,
        product.unit,
        product.unit_value,
        product.price_cents,
        product.vat_rate,
        product.sku,
        product.stock,
    )


def test_fdc_catalogue_gives_four_products_on_demand() -> None:
    products = extract_catalog(parse_document(example("05")))
    assert [summary(p) for p in products] == [
        (
            FDC + "SuppliedProducts/44519466467635",
            "Baked British Beans - Retail can, 400g (can)",
            "kg",
            Decimal("0.4"),
            209,
            Decimal(0),
            "NCBB/T4",
            None,  # stockLimitation "-1": on demand
        ),
        (
            FDC + "SuppliedProducts/44519466500403",
            "Baked British Beans - Case, 12 x 400g (can)",
            "kg",
            Decimal("4.8"),
            1885,
            Decimal(0),
            "NCBB/CD",
            None,
        ),
        (
            FDC + "SuppliedProducts/44519468400947",
            "Chia Seed, Organic - Retail pack, 300g",
            "kg",
            Decimal("0.3"),
            399,
            Decimal(0),
            "OGCH/R3",
            None,
        ),
        (
            FDC + "SuppliedProducts/44519468433715",
            "Chia Seed, Organic - Case, 8 x 300g",
            "kg",
            Decimal("2.4"),
            2395,
            Decimal(0),
            "OGCH/C8",
            None,
        ),
    ]
    assert all(p.ok and p.currency == "dfc-m:Euro" for p in products)
    assert products[0].offer_id == FDC + "SuppliedProducts/44519466467635/Offer"


@pytest.mark.parametrize("prefix", ["07", "08"])
def test_ofn_catalogue_v1_and_v2_give_the_same_variant(prefix: str) -> None:
    products = extract_catalog(parse_document(example(prefix)), currency=None)
    # the product group (hasVariant) is not a product of its own
    assert [summary(p) for p in products] == [
        (
            "http://test.host/api/dfc/enterprises/10000/supplied_products/10001",
            "Apple - 1g",
            "g",
            Decimal(1),
            1999,
            None,
            "AR",
            0,  # stockLimitation 0: sold out, not on demand
        )
    ]
    assert products[0].currency == "dfc-m:AustralianDollar"
    assert products[0].description == "Red"


def test_price_in_another_currency_is_an_error_on_the_offer() -> None:
    (product,) = extract_catalog(parse_document(example("07")))
    assert [(e.code, e.node_id) for e in product.errors] == [
        ("unknown_currency", "http://test.host/api/dfc/enterprises/10000/offers/10001")
    ]
    assert product.price_cents == 1999  # still reported, for the error page


def _catalogue(product: dict, price: object = "3.50", stock: object = "4") -> dict:
    return {
        "@context": jsonld.CONTEXT_V1_URL,
        "@graph": [
            {"@id": "https://p.example/sp/1", "@type": "dfc-b:SuppliedProduct", **product},
            {
                "@id": "https://p.example/ci/1",
                "@type": "dfc-b:CatalogItem",
                "dfc-b:references": "https://p.example/sp/1",
                "dfc-b:stockLimitation": stock,
                "dfc-b:offeredThrough": "https://p.example/of/1",
            },
            {
                "@id": "https://p.example/of/1",
                "@type": "dfc-b:Offer",
                "dfc-b:hasPrice": {
                    "@type": "dfc-b:Price",
                    "dfc-b:value": price,
                    "dfc-b:hasUnit": "dfc-m:Euro",
                    "dfc-b:VATrate": 5.5,
                },
            },
        ],
    }


def _quantity(unit: str, value: object) -> dict:
    return {"@type": "dfc-b:QuantitativeValue", "dfc-b:hasUnit": unit, "dfc-b:value": value}


def test_numbers_as_strings_and_full_iris_are_read() -> None:
    doc = _catalogue(
        {
            "dfc-b:name": "Miel",
            "dfc-b:hasType": "http://w3id.org/dfc/taxonomies/v2.0.0/productTypes.rdf#honey",
            "dfc-b:hasQuantity": _quantity("dfc-m:Gram", "250"),
            "dfc-b:hasCertification": "dfc-f:Organic-AB",
        },
        price="2.095",
    )
    (product,) = extract_catalog(parse_document(doc))
    assert product.ok, product.errors
    assert (product.product_type, product.labels) == ("dfc-pt:honey", ["dfc-f:Organic-AB"])
    assert (product.unit, product.unit_value) == ("g", Decimal(250))
    assert product.price_cents == 210  # ROUND_HALF_UP, once
    assert (product.vat_rate, product.stock) == (Decimal("5.5"), 4)


def test_foreign_units_are_converted() -> None:
    doc = _catalogue({"dfc-b:name": "Vin", "dfc-b:hasQuantity": _quantity("dfc-m:Bottle", 1)})
    (product,) = extract_catalog(parse_document(doc))
    assert (product.unit, product.unit_value) == ("piece", Decimal(1))


@pytest.mark.parametrize("unit", ["kg", "dfc-m:Celsius", "dfc-m:Metre", "dfc-m:Euro"])
def test_unknown_unit_is_an_error_with_the_product_id(unit: str) -> None:
    doc = _catalogue({"dfc-b:name": "X", "dfc-b:hasQuantity": _quantity(unit, 1)})
    (product,) = extract_catalog(parse_document(doc))
    assert [(e.code, e.node_id) for e in product.errors] == [
        ("unknown_unit", "https://p.example/sp/1")
    ]
    assert product.name == "X"
    assert product.price_cents == 350


def test_every_problem_of_a_product_is_collected() -> None:
    doc = _catalogue({"dfc-b:hasQuantity": _quantity("dfc-m:Gram", "abc")}, price="n/a")
    (product,) = extract_catalog(parse_document(doc))
    assert sorted((e.code, e.node_id) for e in product.errors) == [
        ("invalid_value", "https://p.example/of/1"),
        ("invalid_value", "https://p.example/sp/1"),
        ("missing_field", "https://p.example/sp/1"),
    ]


def test_one_bad_product_does_not_hide_the_others() -> None:
    doc = _catalogue({"dfc-b:name": "Bon", "dfc-b:hasQuantity": _quantity("dfc-m:Kilogram", 1)})
    doc["@graph"].append(
        {
            "@id": "https://p.example/sp/2",
            "@type": "dfc-b:SuppliedProduct",
            "dfc-b:name": "Mauvais",
            "dfc-b:hasQuantity": _quantity("dfc-m:Percent", 1),
        }
    )
    first, second = extract_catalog(parse_document(doc))
    assert first.ok
    assert first.name == "Bon"
    assert [e.code for e in second.errors] == ["unknown_unit", "missing_field"]


def test_unknown_product_type_is_a_warning_not_an_error() -> None:
    doc = _catalogue(
        {
            "dfc-b:name": "Truc",
            "dfc-b:hasType": "dfc-pt:does-not-exist",
            "dfc-b:hasQuantity": _quantity("dfc-m:Piece", 1),
        }
    )
    (product,) = extract_catalog(parse_document(doc))
    assert product.ok
    assert product.product_type is None
    assert [w.code for w in product.warnings] == ["unknown_concept"]


def test_absent_or_negative_stock_means_on_demand() -> None:
    quantity = {"dfc-b:name": "X", "dfc-b:hasQuantity": _quantity("dfc-m:Piece", 1)}
    assert extract_catalog(parse_document(_catalogue(quantity, stock=-1)))[0].stock is None
    doc = _catalogue(quantity)
    del doc["@graph"][1]["dfc-b:stockLimitation"]
    assert extract_catalog(parse_document(doc))[0].stock is None
