"""CSV catalogue import: 10,000 rows checked (preview) then applied, on PostgreSQL.

Prints ``bench: csv_import_10k_rows_s`` (check + apply of a new catalogue, the figure the issue
asks for: under 10 s), the two steps apart, a re-import of the same file (10,000 updates), and
the producer's list page with those 10,000 variants (median of 20 requests, with a search).
"""

from __future__ import annotations

import time

from bench.context import logged_in_client
from bench.report import emit, median

ROWS = 10_000
PRODUCTS = [
    ("Tomates anciennes", "tomate", "kg", "1", "4,80"),
    ("Carottes", "carotte", "pièce", "1", "2,50"),
    ("Pommes Reinette", "pomme", "kg", "2", "5,60"),
    ("Miel de fleurs", "miel", "g", "500", "9,50"),
    ("Cidre brut", "cidre", "cl", "75", "6,90"),
    ("Œufs plein air", "œuf", "pièce", "6", "2,40"),
    ("Pain de campagne", "pain", "g", "800", "4,20"),
    ("Yaourt nature", "yaourt nature", "g", "500", "2,90"),
]


def build_csv(rows: int = ROWS) -> bytes:
    """A French spreadsheet export: semicolons, decimal commas, Windows-1252."""
    lines = [
        "sku;product_name;variant_name;category;unit;unit_value;price_eur;vat_rate;stock;"
        "sold_by_weight;active;description;labels"
    ]
    for i in range(rows):
        name, category, unit, value, price = PRODUCTS[i % len(PRODUCTS)]
        product = f"{name} n°{i // 2}"  # two variants per product
        stock = "sur demande" if i % 7 == 0 else str(i % 50)
        labels = "AB" if i % 3 == 0 else ""
        lines.append(
            f"SKU-{i:05d};{product};Variante {i % 2 + 1};{category};{unit};{value};{price};5,5;"
            f"{stock};non;oui;Produit de la ferme, récolté à la main.;{labels}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def run(ctx) -> None:
    from accounts.models import User
    from core.db import db
    from enterprises.models import Enterprise, Membership
    from products.csv_io import apply_import, check_import, run_to_end

    app = ctx.new_app("comptoir_bench_csv")
    data = build_csv()
    with app.test_request_context():
        producer = Enterprise(name="Ferme du bench CSV", slug="ferme-bench-csv", is_producer=True)
        user = User(email="csv@bench.example", full_name="Bench CSV")
        db.session.add_all([producer, user])
        db.session.flush()
        db.session.add(Membership(user_id=user.id, enterprise_id=producer.id))
        db.session.commit()

        started = time.perf_counter()
        preview = run_to_end(check_import(producer, user.id, data, "bench.csv"))
        checked = time.perf_counter()
        if preview.errors:
            raise RuntimeError(f"bench file has errors: {preview.errors[:3]}")
        summary = run_to_end(apply_import(producer, user.id, preview.token))
        done = time.perf_counter()
        assert summary.new_variants == ROWS, summary

        emit("csv_import_10k_rows_s", done - started, "s")
        emit("csv_import_10k_check_s", checked - started, "s")
        emit("csv_import_10k_apply_s", done - checked, "s")

        started = time.perf_counter()
        again = run_to_end(check_import(producer, user.id, data, "bench.csv"))
        summary = run_to_end(apply_import(producer, user.id, again.token))
        assert summary.updated_variants == ROWS, summary
        emit("csv_reimport_10k_rows_s", time.perf_counter() - started, "s")
        producer_id, user_id = producer.id, user.id
        db.session.remove()

    client = logged_in_client(app, user_id)
    for name, query in (("", ""), ("_search", "?q=miel&status=active&page=3")):
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            response = client.get(f"/producers/{producer_id}/products{query}")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        emit(f"catalogue_list_10k_variants{name}_ms", median(samples), "ms")
