"""Catalogue rules: products, variants, SKUs, stock and the producer's list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.db import db
from products import services
from products.errors import DuplicateSku, InvalidProduct, InvalidVariant
from products.models import Product, Unit, Variant
from products.services import ProductInput, StockChanged, VariantFilters, VariantInput
from tests.factories import ProductFactory, VariantFactory
from tests.factories_products import producer_with_manager


def carrots(**kw) -> ProductInput:
    return ProductInput(
        **{
            "name": "Carottes",
            "product_type": "dfc-pt:carrot",
            "labels": ["dfc-f:Organic-AB"],
            **kw,
        }
    )


def bunch(**kw) -> VariantInput:
    base = dict(
        sku="CAR-BOT",
        unit=Unit.piece,
        unit_value=Decimal(1),
        price_cents=250,
        name="Botte",
        stock=12,
    )
    return VariantInput(**{**base, **kw})


def test_create_product_with_two_variants(producer):
    product = services.create_product(
        producer,
        carrots(),
        [
            bunch(),
            bunch(sku="CAR-1KG", unit=Unit.kg, name="", price_cents=320, on_demand=True, stock=7),
        ],
    )
    db.session.expire_all()
    stored = db.session.get(Product, product.id)
    assert stored.producer_id == producer.id
    assert [label.code for label in stored.labels] == ["dfc-f:Organic-AB"]
    assert [(v.sku, v.name, v.stock, v.on_demand) for v in stored.variants] == [
        ("CAR-BOT", "Botte", 12, False),
        ("CAR-1KG", "1\u00a0kg", 0, True),  # name from the quantity; on demand keeps no stock
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (carrots(name="  "), "name"),
        (carrots(product_type="dfc-pt:unicorn"), "product_type"),
        (carrots(vat_rate_bp=700), "vat_rate_bp"),
        (carrots(labels=["dfc-f:NotALabel"]), "labels"),
    ],
)
def test_invalid_products_are_refused_by_field(producer, data, field):
    with pytest.raises(InvalidProduct) as caught:
        services.create_product(producer, data, [bunch()])
    assert field in caught.value.fields
    assert db.session.scalar(select(Product).where(Product.producer_id == producer.id)) is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (bunch(stock=-1), "stock"),
        (bunch(price_cents=-5), "price_cents"),
        (bunch(unit_value=Decimal(0)), "unit_value"),
        (bunch(unit_value=Decimal("0.0001")), "unit_value"),
        (bunch(unit="botte"), "unit"),
        (bunch(sku=""), "sku"),
        (bunch(sold_by_weight=True, unit=Unit.piece), "sold_by_weight"),
    ],
)
def test_invalid_variants_are_refused_by_field(producer, data, field):
    with pytest.raises(InvalidVariant) as caught:
        services.create_product(producer, carrots(), [data])
    assert field in caught.value.fields


def test_sku_is_unique_per_producer_only(producer):
    services.create_product(producer, carrots(), [bunch()])
    with pytest.raises(DuplicateSku):
        services.create_product(producer, carrots(name="Autres carottes"), [bunch()])
    other, _ = producer_with_manager()
    services.create_product(other, carrots(), [bunch()])  # another producer may use it


def test_two_variants_with_one_sku_in_one_form(producer):
    with pytest.raises(DuplicateSku):
        services.create_product(producer, carrots(), [bunch(), bunch(name="Autre")])


def test_stock_never_negative_even_behind_the_services(producer):
    variant = VariantFactory(product=ProductFactory(producer=producer), stock=3)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Variant).where(Variant.id == variant.id).values(stock=-1))


def test_sold_by_weight_variant(producer):
    product = services.create_product(
        producer,
        ProductInput(name="Poulet fermier", product_type="dfc-pt:chicken"),
        [
            VariantInput(
                sku="POU",
                unit=Unit.kg,
                unit_value=Decimal("1.8"),
                price_cents=1490,
                sold_by_weight=True,
            )
        ],
    )
    assert product.variants[0].sold_by_weight
    assert product.variants[0].name == "1.8\u00a0kg"  # the estimated weight (English here)


def test_quick_update_refuses_to_overwrite_stock_changed_by_orders(producer):
    variant = VariantFactory(product=ProductFactory(producer=producer), stock=10)
    db.session.execute(update(Variant).where(Variant.id == variant.id).values(stock=8))  # an order
    db.session.expire_all()
    with pytest.raises(StockChanged) as caught:
        services.quick_update_variant(variant, price_cents=500, stock=15, stock_seen=10)
    assert caught.value.current_stock == 8
    assert "8" in caught.value.fields["stock"]
    updated = services.quick_update_variant(variant, price_cents=500, stock=15, stock_seen=8)
    assert (updated.stock, updated.price_cents, updated.on_demand) == (15, 500, False)
    updated = services.quick_update_variant(variant, price_cents=500, stock=None)
    assert updated.on_demand


def test_quick_update_refuses_negative_stock(producer):
    variant = VariantFactory(product=ProductFactory(producer=producer), stock=10)
    with pytest.raises(InvalidVariant):
        services.quick_update_variant(variant, price_cents=500, stock=-2)
    db.session.expire_all()
    assert db.session.get(Variant, variant.id).stock == 10


def _catalogue(producer):
    tomato = ProductFactory(producer=producer, name="Tomates", product_type="dfc-pt:tomato")
    VariantFactory(product=tomato, sku="TOM-1", name="1 kg", stock=2)
    VariantFactory(product=tomato, sku="TOM-5", name="5 kg", stock=40, active=False)
    honey = ProductFactory(producer=producer, name="Miel de fleurs", product_type="dfc-pt:honey")
    VariantFactory(product=honey, sku="MIEL-250", name="250 g", on_demand=True, stock=0)
    other = ProductFactory(name="Tomates d'ailleurs")
    VariantFactory(product=other, sku="X-1")


@pytest.mark.parametrize(
    ("filters", "skus"),
    [
        (VariantFilters(), ["MIEL-250", "TOM-1", "TOM-5"]),
        (VariantFilters(q="tom"), ["TOM-1", "TOM-5"]),
        (VariantFilters(q="miel-2"), ["MIEL-250"]),
        (VariantFilters(q="100%"), []),
        (VariantFilters(category="dfc-pt:honey"), ["MIEL-250"]),
        (VariantFilters(status="inactive"), ["TOM-5"]),
        (VariantFilters(status="active"), ["MIEL-250", "TOM-1"]),
        (VariantFilters(low_stock=True), ["TOM-1"]),
    ],
)
def test_producer_list_filters(producer, filters, skus):
    _catalogue(producer)
    page = services.list_variants(producer.id, filters)
    assert [row.variant.sku for row in page.rows] == skus
    assert page.total == len(skus)


def test_producer_list_pagination_and_category_facet(producer):
    _catalogue(producer)
    first = services.list_variants(producer.id, VariantFilters(), page=1, per_page=2)
    second = services.list_variants(producer.id, VariantFilters(), page=2, per_page=2)
    assert [r.variant.sku for r in first.rows + second.rows] == ["MIEL-250", "TOM-1", "TOM-5"]
    assert (first.pages, first.has_next, second.has_prev, second.has_next) == (2, True, True, False)
    assert sorted(first.categories) == [("dfc-pt:honey", 1), ("dfc-pt:tomato", 1)]


def test_full_dfc_iris_are_stored_as_curies(producer):
    iri = "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/"
    product = services.create_product(
        producer,
        carrots(
            product_type=iri + "productTypes.rdf#carrot",
            labels=[iri + "facets.rdf#Organic-AB"],
        ),
        [bunch()],
    )
    assert product.product_type == "dfc-pt:carrot"
    assert [label.code for label in product.labels] == ["dfc-f:Organic-AB"]
