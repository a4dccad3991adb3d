"""Catalogue pages: permissions, forms, quick edit, import pages, public page, query counts."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.timeutils import utcnow
from products.models import Product, Unit, Variant
from tests.factories import (
    CycleOfferFactory,
    HubFactory,
    OrderCycleFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_products import csv_bytes, producer_with_manager
from tests.querycount import count_queries


def new_product_form(**overrides):
    form = {
        "name": "Carottes des sables",
        "product_type": "dfc-pt:carrot",
        "description": "Récoltées la veille.",
        "vat_rate_bp": "550",
        "labels": ["dfc-f:Organic-AB"],
        "active": "y",
        "variants-0-name": "Botte",
        "variants-0-sku": "CAR-BOT",
        "variants-0-unit": "piece",
        "variants-0-unit_value": "1",
        "variants-0-price": "2,50",
        "variants-0-stock": "12",
        "variants-0-active": "y",
        "variants-1-name": "",
        "variants-1-sku": "CAR-500",
        "variants-1-unit": "g",
        "variants-1-unit_value": "500",
        "variants-1-price": "1,90",
        "variants-1-on_demand": "y",
        "variants-1-stock": "",
        "variants-1-active": "y",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_manager_creates_a_product_with_two_variants(client, login_as, producer, manager):
    login_as(manager)
    response = client.post(f"/producers/{producer.id}/products/new", data=new_product_form())
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.producer_id == producer.id))
    assert product.name == "Carottes des sables"
    assert [label.code for label in product.labels] == ["dfc-f:Organic-AB"]
    assert [(v.sku, v.price_cents, v.stock, v.on_demand) for v in product.variants] == [
        ("CAR-BOT", 250, 12, False),
        ("CAR-500", 190, 0, True),
    ]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CAR-500" in page
    assert "3,80\u00a0€/kg" in page  # 1,90 € the 500 g: the unit price is shown


@pytest.mark.parametrize(
    ("overrides", "shown"),
    [
        ({"variants-0-stock": "-4"}, "variants-0-stock-error"),
        ({"variants-0-price": "deux euros"}, "variants-0-price-error"),
        ({"name": ""}, "name-error"),
        ({"variants-1-sold_by_weight": "y"}, None),  # g is a weight: allowed
        ({"variants-0-sold_by_weight": "y"}, "variants-0-sold_by_weight-error"),  # pieces
    ],
)
def test_product_form_errors_are_shown_on_the_field(
    client, login_as, producer, manager, overrides, shown
):
    login_as(manager)
    response = client.post(
        f"/producers/{producer.id}/products/new", data=new_product_form(**overrides)
    )
    if shown is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    assert f'id="{shown}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_add_variant_button_adds_a_row_without_saving(client, login_as, producer, manager):
    login_as(manager)
    response = client.post(
        f"/producers/{producer.id}/products/new", data={**new_product_form(), "add_variant": "1"}
    )
    assert response.status_code == 200
    assert 'name="variants-2-sku"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/producers/{p}/products"),
        ("get", "/producers/{p}/products/new"),
        ("post", "/producers/{p}/products/new"),
        ("get", "/products/{product}/edit"),
        ("post", "/products/{product}/edit"),
        ("get", "/variants/{variant}/edit"),
        ("post", "/variants/{variant}/quick"),
        ("get", "/producers/{p}/products/export.csv"),
        ("get", "/producers/{p}/products/import"),
        ("post", "/products/{product}/photos"),
        ("post", "/products/{product}/photos/edit"),
    ],
)
def test_only_the_producers_managers_change_its_catalogue(client, login_as, producer, method, path):
    variant = VariantFactory(product=ProductFactory(producer=producer), stock=3, price_cents=100)
    url = path.format(p=producer.id, product=variant.product_id, variant=variant.id)
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302  # to the sign-in page
    assert "/login" in anonymous.headers["Location"]
    _other_producer, other_manager = producer_with_manager()
    login_as(other_manager)
    assert getattr(client, method)(url, data={"price": "0", "stock": "0"}).status_code == 403
    login_as(UserFactory())
    assert getattr(client, method)(url).status_code == 403
    db.session.expire_all()
    assert (variant.price_cents, variant.stock) == (100, 3)


def test_admin_can_help_a_producer(client, login_as, producer):
    login_as(UserFactory(is_admin=True))
    assert client.get(f"/producers/{producer.id}/products").status_code == 200


def test_quick_edit_json_and_stock_conflict(client, login_as, producer, manager):
    variant = VariantFactory(product=ProductFactory(producer=producer), stock=10, price_cents=450)
    login_as(manager)
    url = f"/variants/{variant.id}/quick"
    ok = client.post(
        url,
        data={"price": "4,80", "stock": "25", "stock_seen": "10"},
        headers={"Accept": "application/json"},
    )
    assert ok.status_code == 200
    assert ok.json["ok"]
    assert ok.json["stock"] == 25
    assert "4,80" in ok.json["price_html"]
    stale = client.post(
        url,
        data={"price": "4,80", "stock": "3", "stock_seen": "10"},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 409
    assert stale.json["code"] == "stock_changed"
    assert stale.json["stock"] == 25
    negative = client.post(
        url, data={"price": "4,80", "stock": "-1"}, headers={"Accept": "application/json"}
    )
    assert negative.status_code == 422
    db.session.expire_all()
    assert (variant.price_cents, variant.stock) == (480, 25)
    # without JavaScript: a redirect back to the list, filters kept
    plain = client.post(url + "?q=tom", data={"price": "5", "on_demand": "y"})
    assert plain.status_code == 302
    assert "q=tom" in plain.headers["Location"]
    db.session.expire_all()
    assert variant.on_demand


def _fill(producer, n: int) -> None:
    rows = []
    for i in range(n // 2):
        rows.append(
            dict(
                producer_id=producer.id,
                name=f"Produit {i:04d}",
                product_type="dfc-pt:tomato" if i % 2 else "dfc-pt:carrot",
                description="",
                image_path="",
                vat_rate_bp=550,
                active=True,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
    ids = db.session.scalars(
        Product.__table__.insert().returning(Product.__table__.c.id, sort_by_parameter_order=True),
        rows,
    ).all()
    variants = []
    for pid in ids:
        for size in (1, 5):
            variants.append(
                dict(
                    product_id=pid,
                    producer_id=producer.id,
                    name=f"{size} kg",
                    sku=f"S-{pid}-{size}",
                    unit="kg",
                    unit_value=size,
                    price_cents=300 * size,
                    sold_by_weight=False,
                    on_demand=False,
                    stock=size,
                    active=True,
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
    db.session.execute(Variant.__table__.insert(), variants)
    db.session.flush()


def test_list_page_sends_the_same_queries_for_10_or_500_variants(client, login_as, manager):
    """The acceptance test of the issue: SQL statements per page bounded, whatever the size."""
    small, _ = producer_with_manager()
    big, _ = producer_with_manager()
    from tests.factories import MembershipFactory

    MembershipFactory(user=manager, enterprise=small)
    MembershipFactory(user=manager, enterprise=big)
    _fill(small, 10)
    _fill(big, 500)
    login_as(manager)
    client.get(f"/producers/{small.id}/products")  # warm up: first-request-only work
    counts = {}
    for producer, label in ((small, "small"), (big, "big")):
        for query in ("", "?q=produit&category=dfc-pt:tomato&status=active&low=1&page=2"):
            with count_queries() as log:
                response = client.get(f"/producers/{producer.id}/products{query}")
            assert response.status_code == 200
            counts[(label, query)] = log.count
    assert counts[("small", "")] == counts[("big", "")], counts
    assert (
        counts[("small", "?q=produit&category=dfc-pt:tomato&status=active&low=1&page=2")]
        == counts[("big", "?q=produit&category=dfc-pt:tomato&status=active&low=1&page=2")]
    )
    assert counts[("big", "")] <= 8, counts
    page = client.get(f"/producers/{big.id}/products").get_data(as_text=True)
    assert page.count('class="quick-form"') == 50  # one page, not 500 rows


def test_import_pages_preview_errors_then_apply(client, login_as, producer, manager):
    login_as(manager)
    bad = csv_bytes(
        "A-1;Pain;;pain;pièce;1;3,00;5,5;4;non;oui;;",
        "A-2;Pain;;pain;pièce;1;3,00;5,5;-4;non;oui;;",
    )
    response = client.post(
        f"/producers/{producer.id}/products/import",
        data={"file": (io.BytesIO(bad), "pain.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "import-errors" in page
    assert "<td><code>stock</code></td>" in page
    assert '<td class="num">3</td>' in page  # the line number of the bad row
    assert db.session.scalar(select(func.count(Variant.id))) == 0

    good = csv_bytes(
        "A-1;Pain;;pain;pièce;1;3,00;5,5;4;non;oui;;",
        "A-2;Pain;;pain;g;500;3,00;5,5;4;non;oui;;",
    )
    response = client.post(
        f"/producers/{producer.id}/products/import",
        data={"file": (io.BytesIO(good), "pain.csv")},
        content_type="multipart/form-data",
        headers={"X-Progress": "ndjson"},
    )
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert lines[0] == {"phase": "check", "done": 0, "total": 2}
    preview_url = lines[-1]["redirect"]
    preview_page = client.get(preview_url).get_data(as_text=True)
    assert "(6,00\u00a0€/kg)" in preview_page  # the unit price, as on every price
    token = preview_url.rsplit("/", 1)[1]
    assert db.session.scalar(select(func.count(Variant.id))) == 0
    applied = client.post(f"{preview_url}/apply", headers={"X-Progress": "ndjson"})
    lines = [json.loads(line) for line in applied.get_data(as_text=True).splitlines()]
    assert lines[-1] == {"redirect": preview_url}
    assert any(line.get("phase") == "apply" for line in lines)
    assert db.session.scalar(select(func.count(Variant.id))) == 2
    again = client.post(f"{preview_url}/apply", headers={"X-Progress": "ndjson"})
    assert "error" in json.loads(again.get_data(as_text=True).splitlines()[-1])
    assert token in preview_url


def test_import_of_an_unreadable_file_shows_the_error(client, login_as, producer, manager):
    login_as(manager)
    form = client.get(f"/producers/{producer.id}/products/import")
    assert form.status_code == 200
    assert 'type="file"' in form.get_data(as_text=True)
    response = client.post(
        f"/producers/{producer.id}/products/import",
        data={"file": (io.BytesIO(b"nom;prix\nPain;3\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "sku" in response.get_data(as_text=True)


def test_export_is_a_csv_download(client, login_as, producer, manager):
    VariantFactory(
        product=ProductFactory(producer=producer, name="Miel"), sku="M-1", price_cents=650
    )
    login_as(manager)
    response = client.get(f"/producers/{producer.id}/products/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffsku;product_name")
    assert "M-1;Miel;" in text
    assert ";6,50;" in text


def test_public_product_page_only_where_a_hub_sells_it(client, login_as, producer, manager):
    product = ProductFactory(producer=producer, name="Confiture de fraises")
    variant = VariantFactory(product=product, price_cents=500)
    url = f"/products/{product.id}"
    assert client.get(url).status_code == 404
    cycle = OrderCycleFactory(hub=HubFactory(), published=True)
    CycleOfferFactory(cycle=cycle, variant=variant)
    page = client.get(url)
    assert page.status_code == 200
    assert "Confiture de fraises" in page.get_data(as_text=True)
    product.active = False
    db.session.flush()
    assert client.get(url).status_code == 404
    login_as(manager)
    assert client.get(url).status_code == 200  # its managers always see it
    product.active = True
    cycle.done_at = utcnow() - timedelta(days=1)
    db.session.flush()
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get(url).status_code == 404


def test_every_page_renders_for_the_manager(client, login_as, producer, manager):
    product = ProductFactory(
        producer=producer, name="Miel de châtaignier", product_type="dfc-pt:honey"
    )
    variant = VariantFactory(
        product=product, sku="MIEL-500", unit=Unit.g, unit_value=500, price_cents=900
    )
    login_as(manager)
    pages = {
        "/catalogue": 302,  # one producer: straight to its list
        f"/producers/{producer.id}/products": 200,
        f"/producers/{producer.id}/products/new": 200,
        f"/products/{product.id}/edit": 200,
        f"/products/{product.id}/variants/new": 200,
        f"/variants/{variant.id}/edit": 200,
        f"/products/{product.id}": 200,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
    edit = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert "18,00\u00a0€/kg" in edit  # 9 € the 500 g
    assert 'selected value="dfc-pt:honey"' in edit


def test_variant_form_detects_a_stock_changed_by_orders(client, login_as, producer, manager):
    variant = VariantFactory(product=ProductFactory(producer=producer), sku="V-1", stock=10)
    db.session.commit()
    login_as(manager)
    form = {
        "name": "Sac de 1 kg",
        "sku": "V-1",
        "unit": "kg",
        "unit_value": "1",
        "price": "3,10",
        "stock": "20",
        "stock_seen": "10",
        "active": "y",
    }
    assert client.post(f"/variants/{variant.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert (variant.name, variant.price_cents, variant.stock) == ("Sac de 1 kg", 310, 20)
    stale = client.post(
        f"/variants/{variant.id}/edit", data={**form, "stock": "5", "stock_seen": "10"}
    )
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert 'id="stock-error"' in page
    assert 'name="stock_seen" type="hidden" value="20"' in page
    db.session.expire_all()
    assert variant.stock == 20


def test_variant_form_without_the_stock_seen_field_saves(client, login_as, producer, manager):
    """A variant form posted without its hidden ``stock_seen`` (a script, an old page) is saved
    without the stale-stock check; it used to end in a 500 (None.isdigit())."""
    variant = VariantFactory(product=ProductFactory(producer=producer), sku="V-1", stock=10)
    db.session.commit()
    login_as(manager)
    form = {
        "name": "Sac de 1 kg",
        "sku": "V-1",
        "unit": "kg",
        "unit_value": "1",
        "price": "3,10",
        "stock": "20",
        "active": "y",
    }
    assert client.post(f"/variants/{variant.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert (variant.price_cents, variant.stock) == (310, 20)
