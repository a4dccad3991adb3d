"""Monthly statements: the ledgers balance, numbers are gap-free, unended months are refused."""

from __future__ import annotations

import threading
from datetime import time

import pytest
from billing_support import (
    after_month,
    last_month,
    manager_of,
    order_at,
    pay_by_card,
    pledge,
    this_month,
)
from sqlalchemy import func, select

from coop.billing.statements import (
    BadMonth,
    MonthNotEnded,
    build_statements,
    next_month,
    parse_month,
    previous_month,
)
from coop.models import CommissionEntry, Statement
from core.db import db
from core.timeutils import local_date, local_to_utc, utcnow
from orders import services as order_services
from orders.models import Order, PaymentMethod
from payments import services as payments
from tests.factories import HubFactory, ProducerFactory
from tests.factories_orders import make_shop


def _count(model) -> int:
    return int(db.session.scalar(select(func.count(model.id))))


def _ledger_sum(**where) -> int:
    stmt = select(func.coalesce(func.sum(CommissionEntry.amount_cents), 0))
    for key, value in where.items():
        stmt = stmt.where(getattr(CommissionEntry, key) == value)
    return int(db.session.scalar(stmt))


def test_the_ledgers_balance_orders_entries_and_statements(client, db_session, stripe_app):
    # hub A is paid through Stripe Connect: the commission is the application fee
    connect = make_shop(offers=1, price_cents=1122, fee_bp=1000)  # 12,34 € an item
    connect.hub.stripe_account_id = "acct_statement_hub"
    connect.hub.stripe_charges_enabled = True  # onboarding done (account.updated)
    card = order_at(connect, PaymentMethod.card, 2, key="st-card")  # 24,68 €
    pay_by_card(client, card, "evt_statement_card")
    payments.refund_payment(card, 468, reason="broken eggs")  # 20,00 € kept
    # hub B is paid at pickup: its commission is billed on the statement
    pickup = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    paid = order_at(pickup, PaymentMethod.at_pickup, 1, key="st-paid")  # 12,34 €
    payments.record_manual_payment(paid, method="cash", actor=None)
    refunded = order_at(pickup, PaymentMethod.at_pickup, 3, key="st-refunded")  # 37,02 €
    payments.record_manual_payment(refunded, method="cheque", actor=None)
    payments.refund_payment(refunded, 1234, reason="one missing")  # 24,68 € kept
    cancelled = order_at(pickup, PaymentMethod.at_pickup, 1, key="st-cancelled")
    payments.record_manual_payment(cancelled, method="cash", actor=None)
    order_services.cancel_order(cancelled, actor=None, reason="hub closed")
    unpaid = order_at(pickup, PaymentMethod.at_pickup, 1, key="st-unpaid")
    order_services.cancel_order(unpaid, actor=None, reason="changed mind")

    orders = [card, paid, refunded, cancelled, unpaid]
    for order in orders:
        db.session.refresh(order)
    assert [o.commission_cents for o in orders] == [20, 12, 25, 0, 0]
    orders_total = sum(o.commission_cents for o in orders)
    assert _ledger_sum() == orders_total == 57
    assert _ledger_sum(collected_via="application_fee") == 20

    month = this_month()
    built = build_statements(month, after_month(month))
    by_enterprise = {s.enterprise_id: s for s in built}
    a, b = by_enterprise[connect.hub.id], by_enterprise[pickup.hub.id]
    assert (a.commission_collected_cents, a.commission_due_cents) == (20, 0)
    assert (b.commission_collected_cents, b.commission_due_cents) == (0, 37)
    assert sum(s.commission_due_cents + s.commission_collected_cents for s in built) == 57
    # sales: what citizens paid and kept, net of refunds and cancellations
    assert a.sales_cents == 2000
    assert b.sales_cents == 1234 + 2468
    # every entry of the month is on its hub's statement
    entries = list(db.session.scalars(select(CommissionEntry)))
    assert entries
    assert all(e.statement_id == by_enterprise[e.hub_id].id for e in entries)
    # the producers (not hubs) get their own statement of what their products sold
    producer_ids = {line.producer_id for o in (card, paid, refunded) for line in o.lines}
    for producer_id in producer_ids:
        assert by_enterprise[producer_id].sales_cents > 0
        assert by_enterprise[producer_id].commission_due_cents == 0

    # gap-free, sequential, in the year of issue
    year = local_date(after_month(month)).year
    numbers = sorted(s.number for s in built)
    assert numbers == [f"{year}-{i:06d}" for i in range(1, len(built) + 1)]
    # built once: a second run builds nothing and renumbers nothing
    assert build_statements(month, after_month(month)) == []
    assert _count(Statement) == len(built)


def test_an_unended_month_is_refused_and_nothing_written(db_session):
    shop = make_shop(offers=1)
    order = order_at(shop, PaymentMethod.at_pickup)
    payments.record_manual_payment(order, method="cash", actor=None)
    now = utcnow()
    for month in (this_month(), next_month(this_month()), date_in_future()):
        with pytest.raises(MonthNotEnded) as caught:
            build_statements(month, now)
        assert caught.value.code == "month_not_ended"
    assert _count(Statement) == 0
    assert db.session.scalar(select(CommissionEntry.statement_id)) is None


def date_in_future():
    return next_month(next_month(next_month(this_month())))


@pytest.mark.parametrize("text", ["2026-13", "abc", "2026-1", "", "2026-00", "26-11", "2026-11-01"])
def test_a_malformed_month_is_refused(text):
    with pytest.raises(BadMonth) as caught:
        parse_month(text)
    assert caught.value.code == "bad_month"


def test_numbers_follow_each_other_across_months_and_restart_each_year(db_session):
    hubs = [HubFactory(), HubFactory(), ProducerFactory()]
    oct_, nov = parse_month("2026-10"), parse_month("2026-11")
    for hub in hubs:
        pledge(hub, 1500, at=local_to_utc(parse_month("2026-09"), time(12)))
    first = build_statements(oct_, after_month(oct_))
    second = build_statements(nov, after_month(nov))
    new_year = build_statements(parse_month("2026-12"), after_month(parse_month("2026-12")))
    assert [s.number for s in first] == ["2026-000001", "2026-000002", "2026-000003"]
    assert [s.number for s in second] == ["2026-000004", "2026-000005", "2026-000006"]
    assert [s.number for s in new_year] == ["2027-000001", "2027-000002", "2027-000003"]
    assert {s.contribution_pledged_cents for s in first + second + new_year} == {1500}


def test_an_enterprise_without_activity_gets_no_statement(db_session):
    quiet, zero = HubFactory(), HubFactory()
    pledge(zero, 0)
    month = last_month()
    assert build_statements(month, after_month(month)) == []
    assert quiet.id
    assert _count(Statement) == 0


def test_concurrent_builds_share_one_gap_free_sequence(committed):
    """Two months built at once by three threads (two for the same month) on PostgreSQL."""
    sep, oct_ = parse_month("2026-09"), parse_month("2026-10")
    start = local_to_utc(parse_month("2026-08"), time(12))
    ids = []
    for _ in range(6):
        hub = HubFactory()
        pledge(hub, 1000, at=start)
        ids.append(hub.id)
    db.session.commit()
    app = committed
    barrier = threading.Barrier(3)
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def run(index: int, month) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                built = build_statements(month, after_month(oct_))
                results[index] = [s.number for s in built]
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate((sep, oct_, oct_))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    numbers = sorted(n for built in results.values() for n in built)
    assert numbers == [f"2026-{i:06d}" for i in range(1, 13)]  # 6 + 6, no gap, no duplicate
    assert sorted(len(built) for built in results.values()) == [0, 6, 6]
    assert db.session.scalar(select(func.count(Statement.id))) == 12


def test_previous_and_next_month_cross_the_year():
    assert previous_month(parse_month("2026-01")) == parse_month("2025-12")
    assert next_month(parse_month("2026-12")) == parse_month("2027-01")


# --------------------------------------------------------------------------- CLI


def test_cli_builds_an_ended_month_and_prints_the_numbers(app, db_session):
    hub = HubFactory()
    pledge(hub, 2000)
    month = last_month()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["billing", "statements", "--month", f"{month:%Y-%m}"])
    assert result.exit_code == 0, result.output
    statement = db.session.scalar(select(Statement).where(Statement.enterprise_id == hub.id))
    assert statement is not None
    assert f"{month:%Y-%m}: 1 statement(s) built: {statement.number}" in result.output
    again = runner.invoke(args=["billing", "statements", "--month", f"{month:%Y-%m}"])
    assert again.exit_code == 0
    assert "0 statement(s) built" in again.output


@pytest.mark.parametrize("bad", ["2026-13", "abc"])
def test_cli_refuses_a_malformed_month(app, db_session, bad):
    result = app.test_cli_runner().invoke(args=["billing", "statements", "--month", bad])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


def test_cli_refuses_the_current_month_and_writes_nothing(app, db_session):
    pledge(HubFactory(), 2000)
    result = app.test_cli_runner().invoke(
        args=["billing", "statements", "--month", f"{this_month():%Y-%m}"]
    )
    assert result.exit_code == 2
    assert "pas encore" in result.output  # the CLI speaks the default language (French)
    assert _count(Statement) == 0


# --------------------------------------------------------------------------- pages


def _built_for(enterprise, amount=1200):
    pledge(enterprise, amount)
    month = last_month()
    built = build_statements(month, after_month(month))
    return next(s for s in built if s.enterprise_id == enterprise.id)


def test_manager_sees_statements_page_and_pdf(app, client, db_session, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "COOP_NAME", "Coopérative Comptoir Bretagne")
    monkeypatch.setitem(app.config, "COOP_ADDRESS", "2 rue de la Soif, 35000 Rennes")
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    manager = manager_of(shop.hub)
    order = order_at(shop, PaymentMethod.at_pickup)
    payments.record_manual_payment(order, method="cash", actor=None)
    month = this_month()
    statement = next(
        s for s in build_statements(month, after_month(month)) if s.enterprise_id == shop.hub.id
    )
    login_as(manager)
    listing = client.get(f"/enterprises/{shop.hub.id}/statements").get_data(as_text=True)
    assert statement.number in listing
    page = client.get(f"/enterprises/{shop.hub.id}/statements/{statement.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert statement.number in html
    assert order.number in html
    assert "0,12" in html  # the 1 % of 12,34 €, due on this statement
    assert "Coopérative Comptoir Bretagne, 2 rue de la Soif, 35000 Rennes" in html
    assert "293 B" in html  # no VAT number configured: the franchise mention
    pdf = client.get(f"/enterprises/{shop.hub.id}/statements/{statement.id}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert len(pdf.data) > 1000


def test_another_hubs_manager_cannot_see_the_statements(client, db_session, login_as):
    hub_a, hub_b = HubFactory(), HubFactory()
    statement = _built_for(hub_a)
    login_as(manager_of(hub_b))
    assert client.get(f"/enterprises/{hub_a.id}/statements").status_code == 403
    assert client.get(f"/enterprises/{hub_a.id}/statements/{statement.id}").status_code == 403
    assert client.get(f"/enterprises/{hub_a.id}/statements/{statement.id}.pdf").status_code == 403
    assert client.get(f"/hubs/{hub_a.id}/commission").status_code == 403
    # B's manager asking for A's statement under B's URL: not B's, 404
    assert client.get(f"/enterprises/{hub_b.id}/statements/{statement.id}").status_code == 404
    assert client.get(f"/enterprises/{hub_b.id}/statements/{statement.id}.pdf").status_code == 404


def test_hub_ledger_page_totals_filters_and_csv(client, db_session, login_as):
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    manager = manager_of(shop.hub)
    one = order_at(shop, PaymentMethod.at_pickup, 1)
    two = order_at(shop, PaymentMethod.at_pickup, 2)
    for order in (one, two):
        payments.record_manual_payment(order, method="cash", actor=None)
    payments.refund_payment(two, 1234, reason="missing")
    month = this_month()
    statement = next(
        s for s in build_statements(month, after_month(month)) if s.enterprise_id == shop.hub.id
    )
    login_as(manager)
    html = client.get(f"/hubs/{shop.hub.id}/commission").get_data(as_text=True)
    assert html.count('data-testid="ledger-row"') == 3  # two charges, one reversal
    assert one.number in html
    assert two.number in html
    assert statement.number in html
    # 0,12 + 0,25 - 0,13 (1 % of 12,34 + 24,68 €, then 12,34 € refunded)
    assert 'data-testid="total">0,24' in html
    empty = client.get(f"/hubs/{shop.hub.id}/commission?month={last_month():%Y-%m}")
    assert empty.get_data(as_text=True).count('data-testid="ledger-row"') == 0
    assert client.get(f"/hubs/{shop.hub.id}/commission?month=2026-13").status_code == 400
    csv = client.get(f"/hubs/{shop.hub.id}/commission.csv")
    assert csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    lines = body.strip().splitlines()
    assert len(lines) == 4
    assert lines[1].split(",")[2] == one.number
    assert lines[-1].split(",")[3:6] == ["reversal", "12.34", "-0.13"]
    assert statement.number in body


def test_statement_lists_are_exact_for_orders_in_two_months(db_session):
    """A refund in a later month lowers that month's sales and commission, not the first one's."""
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    order = order_at(shop, PaymentMethod.at_pickup, 2)  # 24,68 €
    payments.record_manual_payment(order, method="cash", actor=None)
    charge = db.session.scalar(select(CommissionEntry).where(CommissionEntry.order_id == order.id))
    earlier = previous_month(last_month())
    charge.created_at = local_to_utc(earlier.replace(day=10), time(12))
    payments.refund_payment(order, 1234, reason="half")
    reversal = db.session.scalar(
        select(CommissionEntry).where(
            CommissionEntry.order_id == order.id, CommissionEntry.id != charge.id
        )
    )
    reversal.created_at = local_to_utc(last_month().replace(day=3), time(12))
    db.session.flush()
    first = {s.enterprise_id: s for s in build_statements(earlier, after_month(earlier))}
    later = {s.enterprise_id: s for s in build_statements(last_month(), after_month(last_month()))}
    assert (first[shop.hub.id].sales_cents, first[shop.hub.id].commission_due_cents) == (2468, 25)
    assert (later[shop.hub.id].sales_cents, later[shop.hub.id].commission_due_cents) == (-1234, -13)
    assert db.session.scalar(select(Order.commission_cents).where(Order.id == order.id)) == 12


def test_fallback_counts_a_yearly_pledge_in_its_month_only(db_session, monkeypatch):
    """Without coop.contributions' functions, the models are read directly (same rule)."""
    from coop.billing import statements as module
    from coop.models import Rhythm

    monkeypatch.setattr(module, "_contributions_module", lambda: None)
    hub = HubFactory()
    row = pledge(hub, 12000, at=local_to_utc(parse_month("2026-09").replace(day=5), time(12)))
    row.rhythm = Rhythm.yearly
    db.session.flush()
    sep, oct_ = parse_month("2026-09"), parse_month("2026-10")
    assert [s.contribution_pledged_cents for s in build_statements(sep, after_month(sep))] == [
        12000
    ]
    assert build_statements(oct_, after_month(oct_)) == []  # nothing pledged nor sold
