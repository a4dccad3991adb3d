"""Every figure of the six reports on a cycle computed by hand (tests/factories_reports.py)."""

from __future__ import annotations

import csv
import io

import pytest

from operations.reports.services import build_report
from tests.factories_reports import make_report_cycle


@pytest.fixture
def world(db_session):
    return make_report_cycle()


def _report(world, name):
    from core.db import db
    from cycles.models import OrderCycle

    return build_report(db.session.get(OrderCycle, world.cycle_id), name)


def test_packing_list_has_each_counted_line_grouped_by_customer(app, world):
    with app.test_request_context():
        report = _report(world, "packing")
    rows = [(r[0], r[1], r[3], r[4], r[5], r[6], r[7]) for r in report.rows]
    assert rows == [
        ("Alice Arnaud", "T-A", "Ferme Alpha", "Pain – 500 g", 2, None, None),
        ("Alice Arnaud", "T-A", "Ferme Beta", "Oeufs – boîte de 6", 1, None, None),
        ("Bob Bernard", "T-B", "Ferme Alpha", "Pain – 500 g", 1, None, None),
        ("Bob Bernard", "T-B", "Ferme Beta", "Fromage – à la coupe", 2, 600, None),
        ("Chloé Colin", "T-C", "Ferme Beta", "Oeufs – boîte de 6", 1, None, None),
    ]
    pickups = {r[1]: r[2] for r in report.rows}
    # Paris time: window 1 is 09:00–12:00 at the Halle, Alice booked the 09:00–09:30 slot
    assert "09:00–12:00, Halle" in pickups["T-A"]
    assert pickups["T-A"].endswith("(09:00–09:30)")
    assert pickups["T-B"].endswith("17:00–19:00, Mairie")
    assert pickups["T-C"].endswith("09:00–12:00, Halle")
    assert report.totals[0][5] == 7  # items to pack


def test_packing_list_shows_the_estimated_weight_until_packed(app, world):
    from core.db import db

    cheese = next(line for line in world.orders["bob"].lines if line.sold_by_weight)
    cheese.final_weight_g = None
    db.session.flush()
    with app.test_request_context():
        report = _report(world, "packing")
    row = next(r for r in report.rows if r[4].startswith("Fromage"))
    assert (row[6], row[7]) == (None, 500)  # 2 items × 250 g estimated


def test_supplier_totals_give_what_each_producer_is_owed(app, world):
    with app.test_request_context():
        report = _report(world, "suppliers")
    assert report.rows == [
        ("Ferme Alpha", "Pain – 500 g", 3, None, 1320, 120, 1200),
        ("Ferme Beta", "Fromage – à la coupe", 2, 600, 1320, 120, 1200),
        ("Ferme Beta", "Oeufs – boîte de 6", 2, None, 700, 100, 600),
    ]
    assert [r[4:] for r in report.totals] == [
        (1320, 120, 1200),
        (2020, 220, 1800),
        (3340, 340, 3000),
    ]
    assert report.totals[-1][2] == 7
    assert any("TTC" in note for note in report.notes)  # French by default


def test_product_totals(app, world):
    with app.test_request_context():
        report = _report(world, "products")
    assert report.rows == [
        ("Fromage – à la coupe", "Ferme Beta", 2, 600, 1320),
        ("Oeufs – boîte de 6", "Ferme Beta", 2, None, 700),
        ("Pain – 500 g", "Ferme Alpha", 3, None, 1320),
    ]
    assert report.totals == [("Total", "", 7, None, 3340)]


def test_payments_per_order_and_per_method_count_the_refund(app, world):
    with app.test_request_context():
        report = _report(world, "payments")
    assert [(r[0], r[2], r[3], *r[4:]) for r in report.rows] == [
        # total, paid, refunded, balance due, sold (the goodwill refund lowers what was sold)
        ("T-A", "Carte (en ligne)", "Partiellement remboursée", 1230, 1230, 200, 0, 1030),
        ("T-B", "Au retrait", "Non payée", 1760, 0, 0, 1760, 1760),
        ("T-C", "Au retrait", "Payée", 350, 350, 0, 0, 350),
    ]
    by_method = {r[0]: (r[5], r[6]) for r in report.totals}
    # French is the default language; the report labels are translated
    assert by_method["Total Carte (en ligne)"] == (1230, 200)
    assert by_method["Total Espèces"] == (350, 0)
    assert report.totals[-1][4:] == (3340, 1580, 200, 1760, 3140)
    assert len(report.totals) == 3  # card, cash, total: the cancelled order's card is not there


def test_fees_report_hub_fee_and_commission(app, world):
    with app.test_request_context():
        report = _report(world, "fees")
    assert [(r[0], *r[2:]) for r in report.rows] == [
        ("T-A", 1230, 200, 130, 10, 10),
        ("T-B", 1760, 0, 160, 0, 0),
        ("T-C", 350, 0, 50, 4, 4),
    ]
    assert report.totals == [("Total", "", 3340, 200, 340, 14, 14)]


def test_pickup_sheet_lists_each_window_in_order_with_amount_due(app, world):
    with app.test_request_context():
        report = _report(world, "pickup")
    assert [(r[2], r[3], r[4], r[5]) for r in report.rows] == [
        ("Alice Arnaud", "T-A", 0, ""),
        ("Chloé Colin", "T-C", 0, ""),
        ("Bob Bernard", "T-B", 1760, ""),
    ]
    assert report.rows[0][1] == "09:00–09:30"
    assert report.rows[1][1] == ""
    assert report.rows[0][0].endswith("Halle")
    assert report.rows[2][0].endswith("Mairie")
    assert report.totals[0][4] == 1760


def test_csv_parses_back_with_french_amounts(client, login_as, world):
    login_as(world.manager)
    response = client.get(f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports/suppliers.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Producteur",
        "Produit – variante",
        "Quantité",
        "Poids (kg)",
        "Ventes",
        "Part du comptoir",
        "Revient au producteur",
    ]
    assert rows[2] == ["Ferme Beta", "Fromage – à la coupe", "2", "0,600", "13,20", "1,20", "12,00"]
    assert rows[-1][0] in ("Total",)
    assert rows[-1][4:] == ["33,40", "3,40", "30,00"]


def test_html_report_shows_french_amounts(client, login_as, world):
    login_as(world.manager)
    response = client.get(
        f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports/payments.html",
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "17,60\u00a0€" in page
    assert "33,40\u00a0€" in page
    assert "T-D" not in page
    assert "T-E" not in page


@pytest.mark.parametrize("name", ["packing", "suppliers", "products", "payments", "fees", "pickup"])
def test_every_report_in_every_format(client, login_as, world, name):
    login_as(world.manager)
    base = f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports/{name}"
    html = client.get(f"{base}.html")
    assert html.status_code == 200
    if name not in ("suppliers", "products"):  # the two per-product reports name no customer
        assert "Bob Bernard" in html.get_data(as_text=True)
    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert pdf.data.count(b"/Type /Page\n") == 1
