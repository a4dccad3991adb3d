"""Platform administration: figures, the whole ledger, every statement, the running costs."""

from __future__ import annotations

from datetime import timedelta

from billing_support import after_month, last_month, manager_of, order_at, pledge, this_month
from sqlalchemy import func, select

from coop.models import ContributionPayment, PlatformCost, Statement
from core.db import db
from core.timeutils import utcnow
from orders.models import PaymentMethod
from payments import services as payments
from tests.factories import HubFactory, UserFactory
from tests.factories_orders import make_shop
from tests.i18n import in_language


def _admin(login_as):
    return login_as(UserFactory(is_admin=True))


def _count(model) -> int:
    return int(db.session.scalar(select(func.count(model.id))))


def _paid_order(shop, quantity=1):
    order = order_at(shop, PaymentMethod.at_pickup, quantity)
    payments.record_manual_payment(order, method="cash", actor=None)
    return order


def test_overview_shows_this_months_figures(client, db_session, login_as):
    shop = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    _paid_order(shop, 2)  # 24,68 € → 0,25 € billed on the statement
    db.session.add(
        ContributionPayment(
            enterprise_id=shop.hub.id,
            amount_cents=3000,
            method="transfer",
            status="paid",
            paid_at=utcnow(),
        )
    )
    db.session.flush()
    html = _admin(login_as).get("/admin/coop/").get_data(as_text=True)
    month_card = html.split('data-testid="period-1"')[1].split("</dl>")[0]
    assert 'data-testid="contributions">30,00' in month_card
    assert 'data-testid="due">0,25' in month_card
    assert 'data-testid="collected">0,00' in month_card
    assert "/admin/coop/costs" in html


def test_whole_ledger_filters_by_hub_and_month_and_exports_csv(client, db_session, login_as):
    one = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    two = make_shop(offers=1, price_cents=1122, fee_bp=1000)
    a, b = _paid_order(one), _paid_order(two)
    client = _admin(login_as)
    every = client.get("/admin/coop/commissions").get_data(as_text=True)
    assert every.count('data-testid="ledger-row"') == 2
    only_one = client.get(f"/admin/coop/commissions?hub={one.hub.id}").get_data(as_text=True)
    assert a.number in only_one
    assert b.number not in only_one
    empty = client.get(f"/admin/coop/commissions?month={last_month():%Y-%m}")
    assert empty.get_data(as_text=True).count('data-testid="ledger-row"') == 0
    assert client.get("/admin/coop/commissions?month=abc").status_code == 400
    assert client.get("/admin/coop/commissions?hub=x").status_code == 400
    csv = client.get(f"/admin/coop/commissions.csv?hub={two.hub.id}").get_data(as_text=True)
    assert b.number in csv
    assert a.number not in csv


def test_build_form_builds_an_ended_month_and_refuses_the_current_one(client, db_session, login_as):
    hubs = [HubFactory(name="Épicerie Alpha"), HubFactory(name="Épicerie Beta")]
    for hub in hubs:
        pledge(hub, 1500)
    client = _admin(login_as)
    db_session.commit()  # a refused form must not undo the set-up
    refused = client.post("/admin/coop/statements/build", data={"month": f"{this_month():%Y-%m}"})
    assert refused.status_code == 422
    assert 'class="field-error"' in refused.get_data(as_text=True)
    assert _count(Statement) == 0
    bad = client.post("/admin/coop/statements/build", data={"month": "2026-13"})
    assert bad.status_code == 422
    assert _count(Statement) == 0

    month = f"{last_month():%Y-%m}"
    done = client.post("/admin/coop/statements/build", data={"month": month})
    assert done.status_code == 302
    assert _count(Statement) == 2
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert page.count('data-testid="statement-row"') == 2
    assert "Épicerie Alpha" in page
    numbers = sorted(db.session.scalars(select(Statement.number)))
    assert all(n in page for n in numbers)
    again = client.post(
        "/admin/coop/statements/build", data={"month": month}, follow_redirects=True
    )
    assert _count(Statement) == 2  # built once
    assert again.status_code == 200
    csv = client.get(f"/admin/coop/statements.csv?month={month}").get_data(as_text=True)
    assert csv.strip().splitlines()[1].split(",")[0] == numbers[0]
    assert "15.00" in csv


def test_statements_page_filters_by_month(client, db_session, login_as):
    hub = HubFactory()
    pledge(hub, 1000, at=utcnow() - timedelta(days=400))
    from coop.billing.statements import build_statements, previous_month

    older = previous_month(last_month())
    build_statements(older, after_month(older))
    build_statements(last_month(), after_month(last_month()))
    client = _admin(login_as)
    html = client.get(f"/admin/coop/statements?month={older:%Y-%m}").get_data(as_text=True)
    assert html.count('data-testid="statement-row"') == 1


def test_costs_can_be_added_edited_and_deleted_and_bad_input_is_refused(
    client, db_session, login_as
):
    client = in_language(_admin(login_as), "fr")
    assert client.get("/admin/coop/costs/new").status_code == 200
    for bad in (
        {"label": "", "amount": "12", "year": "2026"},
        {"label": "Hébergement", "amount": "douze", "year": "2026"},
        {"label": "Hébergement", "amount": "-5", "year": "2026"},
        {"label": "Hébergement", "amount": "1,234", "year": "2026"},
        {"label": "Hébergement", "amount": "12", "year": "1850"},
        {"label": "x" * 151, "amount": "12", "year": "2026"},
    ):
        response = client.post("/admin/coop/costs/new", data=bad)
        assert response.status_code == 422, bad
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _count(PlatformCost) == 0

    created = client.post(
        "/admin/coop/costs/new",
        data={"label": "Hébergement", "amount": "1 200,50", "year": "2026"},
    )
    assert created.status_code == 302
    cost = db.session.scalar(select(PlatformCost))
    assert (cost.label, cost.yearly_cents, cost.year) == ("Hébergement", 120050, 2026)
    listing = client.get("/admin/coop/costs").get_data(as_text=True)
    assert "Hébergement" in listing
    assert "1\u202f200,50" in listing  # French grouping: a narrow no-break space

    form = client.get(f"/admin/coop/costs/{cost.id}/edit").get_data(as_text=True)
    assert 'value="1200,50"' in form
    assert (
        client.post(
            f"/admin/coop/costs/{cost.id}/edit",
            data={"label": "Temps de support", "amount": "", "year": "2026"},
        ).status_code
        == 422
    )
    client.post(
        f"/admin/coop/costs/{cost.id}/edit",
        data={"label": "Temps de support", "amount": "3000", "year": "2027"},
    )
    db.session.refresh(cost)
    assert (cost.label, cost.yearly_cents, cost.year) == ("Temps de support", 300000, 2027)

    assert client.post(f"/admin/coop/costs/{cost.id}/delete").status_code == 302
    assert _count(PlatformCost) == 0
    assert client.get("/admin/coop/costs/999999/edit").status_code == 404


def test_admin_pages_are_refused_to_hub_managers(client, db_session, login_as):
    shop = make_shop(offers=1)
    login_as(manager_of(shop.hub))
    for url in (
        "/admin/coop/",
        "/admin/coop/commissions",
        "/admin/coop/commissions.csv",
        "/admin/coop/statements",
        "/admin/coop/costs",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/coop/costs/new", data={"label": "x"}).status_code == 403
    assert (
        client.post(
            "/admin/coop/statements/build", data={"month": f"{last_month():%Y-%m}"}
        ).status_code
        == 403
    )
    assert _count(Statement) == 0


def test_ledger_and_statement_pages_cost_the_same_queries_whatever_their_length(
    client, db_session, login_as
):
    from tests.querycount import count_queries

    shop = make_shop(offers=1, stock=500)
    admin = UserFactory(is_admin=True)
    login_as(admin)
    urls = (
        "/admin/coop/commissions",
        f"/hubs/{shop.hub.id}/commission",
        "/admin/coop/statements",
        "/admin/coop/",
    )

    def counts() -> list[int]:
        client.get("/admin/coop/costs")  # warm-up: the session's first request loads more
        found = []
        for url in urls:
            with count_queries() as log:
                assert client.get(url).status_code == 200
            found.append(log.count)
        return found

    _paid_order(shop)
    pledge(HubFactory(), 500)
    from coop.billing.statements import build_statements

    build_statements(last_month(), after_month(last_month()))
    small = counts()
    for _ in range(8):
        _paid_order(shop)
    for _ in range(5):
        pledge(HubFactory(), 500)
    older = last_month().replace(year=last_month().year - 1)
    build_statements(older, after_month(older))
    assert counts() == small
