"""Catalogue API under /api/v1: personal tokens, same permission rules as the pages."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from products.models import Product, Variant
from tests.factories import CycleOfferFactory, OrderCycleFactory, ProductFactory, VariantFactory
from tests.factories_products import api_token, producer_with_manager


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


PRODUCT = {
    "name": "Œufs plein air",
    "category": "dfc-pt:egg",
    "vat_rate_bp": 550,
    "labels": ["dfc-f:Organic-AB"],
    "variants": [
        {
            "sku": "OEUF-6",
            "name": "Boîte de 6",
            "unit": "piece",
            "unit_value": "6",
            "price_cents": 240,
            "stock": 30,
        },
        {
            "sku": "OEUF-12",
            "unit": "dozen",
            "unit_value": "1",
            "price_cents": 450,
            "on_demand": True,
        },
    ],
}


def test_openapi_document_lists_the_catalogue(client):
    doc = client.get("/api/v1/openapi.json").json
    assert {
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/variants/{variant_id}",
    } <= set(doc["paths"])


def test_create_list_get_and_update(client, producer, manager):
    token = api_token(manager)
    created = client.post(
        "/api/v1/products", json={**PRODUCT, "producer_id": producer.id}, headers=auth(token)
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert body["labels"] == ["dfc-f:Organic-AB"]
    assert [(v["sku"], v["unit_price_cents"], v["unit_price_per"]) for v in body["variants"]] == [
        ("OEUF-6", 40, "piece"),
        ("OEUF-12", 38, "piece"),  # 4,50 € / 12 = 0,375 -> 0,38 (half up)
    ]
    listed = client.get("/api/v1/products", headers=auth(token)).json
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == body["id"]

    variant_id = body["variants"][0]["id"]
    patched = client.patch(
        f"/api/v1/variants/{variant_id}",
        json={"stock": 12, "stock_seen": 30, "price_cents": 260},
        headers=auth(token),
    )
    assert patched.status_code == 200, patched.json
    assert (patched.json["stock"], patched.json["price_cents"]) == (12, 260)
    stale = client.patch(
        f"/api/v1/variants/{variant_id}", json={"stock": 5, "stock_seen": 30}, headers=auth(token)
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stock_changed"

    renamed = client.patch(
        f"/api/v1/products/{body['id']}", json={"name": "Œufs bio"}, headers=auth(token)
    )
    assert renamed.json["name"] == "Œufs bio"
    assert renamed.json["labels"] == ["dfc-f:Organic-AB"]  # untouched fields kept

    added = client.post(
        f"/api/v1/products/{body['id']}/variants",
        json={"sku": "OEUF-30", "unit": "piece", "unit_value": "30", "price_cents": 1100},
        headers=auth(token),
    )
    assert added.status_code == 201
    assert added.json["name"] == "30 pièces"  # named in the default language (French)


def test_invalid_input_gets_field_errors_and_writes_nothing(client, producer, manager):
    token = api_token(manager)
    bad = {
        **PRODUCT,
        "producer_id": producer.id,
        "variants": [{**PRODUCT["variants"][0], "stock": -1}],
    }
    response = client.post("/api/v1/products", json=bad, headers=auth(token))
    assert response.status_code == 422
    assert "variants" in response.json["error"]["fields"]
    unknown = client.post(
        "/api/v1/products",
        json={**PRODUCT, "producer_id": producer.id, "category": "licorne"},
        headers=auth(token),
    )
    assert unknown.status_code == 422
    assert unknown.json["error"]["code"] == "invalid_product"
    assert "product_type" in unknown.json["error"]["fields"]
    assert db.session.scalar(select(Product)) is None


def test_duplicate_sku_is_a_conflict(client, producer, manager):
    VariantFactory(product=ProductFactory(producer=producer), sku="OEUF-6")
    response = client.post(
        "/api/v1/products",
        json={**PRODUCT, "producer_id": producer.id},
        headers=auth(api_token(manager)),
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "duplicate_sku"


def test_permissions(client, producer, manager):
    theirs = VariantFactory(product=ProductFactory(producer=producer), sku="MINE", stock=4)
    _other, stranger = producer_with_manager()
    token = api_token(stranger)
    assert client.get("/api/v1/products").status_code == 401
    assert client.get("/api/v1/products", headers=auth("cpt_not-a-token")).status_code == 401
    listed = client.get("/api/v1/products", headers=auth(token))
    assert listed.status_code == 200, listed.json
    assert listed.json["total"] == 0
    assert (
        client.get(f"/api/v1/products?producer_id={producer.id}", headers=auth(token)).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/products", json={**PRODUCT, "producer_id": producer.id}, headers=auth(token)
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/variants/{theirs.id}", json={"stock": 0}, headers=auth(token)
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/products/{theirs.product_id}", json={"name": "x"}, headers=auth(token)
        ).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/products/{theirs.product_id}", headers=auth(token)).status_code == 404
    )
    read_only = api_token(manager, scope="read")
    assert (
        client.patch(
            f"/api/v1/variants/{theirs.id}", json={"stock": 0}, headers=auth(read_only)
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/variants/{theirs.id}", headers=auth(read_only)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Variant, theirs.id).stock == 4


def test_anonymous_reads_a_product_a_hub_sells_without_inactive_variants(client, producer):
    product = ProductFactory(producer=producer)
    sold = VariantFactory(product=product, sku="ON")
    VariantFactory(product=product, sku="OFF", active=False)
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404
    CycleOfferFactory(cycle=OrderCycleFactory(published=True), variant=sold)
    response = client.get(f"/api/v1/products/{product.id}")
    assert response.status_code == 200
    assert [v["sku"] for v in response.json["variants"]] == ["ON"]
