"""Hubs near me, a hub's page, following, points and producer-hub links through the pages."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from core.db import db
from hubs import services
from hubs.models import DistributionPoint, HubFollower, LinkStatus, Postcode, ProducerHubLink
from tests.factories import (
    DistributionPointFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    PickupWindowFactory,
    ProducerFactory,
    UserFactory,
)
from tests.factories_hubs import hub_with_manager
from tests.querycount import count_queries


def test_hubs_near_a_postcode_sorted_by_distance_with_open_cycle(client):
    services.load_postcodes(departments=["35", "75"])
    near = HubFactory(name="Près", latitude=Decimal("48.1486"), longitude=Decimal("-1.7739"))
    far = HubFactory(name="Loin", latitude=Decimal("48.8566"), longitude=Decimal("2.3522"))
    PickupWindowFactory(cycle=OrderCycleFactory(hub=near, name="Panier ouvert"))
    resp = client.get("/hubs?postcode=35740")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert html.index("Près") < html.index("Loin")
    assert "Panier ouvert" in html
    assert "Pacé" in html
    paris = client.get("/hubs?postcode=75001").get_data(as_text=True)
    assert paris.index("Loin") < paris.index("Près")
    unknown = client.get("/hubs?postcode=99999")
    assert unknown.status_code == 422
    assert far.name in unknown.get_data(as_text=True)
    by_location = client.get("/hubs?lat=48.85&lon=2.35").get_data(as_text=True)
    assert by_location.index("Loin") < by_location.index("Près")


def test_hubs_near_query_count_does_not_grow_with_hubs(client):
    for _ in range(3):
        PickupWindowFactory(cycle=OrderCycleFactory())
    with count_queries() as few:
        client.get("/hubs?lat=48.1&lon=-1.6")
    for _ in range(10):
        hub = HubFactory()
        DistributionPointFactory(hub=hub)
        PickupWindowFactory(cycle=OrderCycleFactory(hub=hub))
    with count_queries() as many:
        client.get("/hubs?lat=48.1&lon=-1.6")
    assert many.count == few.count, str(many)


def test_public_page_shows_open_cycle_windows_in_local_time_and_follow(client, login_as):
    window = PickupWindowFactory()
    hub = window.cycle.hub
    page = client.get(f"/hubs/{hub.id}").get_data(as_text=True)
    assert window.cycle.name in page
    assert window.distribution_point.name in page
    citizen = UserFactory()
    db.session.commit()
    login_as(citizen)
    assert client.post(f"/hubs/{hub.id}/follow").status_code == 302
    client.post(f"/hubs/{hub.id}/follow")
    assert db.session.scalar(select(func.count()).select_from(HubFollower)) == 1
    client.post(f"/hubs/{hub.id}/unfollow")
    assert db.session.scalar(select(func.count()).select_from(HubFollower)) == 0


def test_points_crud_with_validation_and_permissions(client, login_as):
    hub, manager = hub_with_manager()
    db.session.add(
        Postcode(
            postcode="35000",
            commune="Rennes",
            insee_code="35238",
            department="35",
            latitude=Decimal("48.11"),
            longitude=Decimal("-1.67"),
        )
    )
    db.session.commit()
    login_as(UserFactory())
    assert client.get(f"/hubs/{hub.id}/points/new").status_code == 403
    login_as(manager)
    bad = client.post(f"/hubs/{hub.id}/points/new", data={"name": "", "postcode": "123"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(DistributionPoint.id))) == 0
    ok = client.post(
        f"/hubs/{hub.id}/points/new", data={"name": "Salle", "postcode": "35000", "active": "y"}
    )
    assert ok.status_code == 302
    point = db.session.scalar(select(DistributionPoint))
    assert (point.latitude, point.city, point.department) == (Decimal("48.11"), "Rennes", "35")
    PickupWindowFactory(distribution_point=point, cycle=OrderCycleFactory(hub=hub))
    db.session.commit()
    refused = client.post(
        f"/hubs/{hub.id}/points/{point.id}/delete", follow_redirects=True
    ).get_data(as_text=True)
    assert "flash-error" in refused
    assert db.session.get(DistributionPoint, point.id) is not None


def test_links_request_accept_withdraw_from_both_sides(client, login_as):
    hub, hub_manager = hub_with_manager()
    producer = ProducerFactory()
    farmer = UserFactory()
    MembershipFactory(user=farmer, enterprise=producer)
    db.session.commit()
    login_as(hub_manager)
    client.post(f"/hubs/{hub.id}/producers", data={"other_id": producer.id, "message": "Bonjour"})
    link = db.session.scalar(select(ProducerHubLink))
    assert link.status is LinkStatus.requested
    # the side that asked cannot accept
    assert client.post(f"/links/{link.id}/accept").status_code == 403
    login_as(farmer)
    assert "Bonjour" in client.get(f"/producers/{producer.id}/hubs").get_data(as_text=True)
    client.post(f"/links/{link.id}/accept")
    db.session.refresh(link)
    assert link.status is LinkStatus.accepted
    login_as(hub_manager)
    assert client.post(f"/links/{link.id}/withdraw").status_code == 403
    login_as(farmer)
    client.post(f"/links/{link.id}/withdraw")
    db.session.refresh(link)
    assert link.status is LinkStatus.withdrawn
