"""CSV import: preview names every bad cell and writes nothing; apply is all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import db
from products import csv_io
from products.csv_io import apply_import, check_import, run_to_end
from products.errors import ImportConflict, ImportExpired, ImportFileInvalid, ImportHasErrors
from products.models import Product, ProductLabel, Unit, Variant
from tests.factories import ProductFactory, VariantFactory
from tests.factories_products import HEADER, csv_bytes, producer_with_manager

GOOD_ROWS = (
    "CAR-BOT;Carottes;Botte;carotte;pièce;1;2,50;5,5;12;non;oui;Carottes nouvelles;AB",
    "CAR-1KG;Carottes;;carotte;kg;1;3,20;5,5;sur demande;non;oui;;AB",
    "OEUF-6;Œufs plein air;Boîte de 6;œuf;pièce;6;2,40;5,5;30;non;oui;;",
    "POU-1;Poulet fermier;;poulet;kg;1,8;14,90;5,5;4;oui;oui;;Label Rouge",
    "CID-75;Cidre brut;75 cl;cidre;cl;75;6,90;20;;non;oui;;",
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def check(producer, user, data: bytes):
    return run_to_end(check_import(producer, user.id, data, "catalogue.csv"))


def test_french_excel_file_is_previewed_then_applied(producer, manager):
    data = csv_bytes(*GOOD_ROWS, encoding="cp1252")
    preview = check(producer, manager, data)
    assert preview.errors == []
    assert (preview.encoding, preview.delimiter) == ("Windows-1252", "semicolon")
    assert (preview.summary.new_products, preview.summary.new_variants) == (4, 5)
    assert count(Variant) == 0  # the preview writes nothing

    summary = run_to_end(apply_import(producer, manager.id, preview.token))
    assert (summary.new_products, summary.new_variants) == (4, 5)
    db.session.expire_all()
    variants = {v.sku: v for v in db.session.scalars(select(Variant))}
    assert variants["CAR-BOT"].price_cents == 250
    assert variants["CAR-BOT"].stock == 12
    assert variants["CAR-1KG"].on_demand
    assert variants["CAR-1KG"].name == "1\u00a0kg"
    assert variants["CAR-1KG"].product_id == variants["CAR-BOT"].product_id  # one product
    assert variants["OEUF-6"].unit is Unit.piece
    assert variants["POU-1"].sold_by_weight
    assert variants["CID-75"].on_demand  # empty stock = on demand
    carrots = db.session.get(Product, variants["CAR-BOT"].product_id)
    assert (carrots.product_type, carrots.vat_rate_bp, carrots.description) == (
        "dfc-pt:carrot",
        550,
        "Carottes nouvelles",
    )
    assert [label.code for label in carrots.labels] == ["dfc-f:Organic-AB"]
    cider = db.session.get(Product, variants["CID-75"].product_id)
    assert cider.vat_rate_bp == 2000


def test_comma_separated_utf8_with_bom_and_decimal_points(producer, manager):
    header = "sku,product_name,unit,unit_value,price_eur,stock"
    data = "\ufeff" + header + '\r\nM-250,"Miel de fleurs, crémeux",g,250,6.50,10\r\n'
    preview = check(producer, manager, data.encode())
    assert preview.errors == []
    assert preview.delimiter == "comma"
    run_to_end(apply_import(producer, manager.id, preview.token))
    variant = db.session.scalar(select(Variant).where(Variant.sku == "M-250"))
    assert variant.product.name == "Miel de fleurs, crémeux"
    assert variant.unit_value == 250


def test_bad_rows_are_all_named_and_nothing_is_written(producer, manager):
    """The acceptance test of the issue: every bad row named (line, column), nothing written."""
    VariantFactory(product=ProductFactory(producer=producer), sku="KEEP", stock=5, price_cents=100)
    data = csv_bytes(
        GOOD_ROWS[0],
        "BAD-1;Tomates;;tomate;kg;1;quatre;5,5;10;non;oui;;",  # line 3: price
        "BAD-2;Tomates;;tomate;kg;1;4,00;5,5;-3;non;oui;;",  # line 4: negative stock
        "BAD-3;Tomates;;licorne;botte;1;4,00;7;10;non;oui;;",  # line 5: category, unit, VAT
        "CAR-BOT;Carottes;Botte;carotte;pièce;1;2,50;5,5;12;non;oui;;",  # line 6: duplicate SKU
        "BAD-5;Pain;;pain;pièce;abc;3,00;5,5;1;peut-être;oui;;Bio imaginaire",  # line 7
        "KEEP;Pain;;pain;pièce;1;3,00;5,5;99;non;oui;;",  # a good update, not applied either
    )
    preview = check(producer, manager, data)
    named = {(e.line, e.column) for e in preview.errors}
    assert named == {
        (3, "price_eur"),
        (4, "stock"),
        (5, "category"),
        (5, "unit"),
        (5, "vat_rate"),
        (6, "sku"),
        (7, "unit_value"),
        (7, "sold_by_weight"),
        (7, "labels"),
    }
    messages = {(e.line, e.column): e.message for e in preview.errors}
    assert "quatre" in messages[(3, "price_eur")]
    assert "line 2" in messages[(6, "sku")]  # English: see conftest
    assert not preview.ok
    with pytest.raises(ImportHasErrors):
        run_to_end(apply_import(producer, manager.id, preview.token))
    db.session.expire_all()
    assert count(Product) == 1
    assert [(v.sku, v.stock) for v in db.session.scalars(select(Variant))] == [("KEEP", 5)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"sku;product_name;price_eur\nA;B;1\n", "unit, unit_value"),
        (b"", "empty"),
        (b"sku;product_name;unit;unit_value;price_eur\n", "no rows"),
        (b"sku;product_name;unit;unit_value;price_eur\nA;\x81\x8d;kg;1;2\n", "encoding"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet"),
        (b"sku;sku;product_name;unit;unit_value;price_eur\n", "twice"),
    ],
)
def test_unreadable_files_get_a_clear_error_and_write_nothing(producer, manager, data, message):
    with pytest.raises(ImportFileInvalid) as caught:
        check(producer, manager, data)
    assert message in str(caught.value.message)
    assert count(Product) == 0


def test_update_by_sku_keeps_the_variant_and_moves_nothing_else(producer, manager):
    product = ProductFactory(producer=producer, name="Carottes", description="Ancienne")
    existing = VariantFactory(product=product, sku="CAR-BOT", stock=1, price_cents=100)
    untouched = VariantFactory(product=product, sku="CAR-OTHER", stock=7)
    header = "sku;product_name;unit;unit_value;price_eur;stock"
    preview = check(producer, manager, csv_bytes("car-bot;Carottes;pièce;1;2,80;20", header=header))
    assert (preview.summary.updated_variants, preview.summary.updated_products) == (1, 1)
    run_to_end(apply_import(producer, manager.id, preview.token))
    db.session.expire_all()
    assert count(Variant) == 2
    updated = db.session.get(Variant, existing.id)
    assert (updated.price_cents, updated.stock) == (280, 20)
    assert db.session.get(Variant, untouched.id).stock == 7
    assert db.session.get(Product, product.id).description == "Ancienne"  # column absent: kept


def test_another_producers_sku_is_not_updated(producer, manager):
    other, _ = producer_with_manager()
    theirs = VariantFactory(product=ProductFactory(producer=other), sku="SAME", price_cents=100)
    header = "sku;product_name;unit;unit_value;price_eur"
    preview = check(producer, manager, csv_bytes("SAME;Pain;pièce;1;3", header=header))
    run_to_end(apply_import(producer, manager.id, preview.token))
    db.session.expire_all()
    assert db.session.get(Variant, theirs.id).price_cents == 100
    assert count(Variant) == 2


def test_apply_is_all_or_nothing(producer, manager):
    """A row refused by the database in the middle of the apply rolls every row back."""
    preview = check(producer, manager, csv_bytes(*GOOD_ROWS))
    path = Path(csv_io.imports_folder()) / f"{preview.token}.json"
    stored = json.loads(path.read_text())
    stored["rows"][-1]["stock"] = -1  # what a CHECK refuses, after the other rows went in
    path.write_text(json.dumps(stored))
    with pytest.raises(ImportConflict):
        run_to_end(apply_import(producer, manager.id, preview.token))
    assert count(Product) == 0
    assert count(Variant) == 0
    assert count(ProductLabel) == 0


def test_a_preview_is_applied_once_and_only_by_its_author(producer, manager):
    preview = check(producer, manager, csv_bytes(GOOD_ROWS[0]))
    intruder_producer, intruder = producer_with_manager()
    with pytest.raises(ImportExpired):
        run_to_end(apply_import(producer, intruder.id, preview.token))
    with pytest.raises(ImportExpired):
        run_to_end(apply_import(intruder_producer, manager.id, preview.token))
    run_to_end(apply_import(producer, manager.id, preview.token))
    with pytest.raises(ImportExpired):
        run_to_end(apply_import(producer, manager.id, preview.token))
    assert count(Variant) == 1


def test_progress_is_reported_in_chunks(producer, manager):
    rows = [f"S-{i};Produit {i % 40};pièce;1;1,{i % 100:02d};{i}" for i in range(2500)]
    header = "sku;product_name;unit;unit_value;price_eur;stock"
    steps = list(_steps(check_import(producer, manager.id, csv_bytes(*rows, header=header))))
    assert steps[0].done == 0
    assert steps[-1].done == steps[-1].total == 2500
    assert len(steps) >= 4
    token = _last_value(check_import(producer, manager.id, csv_bytes(*rows, header=header))).token
    applied = list(_steps(apply_import(producer, manager.id, token)))
    assert [p.done for p in applied][-1] == 2500
    assert count(Variant) == 2500
    assert count(Product) == 40


def test_export_then_import_changes_nothing(producer, manager):
    preview = check(producer, manager, csv_bytes(*GOOD_ROWS))
    run_to_end(apply_import(producer, manager.id, preview.token))
    db.session.expire_all()
    before = sorted(
        (v.sku, v.name, v.price_cents, v.stock, v.on_demand, v.sold_by_weight, v.unit_value)
        for v in db.session.scalars(select(Variant))
    )
    exported = "".join(csv_io.export_csv(producer.id, "fr", ";")).encode()
    assert exported.decode().lstrip("\ufeff").startswith("sku;product_name;variant_name")
    again = check(producer, manager, exported)
    assert again.errors == []
    assert (again.summary.new_variants, again.summary.updated_variants) == (0, 5)
    run_to_end(apply_import(producer, manager.id, again.token))
    db.session.expire_all()
    after = sorted(
        (v.sku, v.name, v.price_cents, v.stock, v.on_demand, v.sold_by_weight, v.unit_value)
        for v in db.session.scalars(select(Variant))
    )
    assert after == before
    labels = {lbl.code for lbl in db.session.scalars(select(ProductLabel))}
    assert labels == {"dfc-f:Organic-AB", "dfc-f:RedLabel_FR"}


def _steps(gen):
    while True:
        try:
            yield next(gen)
        except StopIteration:
            return


def _last_value(gen):
    return run_to_end(gen)


def test_header_names_in_french_are_understood(producer, manager):
    header = "Référence;Produit;Unité;Quantité;Prix;TVA;Stock;Catégorie"
    preview = check(
        producer, manager, csv_bytes("R-1;Pain de campagne;pièce;1;4,20;5,5;;pain", header=header)
    )
    assert preview.errors == []
    assert preview.rows[0]["category"] == "dfc-pt:bread"


def test_header_constant_is_the_documented_order():
    food = csv_io.foodinfo_csv.COLUMNS  # optional columns, after the documented ones
    assert HEADER.split(";") == [c for c in csv_io.COLUMNS if c not in ("product_active", *food)]


@pytest.mark.sqlite
def test_import_and_export_on_sqlite(sqlite_app):
    """``make run`` uses SQLite: the bulk statements (RETURNING in executemany) work there too."""
    with sqlite_app.test_request_context():
        producer, manager = producer_with_manager()
        db.session.commit()
        preview = check(producer, manager, csv_bytes(*GOOD_ROWS))
        assert preview.errors == []
        run_to_end(apply_import(producer, manager.id, preview.token))
        again = check(producer, manager, "".join(csv_io.export_csv(producer.id)).encode())
        assert (again.summary.new_variants, again.summary.updated_variants) == (0, 5)
        run_to_end(apply_import(producer, manager.id, again.token))
        assert count(Variant) == 5
        db.session.remove()
