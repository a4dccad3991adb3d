"""The foundation: the schema, the home page, the error pages."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import HubFactory, OrderCycleFactory
from tests.i18n import in_language


def test_home_lists_hubs_with_open_cycle_first(client, db_session):
    closed = HubFactory(name="Aaa fermé")
    open_hub = HubFactory(name="Zzz ouvert")
    OrderCycleFactory(hub=open_hub)
    db_session.flush()
    html = client.get("/").get_data(as_text=True)
    assert html.index("Zzz ouvert") < html.index("Aaa fermé")
    assert closed.name in html


def test_unknown_page_is_404_in_site_style(client):
    response = in_language(client, "fr").get("/nope")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    english = in_language(client, "en").get("/nope")
    assert "Page not found" in english.get_data(as_text=True)


def test_unknown_api_route_is_json_error(client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_money_check_constraint_holds(db_session):
    from sqlalchemy.exc import IntegrityError

    from tests.factories import VariantFactory

    with pytest.raises(IntegrityError):
        VariantFactory(stock=-1)
    db_session.rollback()


@pytest.mark.sqlite
def test_sqlite_smoke_home(sqlite_client):
    assert sqlite_client.get("/").status_code == 200


def test_timestamps_are_aware_utc(db_session):
    from tests.factories import UserFactory

    user = UserFactory()
    db_session.flush()
    db_session.expire(user)
    assert user.created_at.utcoffset().total_seconds() == 0
    assert db_session.execute(text("select 1")).scalar() == 1


def test_order_factories_build_consistent_totals(db_session):
    from tests.factories import OrderFactory, OrderLineFactory

    order = OrderFactory()
    OrderLineFactory(order=order, quantity=2)
    OrderLineFactory(order=order)
    db_session.flush()
    assert order.total_cents == sum(line.line_total_cents for line in order.lines)
    assert order.lines[0].line_total_cents == 2 * 495  # 4.50 + 10 % hub fee
