"""Reports: the number of SQL statements does not grow with the orders; empty and long cycles;
who may see them."""

from __future__ import annotations

import csv
import io

import pytest

from core.db import db
from enterprises.models import MembershipRole
from orders.models import PaymentMethod, PaymentStatus
from payments.models import Payment, PaymentState
from tests.factories import (
    CycleOfferFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    PickupSlotFactory,
    PickupWindowFactory,
    UserFactory,
)
from tests.factories_reports import make_report_cycle
from tests.querycount import count_queries

REPORTS = ["packing", "suppliers", "products", "payments", "fees", "pickup"]
FORMATS = ["html", "csv", "pdf"]


@pytest.fixture
def hub_cycle(db_session):
    hub = HubFactory(name="Le Hangar")
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=hub, role=MembershipRole.manager)
    cycle = OrderCycleFactory(hub=hub)
    windows = [PickupWindowFactory(cycle=cycle), PickupWindowFactory(cycle=cycle)]
    slot = PickupSlotFactory(window=windows[0])
    offers = [CycleOfferFactory(cycle=cycle) for _ in range(3)]
    state = {"made": 0}

    def add_orders(count: int) -> None:
        for _ in range(count):
            i = state["made"]
            state["made"] += 1
            order = OrderFactory(
                cycle=cycle,
                pickup_window=windows[i % 2],
                pickup_slot_id=slot.id if i % 2 == 0 else None,
                payment_method=PaymentMethod.card if i % 3 == 0 else PaymentMethod.at_pickup,
                payment_status=PaymentStatus.paid if i % 3 == 0 else PaymentStatus.unpaid,
            )
            OrderLineFactory(order=order, offer=offers[i % 3], quantity=1 + i % 4)
            OrderLineFactory(order=order, offer=offers[(i + 1) % 3])
            if i % 3 == 0:
                db.session.flush()
                db.session.add(
                    Payment(
                        order_id=order.id,
                        provider="stripe",
                        method="card",
                        idempotency_key=f"q-{order.id}",
                        amount_cents=order.total_cents,
                        state=PaymentState.succeeded,
                    )
                )
        db.session.flush()

    return hub, cycle, manager, add_orders


def _count(client, url: str) -> int:
    db.session.expire_all()
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200, url
    return log.count


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", REPORTS)
def test_report_query_count_does_not_grow_with_orders(client, login_as, hub_cycle, report, fmt):
    hub, cycle, manager, add_orders = hub_cycle
    login_as(manager)
    url = f"/hubs/{hub.id}/cycles/{cycle.id}/reports/{report}.{fmt}"
    add_orders(3)
    few = _count(client, url)
    add_orders(27)
    many = _count(client, url)
    assert many == few, f"{report}.{fmt}: {few} statements for 3 orders, {many} for 30"
    assert few <= 12


def test_index_lists_the_six_reports_in_three_formats(client, login_as, hub_cycle):
    hub, cycle, manager, _ = hub_cycle
    login_as(manager)
    page = client.get(f"/hubs/{hub.id}/cycles/{cycle.id}/reports").get_data(as_text=True)
    for report in REPORTS:
        for fmt in FORMATS:
            assert f"/hubs/{hub.id}/cycles/{cycle.id}/reports/{report}.{fmt}" in page
    assert "Liste de préparation par client" in page
    # the DFC export sits beside the CSV exports
    assert f"/hubs/{hub.id}/cycles/{cycle.id}/orders.jsonld" in page


@pytest.mark.parametrize("report", REPORTS)
def test_empty_cycle_gives_empty_reports(client, login_as, hub_cycle, report):
    hub, cycle, manager, _ = hub_cycle
    login_as(manager)
    base = f"/hubs/{hub.id}/cycles/{cycle.id}/reports/{report}"
    html = client.get(f"{base}.html")
    assert 'data-testid="report-empty"' in html.get_data(as_text=True)
    rows = list(
        csv.reader(io.StringIO(client.get(f"{base}.csv").data.decode("utf-8-sig")), delimiter=";")
    )
    assert len(rows[0]) >= 5  # the header, then only the total rows
    assert all(row[0].startswith("Total") for row in rows[1:])
    pdf = client.get(f"{base}.pdf").data
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") == 1


def test_long_packing_list_pdf_runs_over_several_numbered_pages(client, login_as, hub_cycle):
    hub, cycle, manager, add_orders = hub_cycle
    login_as(manager)
    add_orders(40)  # 80 lines: more than one A4 landscape page of 5 mm rows
    pdf = client.get(f"/hubs/{hub.id}/cycles/{cycle.id}/reports/packing.pdf").data
    pages = pdf.count(b"/Type /Page\n")
    assert pages >= 3
    assert b"{nb_pages}" not in pdf  # the page-count alias was replaced


def test_cancelled_and_unpaid_online_orders_are_left_out_of_every_csv(client, login_as, db_session):
    world = make_report_cycle()
    login_as(world.manager)
    for report in REPORTS:
        url = f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports/{report}.csv"
        text = client.get(url).data.decode("utf-8-sig")
        assert "Denis" not in text
        assert "Émile" not in text
        assert "T-D" not in text


def test_another_hubs_manager_gets_404_for_this_hubs_cycle(client, login_as, db_session):
    world = make_report_cycle()
    other = HubFactory()
    stranger = UserFactory()
    MembershipFactory(user=stranger, enterprise=other, role=MembershipRole.manager)
    login_as(stranger)
    assert client.get(f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports").status_code == 403
    url = f"/hubs/{other.id}/cycles/{world.cycle_id}/reports/payments.csv"
    assert client.get(url).status_code == 404


def test_unknown_report_or_format_is_404(client, login_as, db_session):
    world = make_report_cycle()
    login_as(world.manager)
    base = f"/hubs/{world.hub.id}/cycles/{world.cycle_id}/reports"
    assert client.get(f"{base}/nope.html").status_code == 404
    assert client.get(f"{base}/fees.xlsx").status_code == 404
