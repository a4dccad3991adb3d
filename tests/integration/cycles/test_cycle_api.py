"""Cycles and hubs JSON API: same permissions and validation errors as the pages."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from accounts.api_auth import hash_token, new_token_value
from accounts.models import ApiToken
from core.db import db
from tests.factories import (
    DistributionPointFactory,
    ProducerHubLinkFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories_hubs import hub_with_manager


def _token(user, scope="write") -> dict:
    raw = new_token_value()
    db.session.add(
        ApiToken(user=user, name="t", token_hash=hash_token(raw), prefix=raw[:8], scope=scope)
    )
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False)
def test_cycle_api_flow_and_errors(client):
    """Frozen on Friday 20 November 2026: the cycle below (1-4 December) is still to come."""
    hub, manager = hub_with_manager()
    point = DistributionPointFactory(hub=hub)
    variant = VariantFactory()
    headers = _token(manager)
    base = f"/api/v1/hubs/{hub.id}/cycles"

    bad = client.post(
        base,
        json={"name": "S", "opens_at": "2026-12-01T20:00", "closes_at": "2026-12-01T10:00"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert "closes_at" in bad.json["error"]["fields"]

    made = client.post(
        base,
        json={"name": "S", "opens_at": "2026-12-01T20:00", "closes_at": "2026-12-04T12:00"},
        headers=headers,
    )
    assert made.status_code == 201
    assert made.json["opens_at"] == "2026-12-01T19:00:00+00:00"  # 20:00 in Paris, UTC+1
    assert made.json["state"] == "draft"
    cid = made.json["id"]

    early = client.post(
        f"{base}/{cid}/windows",
        json={
            "distribution_point_id": point.id,
            "starts_at": "2026-12-04T10:00",
            "ends_at": "2026-12-04T11:00",
        },
        headers=headers,
    )
    assert early.status_code == 422
    assert "starts_at" in early.json["error"]["fields"]
    window = client.post(
        f"{base}/{cid}/windows",
        json={
            "distribution_point_id": point.id,
            "starts_at": "2026-12-05T10:00",
            "ends_at": "2026-12-05T12:00",
        },
        headers=headers,
    )
    assert window.status_code == 201
    slots = client.post(
        f"{base}/{cid}/windows/{window.json['id']}/slots/generate",
        json={"every_minutes": 30, "capacity": 5},
        headers=headers,
    )
    assert len(slots.json) == 4

    forbidden = client.post(
        f"{base}/{cid}/offers", json={"offers": [{"variant_id": variant.id}]}, headers=headers
    )
    assert forbidden.status_code == 403
    assert forbidden.json["error"]["code"] == "producer_permission_missing"

    link = ProducerHubLinkFactory(hub=hub)
    own = VariantFactory(product__producer=link.producer, price_cents=1000)
    db.session.commit()
    offered = client.post(
        f"{base}/{cid}/offers",
        json={"offers": [{"variant_id": own.id, "stock_cap": 5, "hub_fee_value": 1500}]},
        headers=headers,
    )
    assert offered.status_code == 201
    assert offered.json[0]["customer_price_cents"] == 1150
    assert offered.json[0]["remaining"] == 5

    published = client.post(f"{base}/{cid}/actions", json={"action": "publish"}, headers=headers)
    assert published.json["state"] == "upcoming"


def test_cycle_api_refuses_other_users_and_read_tokens(client):
    hub, manager = hub_with_manager()
    stranger = _token(UserFactory())
    assert client.get(f"/api/v1/hubs/{hub.id}/cycles", headers=stranger).status_code == 403
    assert client.get(f"/api/v1/hubs/{hub.id}/cycles").status_code == 401
    read_only = _token(manager, scope="read")
    resp = client.post(f"/api/v1/hubs/{hub.id}/points", json={"name": "Point"}, headers=read_only)
    assert resp.status_code == 403


def test_points_and_links_api(client):
    hub, manager = hub_with_manager()
    headers = _token(manager)
    bad = client.post(
        f"/api/v1/hubs/{hub.id}/points",
        json={"name": "Salle", "latitude": "48.1"},
        headers=headers,
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/hubs/{hub.id}/points",
        json={"name": "Salle", "postcode": "35000", "latitude": "48.1", "longitude": "-1.68"},
        headers=headers,
    )
    assert ok.status_code == 201
    assert ok.json["department"] == "35"

    from tests.factories import MembershipFactory, ProducerFactory

    producer = ProducerFactory()
    farmer = UserFactory()
    MembershipFactory(user=farmer, enterprise=producer)
    db.session.commit()
    asked = client.post(
        "/api/v1/links",
        json={"producer_id": producer.id, "hub_id": hub.id, "side": "hub"},
        headers=headers,
    )
    assert asked.status_code == 201
    # the hub cannot accept its own request; the producer can
    assert (
        client.post(
            f"/api/v1/links/{asked.json['id']}", json={"action": "accept"}, headers=headers
        ).status_code
        == 403
    )
    farmer_headers = _token(farmer)
    accepted = client.post(
        f"/api/v1/links/{asked.json['id']}", json={"action": "accept"}, headers=farmer_headers
    )
    assert accepted.json["status"] == "accepted"
