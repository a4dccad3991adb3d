"""Territorial figures: hand-computed on two departments (tests/factories_coop.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from coop import territories
from coop.territories import area_department, haversine_km, period_from, territorial_figures
from tests.factories_coop import KM_PER_DEGREE, make_territory, order_at
from tests.querycount import count_queries

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    ("postcode", "department"),
    [
        ("35000", "35"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97400", "974"),
        ("97122", "971"),
        ("", "?"),
        ("ABCDE", "?"),
    ],
)
def test_department_from_postcode(postcode, department):
    assert area_department(postcode) == department


def test_department_falls_back_to_the_stored_one():
    assert area_department("", "29") == "29"


def test_haversine_on_a_meridian_is_the_arc_length():
    assert haversine_km(48.1, -1.68, 48.0, -1.68) == pytest.approx(0.1 * KM_PER_DEGREE)
    assert haversine_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(
        391.5, abs=0.5
    )  # Paris-Lyon


def test_default_period_is_the_last_twelve_months(frozen):
    period = period_from()
    assert period.months[0] == "2025-07"
    assert period.months[-1] == "2026-06"
    assert len(period.months) == 12
    assert period_from("2026-05", "2026-02").months[0] == "2025-03"  # reversed: default length
    assert len(period_from("2020-01", "2026-06").months) == 36  # capped
    assert period_from("nonsense", "2030-01").months[-1] == "2026-06"  # no future


def test_figures_by_department(db_session, frozen):
    make_territory()
    figures = territorial_figures("department")
    by_code = {area.code: area for area in figures.areas}
    rennes, nantes = by_code["35"], by_code["44"]
    assert (rennes.active_producers, rennes.active_hubs) == (1, 1)
    assert (nantes.active_producers, nantes.active_hubs) == (1, 1)

    march = rennes.months["2026-03"]
    assert march.orders == 3  # the cancelled order and the 2023 order are left out
    assert march.sales_cents == 4000
    assert march.local_share_pct == Decimal("37.5")  # 15.00 of 40.00 from the farm in 35
    # four lines: two from 11.12 km, two from 100.08 km
    assert float(march.avg_distance_km) == pytest.approx(0.5 * KM_PER_DEGREE, abs=0.05)
    assert march.avg_distance_km == Decimal("55.6")
    assert not march.suppressed

    april = nantes.months["2026-04"]
    assert april.orders == 1
    assert april.suppressed  # fewer than 3 orders

    assert figures.total.orders == 4
    assert figures.total.sales_cents == 4300
    assert figures.total.local_share_pct == Decimal("41.9")  # 18.00 / 43.00
    assert figures.total.avg_distance_km == Decimal("44.5")  # (2×11.12 + 2×100.08 + 0) / 5


def test_figures_by_commune_and_period(db_session, frozen):
    make_territory()
    figures = territorial_figures("commune", period_from("2026-04", "2026-04"))
    by_code = {(area.code, area.name): area for area in figures.areas}
    assert figures.total.orders == 1
    assert by_code[("44000", "Nantes")].total.sales_cents == 300
    assert by_code[("44000", "Nantes")].active_hubs == 1
    assert by_code[("44000", "Nantes")].active_producers == 1
    assert by_code[("35310", "Bréal-sous-Montfort")].active_producers == 1
    assert by_code[("35000", "Rennes")].months == {}  # no order in April


def test_query_count_does_not_grow_with_orders(db_session, frozen):
    shape = make_territory()
    with count_queries() as few:
        territorial_figures("department")
    window = shape.rennes_point  # more orders at the same point
    from sqlalchemy import select

    from core.db import db
    from cycles.models import PickupWindow

    w = db.session.scalar(
        select(PickupWindow).where(PickupWindow.distribution_point_id == window.id)
    )
    for day in range(1, 29):
        order_at(
            w, datetime(2026, 2, day, tzinfo=UTC), [(shape.farm_35, 100), (shape.farm_44, 100)]
        )
    with count_queries() as many:
        figures = territorial_figures("department")
    assert few.count == many.count == 3, str(many)
    assert figures.total.orders == 32


def test_pages_answer_everyone(client, db_session, frozen):
    make_territory()
    page = client.get("/cooperative/territories?level=department")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-area="35"' in html
    assert 'data-area="44"' in html
    assert "Etalab" in html
    assert client.get("/cooperative/territories?level=bogus&since=x").status_code == 200


def test_csv_open_data(client, db_session, frozen):
    make_territory()
    response = client.get("/cooperative/territories.csv?level=commune")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert response.headers["Link"] == (
        '<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>; rel="license"'
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8"))))
    assert tuple(rows[0]) == territories.CSV_COLUMNS
    data = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    rennes = next(r for r in data if r["code"] == "35000" and r["month"] == "2026-03")
    assert rennes["orders"] == "3"
    assert rennes["sales_eur"] == "40.00"
    assert rennes["local_sales_share_pct"] == "37.5"
    assert rennes["avg_distance_km"] == "55.6"
    assert rennes["suppressed"] == "0"
    nantes = next(r for r in data if r["code"] == "44000" and r["month"] == "2026-04")
    assert nantes["suppressed"] == "1"
    assert nantes["orders"] == nantes["sales_eur"] == ""
    breal = next(r for r in data if r["code"] == "35310")
    assert breal["name"] == "Bréal-sous-Montfort"  # UTF-8
    assert breal["active_producers"] == "1"
    departments = client.get("/cooperative/territories.csv?level=department").data.decode()
    assert "department,35,35,35,2026-03,1,1,3,40.00,37.5,55.6,0" in departments
