"""DFC catalogue import: a 5,000-product catalogue written as the FDC producer app writes it
(flat ``@graph``, numbers as strings, blank-node Prices and QuantitativeValues named by string,
CatalogItems found through ``referencedBy``, HTML descriptions), on PostgreSQL.

Prints ``bench: dfc_import_5k_products_s`` (read, check and write, one transaction), the
process's resident peak before and after it (``ru_maxrss``; tracemalloc makes this import 3 to
4 times slower: measured once at 76.6 MB of Python allocations at peak), the re-import of the
same document (5,000 updates), and how fast a 20,001-product document is refused (before any
JSON-LD work: its products are bare names, so that it is under the 20 MB limit).
"""

from __future__ import annotations

import json
import resource
import time

from bench.report import emit

PRODUCTS = 5_000
BASE = "https://fdc.example/api/dfc/Enterprises/bench-farm/SuppliedProducts/"
DESCRIPTION = (
    "<p><strong>Grown on the farm.</strong></p>\n<h5>Ingredients</h5>\n<p>Beans (42%), water,"
    " salt</p>\n<table><tr><td>Energy</td><td>292kJ</td></tr></table>"
)


def build_catalogue(products: int = PRODUCTS) -> bytes:
    graph: list[dict[str, object]] = []
    for i in range(products):
        sp = f"{BASE}{44519466000000 + i}"
        graph.append(
            {
                "@id": f"_:q{i}",
                "@type": "dfc-b:QuantitativeValue",
                "dfc-b:hasUnit": "dfc-m:Kilogram" if i % 3 else "dfc-m:Piece",
                "dfc-b:value": "0.4" if i % 3 else "6",
            }
        )
        graph.append(
            {
                "@id": f"_:p{i}",
                "@type": "dfc-b:Price",
                "dfc-b:VATrate": "5.5",
                "dfc-b:hasUnit": "dfc-m:Euro",
                "dfc-b:value": f"{2 + i % 17}.{i % 100:02d}",
            }
        )
        graph.append(
            {
                "@id": sp,
                "@type": "dfc-b:SuppliedProduct",
                "dfc-b:name": f"Baked Beans n°{i // 2} - {'Retail can, 400g' if i % 2 else 'Case'}",
                "dfc-b:description": DESCRIPTION,
                "dfc-b:hasQuantity": f"_:q{i}",
                "dfc-b:image": f"https://cdn.example/products/{i}.jpg",
                "dfc-b:referencedBy": f"{sp}/CatalogItem",
            }
        )
        graph.append(
            {
                "@id": f"{sp}/CatalogItem",
                "@type": "dfc-b:CatalogItem",
                "dfc-b:offeredThrough": f"{sp}/Offer",
                "dfc-b:sku": f"BENCH/{i:05d}",
                "dfc-b:stockLimitation": "-1" if i % 4 else str(i % 50),
            }
        )
        graph.append(
            {"@id": f"{sp}/Offer", "@type": "dfc-b:Offer", "dfc-b:hasPrice": {"@id": f"_:p{i}"}}
        )
    doc = {"@context": "https://www.datafoodconsortium.org", "@graph": graph}
    return json.dumps(doc, indent=1).encode()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run(ctx) -> None:
    from core.db import db
    from enterprises.models import Enterprise
    from interop import imports

    app = ctx.new_app("comptoir_bench_dfc_import")
    data = build_catalogue()
    emit("dfc_import_5k_document_mb", len(data) / 1e6, "MB")
    with app.test_request_context():
        producer = Enterprise(name="Ferme du bench DFC", slug="ferme-bench-dfc", is_producer=True)
        db.session.add(producer)
        db.session.commit()

        rss_before = _maxrss_mb()
        started = time.perf_counter()
        summary, refused, _notes = imports.import_catalogue(producer, data)
        elapsed = time.perf_counter() - started
        if summary.new_variants != PRODUCTS or refused:
            raise RuntimeError(f"bench catalogue not imported whole: {summary} {refused[:3]}")
        emit("dfc_import_5k_products_s", elapsed, "s")
        emit("dfc_import_5k_maxrss_before_mb", rss_before, "MB")
        emit("dfc_import_5k_maxrss_after_mb", _maxrss_mb(), "MB")

        started = time.perf_counter()
        summary, refused, _notes = imports.import_catalogue(producer, data)
        if summary.updated_variants != PRODUCTS:
            raise RuntimeError(f"bench re-import: {summary}")
        emit("dfc_reimport_5k_products_s", time.perf_counter() - started, "s")

        too_many = json.dumps(
            {
                "@context": "https://www.datafoodconsortium.org",
                "@graph": [
                    {"@id": f"{BASE}{i}", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": f"P{i}"}
                    for i in range(imports.MAX_PRODUCTS + 1)
                ],
            }
        ).encode()
        started = time.perf_counter()
        try:
            imports.read_catalogue(too_many)
        except imports.DfcDocumentRefused as exc:
            code = exc.problem.code
        else:
            raise RuntimeError("a 20,001-product document was read")
        emit("dfc_refuse_20001_products_s", time.perf_counter() - started, "s")
        emit("dfc_refuse_20001_products_mb", len(too_many) / 1e6, "MB")
        print(f"bench: dfc_refuse_20001_products_code {code}", flush=True)
        db.session.remove()
