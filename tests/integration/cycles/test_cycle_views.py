"""Manager pages of cycles through the Flask client: status, errors shown, DB state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.timeutils import to_local, utcnow
from cycles.models import CycleOffer, OrderCycle, PickupSlot
from tests.factories import (
    DistributionPointFactory,
    OrderCycleFactory,
    PickupWindowFactory,
    ProducerHubLinkFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_hubs import hub_with_manager
from tests.querycount import count_queries


def test_cycle_pages_need_the_hubs_manager(client, login_as):
    hub, _ = hub_with_manager()
    login_as(UserFactory())
    assert client.get(f"/hubs/{hub.id}/cycles").status_code == 403
    assert client.post(f"/hubs/{hub.id}/cycles/new", data={}).status_code == 403


def test_create_cycle_in_local_time_and_refuse_close_before_open(client, login_as):
    hub, manager = hub_with_manager()
    db.session.commit()  # views roll back on refusals: keep the setup
    login_as(manager)
    bad = client.post(
        f"/hubs/{hub.id}/cycles/new",
        data={"name": "Semaine", "opens_at": "2026-12-01T20:00", "closes_at": "2026-12-01T19:00"},
    )
    assert bad.status_code == 422
    assert "aria-invalid" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OrderCycle.id))) == 0
    ok = client.post(
        f"/hubs/{hub.id}/cycles/new",
        data={"name": "Semaine", "opens_at": "2026-12-01T20:00", "closes_at": "2026-12-04T12:00"},
    )
    assert ok.status_code == 302
    cycle = db.session.scalar(select(OrderCycle).where(OrderCycle.hub_id == hub.id))
    assert to_local(cycle.opens_at).strftime("%Y-%m-%d %H:%M %z") == "2026-12-01 20:00 +0100"
    assert cycle.published is False


def test_windows_and_slots_from_the_detail_page(client, login_as):
    hub, manager = hub_with_manager()
    cycle = OrderCycleFactory(hub=hub, published=False)
    point = DistributionPointFactory(hub=hub)
    db.session.commit()  # views roll back on refusals: keep the setup
    login_as(manager)
    day = to_local(cycle.closes_at).date() + timedelta(days=1)
    early = to_local(cycle.closes_at).date() - timedelta(days=1)
    url = f"/hubs/{hub.id}/cycles/{cycle.id}/windows"
    bad = client.post(
        url,
        data={"distribution_point_id": point.id, "day": early, "start": "10:00", "end": "12:00"},
    )
    assert bad.status_code == 422
    assert cycle.windows == []
    ok = client.post(
        url, data={"distribution_point_id": point.id, "day": day, "start": "10:00", "end": "12:00"}
    )
    assert ok.status_code == 302
    db.session.refresh(cycle)
    window = cycle.windows[0]
    resp = client.post(
        f"/hubs/{hub.id}/cycles/{cycle.id}/windows/{window.id}/generate",
        data={"every_minutes": 15, "capacity": 3},
    )
    assert resp.status_code == 302
    assert db.session.scalar(select(func.count(PickupSlot.id))) == 8
    overlap = client.post(
        f"/hubs/{hub.id}/cycles/{cycle.id}/windows/{window.id}/slots",
        data={"start": "10:05", "end": "10:20", "capacity": 2},
        follow_redirects=True,
    )
    assert db.session.scalar(select(func.count(PickupSlot.id))) == 8
    assert "flash-error" in overlap.get_data(as_text=True)
    page = client.get(f"/hubs/{hub.id}/cycles/{cycle.id}")
    assert page.status_code == 200
    assert "10:00" in page.get_data(as_text=True)
    assert client.post(f"/hubs/{hub.id}/cycles/{cycle.id}/publish").status_code == 302
    db.session.refresh(cycle)
    assert cycle.published


def test_offers_page_refuses_products_without_permission(client, login_as):
    hub, manager = hub_with_manager()
    cycle = OrderCycleFactory(hub=hub)
    stranger = VariantFactory()
    db.session.commit()  # views roll back on refusals: keep the setup
    login_as(manager)
    resp = client.post(
        f"/hubs/{hub.id}/cycles/{cycle.id}/offers",
        data={"shown": [stranger.id], f"offer_{stranger.id}": "1"},
    )
    assert resp.status_code == 422
    assert db.session.scalar(select(func.count(CycleOffer.id))) == 0
    # the page lists only allowed producers' variants
    assert stranger.sku not in client.get(f"/hubs/{hub.id}/cycles/{cycle.id}/offers").get_data(
        as_text=True
    )


def test_offers_page_saves_cap_and_fee_and_is_query_bounded(client, login_as):
    hub, manager = hub_with_manager()
    cycle = OrderCycleFactory(hub=hub)
    link = ProducerHubLinkFactory(hub=hub)
    # product names sort in creation order (the page sorts by name; factory sequence numbers
    # "Tomates 99" / "Tomates 100" would not, and could push the first variant to page 2)
    variants = [
        VariantFactory(product__producer=link.producer, product__name=f"Carotte {i:02d}", stock=20)
        for i in range(30)
    ]
    db.session.commit()  # views roll back on refusals: keep the setup
    login_as(manager)
    v = variants[0]
    resp = client.post(
        f"/hubs/{hub.id}/cycles/{cycle.id}/offers",
        data={
            "shown": [x.id for x in variants],
            f"offer_{v.id}": "1",
            f"cap_{v.id}": "12",
            f"fee_{v.id}": "10",
            f"fee_kind_{v.id}": "percent",
        },
    )
    assert resp.status_code == 302
    offer = db.session.scalar(select(CycleOffer).where(CycleOffer.cycle_id == cycle.id))
    assert (offer.stock_cap, offer.remaining, offer.hub_fee_value) == (12, 12, 1000)
    too_many = client.post(
        f"/hubs/{hub.id}/cycles/{cycle.id}/offers",
        data={"shown": [v.id], f"offer_{v.id}": "1", f"cap_{v.id}": "21"},
    )
    assert too_many.status_code == 422
    with count_queries() as few:
        client.get(f"/hubs/{hub.id}/cycles/{cycle.id}/offers")
    for extra in range(30):
        VariantFactory(
            product__producer=link.producer, product__name=f"Radis {extra:02d}", name=f"v{extra}"
        )
    with count_queries() as many:
        page = client.get(f"/hubs/{hub.id}/cycles/{cycle.id}/offers")
    assert page.status_code == 200
    assert "4,95" in page.get_data(as_text=True)  # 4,50 € + 10 %
    assert many.count == few.count, str(many)


@pytest.mark.parametrize("action", ["publish", "close", "done"])
def test_state_actions_refused_in_the_wrong_state_show_a_message(client, login_as, action):
    hub, manager = hub_with_manager()
    now = utcnow()
    cycle = OrderCycleFactory(
        hub=hub,
        published=False,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    db.session.commit()  # views roll back on refusals: keep the setup
    login_as(manager)
    resp = client.post(f"/hubs/{hub.id}/cycles/{cycle.id}/{action}", follow_redirects=True)
    assert resp.status_code == 200
    assert "flash-error" in resp.get_data(as_text=True)


def test_close_now_and_duplicate(client, login_as):
    hub, manager = hub_with_manager()
    window = PickupWindowFactory(cycle=OrderCycleFactory(hub=hub))
    cycle = window.cycle
    db.session.commit()  # views roll back on refusals: keep the setup
    login_as(manager)
    client.post(f"/hubs/{hub.id}/cycles/{cycle.id}/close")
    db.session.refresh(cycle)
    assert cycle.closed_early_at is not None
    resp = client.post(f"/hubs/{hub.id}/cycles/{cycle.id}/duplicate")
    assert resp.status_code == 302
    copy = db.session.scalar(select(OrderCycle).where(OrderCycle.id != cycle.id))
    assert copy.published is False
    assert len(copy.windows) == 1
    assert client.get(f"/hubs/{hub.id}/cycles").status_code == 200
