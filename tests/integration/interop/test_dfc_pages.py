"""The DFC pages: a producer imports a catalogue (upload, preview with per-node errors, apply),
managers download DFC documents; and the ``flask dfc`` commands."""

from __future__ import annotations

import io
import json

from dfc_support import check_document, example_bytes
from sqlalchemy import func, select

from core.db import db
from interop.graph import parse_document
from interop.rules import check_fdc_order
from products.models import Variant


def _count(producer) -> int:
    return db.session.scalar(
        select(func.count(Variant.id)).where(Variant.producer_id == producer.id)
    )


def _upload(client, producer, data: bytes, name="catalogue.json"):
    return client.post(
        f"/producers/{producer.id}/dfc-import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_page_preview_then_apply(client, login_as, world):
    login_as(world.producer_manager)
    page = client.get(f"/producers/{world.producer.id}/dfc-import")
    assert page.status_code == 200
    assert "DFC" in page.get_data(as_text=True)
    before = _count(world.producer)
    response = _upload(client, world.producer, example_bytes("05"))
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "NCBB/T4" in text
    assert "Baked British Beans" in text
    assert _count(world.producer) == before  # nothing written by the preview
    apply = client.post(response.headers["Location"] + "/apply")
    assert apply.status_code == 302
    assert _count(world.producer) == before + 4
    done = client.get(apply.headers["Location"]).get_data(as_text=True)
    assert 'id="import-done"' in done
    # a preview is applied once
    again = client.post(response.headers["Location"] + "/apply")
    assert again.status_code == 302
    assert _count(world.producer) == before + 4


def test_import_page_names_each_refused_product_and_imports_the_others(client, login_as, world):
    login_as(world.producer_manager)
    doc = json.loads(example_bytes("05"))
    for node in doc["@graph"]:
        if node["@id"] == "_:b272":
            node["dfc-b:hasUnit"] = "dfc-m:Percent"
    response = _upload(client, world.producer, json.dumps(doc).encode())
    preview = client.get(response.headers["Location"])
    text = preview.get_data(as_text=True)
    assert "SuppliedProducts/44519466467635" in text
    assert "Baked British Beans - Retail can, 400g (can)" in text  # named, with its reason
    assert "L’unité de la quantité" in text or "unité" in text
    assert "unknown_unit" in text
    assert "/apply" in text  # the 3 others can be imported
    applied = client.post(response.headers["Location"] + "/apply")
    assert applied.status_code == 302
    assert _count(world.producer) == 3 + 3
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Baked British Beans - Retail can, 400g (can)" in done


def test_import_page_refuses_an_unreadable_document(client, login_as, world):
    login_as(world.producer_manager)
    response = _upload(client, world.producer, b'{"@context": "https://evil.example/c.json"}')
    assert response.status_code == 422
    assert "https://evil.example/c.json" in response.get_data(as_text=True)


def test_import_page_is_for_the_producer_managers(client, login_as, world):
    login_as(world.hub_manager)
    assert client.get(f"/producers/{world.producer.id}/dfc-import").status_code == 403
    assert _upload(client, world.producer, example_bytes("05")).status_code == 403


def test_hub_downloads_cycle_and_order_documents(client, login_as, world):
    login_as(world.hub_manager)
    cycle = client.get(f"/hubs/{world.hub.id}/cycles/{world.cycle.id}/orders.jsonld")
    assert cycle.status_code == 200
    assert "attachment" in cycle.headers["Content-Disposition"]
    doc = json.loads(cycle.get_data(as_text=True))
    check_document(doc)
    assert len([n for n in doc["@graph"] if n["@type"] == "dfc-b:Order"]) == 3
    one = client.get(f"/hubs/{world.hub.id}/orders/{world.orders[0].id}.jsonld")
    assert check_fdc_order(parse_document(one.get_data(as_text=True))) == []
    login_as(world.producer_manager)
    assert (
        client.get(f"/hubs/{world.hub.id}/cycles/{world.cycle.id}/orders.jsonld").status_code == 403
    )
    catalogue = client.get(f"/producers/{world.producer.id}/catalogue.jsonld")
    assert catalogue.status_code == 200
    check_document(json.loads(catalogue.get_data(as_text=True)))


def test_cli_exports_and_imports(app, world, tmp_path):
    runner = app.test_cli_runner()
    orders = runner.invoke(args=["dfc", "export-orders", "--cycle", str(world.cycle.id)])
    assert orders.exit_code == 0, orders.output
    doc = json.loads(orders.output)
    check_document(doc)
    assert len([n for n in doc["@graph"] if n["@type"] == "dfc-b:Order"]) == 3
    catalogue = runner.invoke(
        args=["dfc", "export-catalog", "--enterprise", str(world.producer.id)]
    )
    assert catalogue.exit_code == 0, catalogue.output
    check_document(json.loads(catalogue.output))

    path = tmp_path / "catalogue.json"
    path.write_text(catalogue.output)
    target = world.other_producer
    before = _count(target)
    result = runner.invoke(
        args=["dfc", "import-catalog", str(path), "--enterprise", str(target.id)]
    )
    assert result.exit_code == 0, result.output
    assert "3 new variant(s)" in result.output
    assert _count(target) == before + 3

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"@context": "https://evil.example/c.json"}))
    refused = runner.invoke(
        args=["dfc", "import-catalog", str(bad), "--enterprise", str(target.id)]
    )
    assert refused.exit_code != 0
    assert "unknown_context" in refused.output
    assert _count(target) == before + 3


def test_catalogue_page_links_to_the_dfc_import_and_export(client, login_as, world):
    login_as(world.producer_manager)
    page = client.get(f"/producers/{world.producer.id}/products").get_data(as_text=True)
    assert f"/producers/{world.producer.id}/dfc-import" in page
    assert f"/producers/{world.producer.id}/catalogue.jsonld" in page
    assert "Importer (DFC)" in page  # French by default


def test_export_link_macros_for_the_hub_back_office(app, world):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% from "interop/_export_links.html" import cycle_orders_link, order_link %}'
            "{{ cycle_orders_link(cycle) }} {{ order_link(order) }}",
            cycle=world.cycle,
            order=world.orders[0],
        )
    assert f"/hubs/{world.hub.id}/cycles/{world.cycle.id}/orders.jsonld" in html
    assert f"/hubs/{world.hub.id}/orders/{world.orders[0].id}.jsonld" in html
    assert "Exporter les commandes (DFC)" in html
