"""Who gets what on every DFC route: one row per route, one status per role.

API routes take a token (no token: 401); pages take the session (anonymous: 302 to login).
Roles: ``nobody`` (no token, no session), ``stranger`` (an account managing nothing),
``producer`` (manager of the producer), ``hub`` (manager of the hub, which sells the producer's
products), ``admin``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from dfc_support import example_bytes, token

ROLES = ("nobody", "stranger", "producer", "hub", "admin")


def st(nobody: int, stranger: int, producer: int, hub: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (nobody, stranger, producer, hub, admin), strict=True))


@dataclass(frozen=True)
class Row:
    endpoint: str
    path: Callable[[Any], str]
    expected: dict[str, int]
    method: str = "GET"
    api: bool = True
    #: the body of a POST or PUT (default: catalogue example 07)
    data: Callable[[Any], bytes] | None = None


def _variant(w) -> int:
    return w.variants[0].id


def _received(w) -> tuple[int, int]:
    """An order the hub's manager sent the producer (interop.received): (order id, line id)."""
    import uuid

    from core.db import db
    from interop.models import ReceivedOrder, ReceivedOrderLine

    line = ReceivedOrderLine(
        variant_id=w.variants[0].id,
        product_name="Tomates",
        variant_name="500 g",
        quantity=1,
        unit_price_cents=350,
        vat_rate_bp=550,
        line_total_cents=350,
    )
    order = ReceivedOrder(
        producer_id=w.producer.id,
        platform="OFN",
        sender_user_id=w.hub_manager.id,
        idempotency_key=uuid.uuid4().hex,
        total_cents=350,
        lines=[line],
    )
    db.session.add(order)
    db.session.commit()
    return order.id, line.id


def _ofn_order(w) -> bytes:
    from dfc_support import ofn_post

    return ofn_post(w)


def _subscription(w) -> int:
    from core.db import db
    from interop.models import WebhookSubscription

    subscription = WebhookSubscription(
        enterprise_id=w.hub.id, url="https://hooks.example/x", secret="whsec_x"
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription.id


def _held(w) -> bytes:
    return json.dumps(
        {
            "@context": "https://www.datafoodconsortium.org",
            "@graph": [
                {"@id": "_:o", "@type": "dfc-b:Order", "dfc-b:hasOrderStatus": "dfc-v:Held"}
            ],
        }
    ).encode()


ROWS = [
    Row(
        "enterprise", lambda w: f"/api/dfc/enterprises/{w.producer.id}", st(401, 200, 200, 200, 200)
    ),
    Row("person_me", lambda w: "/api/dfc/persons/me", st(401, 200, 200, 200, 200)),
    Row("person", lambda w: f"/api/dfc/persons/{w.customer.id}", st(401, 404, 404, 200, 200)),
    Row(
        "catalog_items",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/catalog_items",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "import_catalog_items",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/catalog_items",
        st(401, 403, 200, 403, 200),
        method="POST",
    ),
    Row(
        "catalog_item",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/catalog_items/{_variant(w)}",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "supplied_products",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/supplied_products",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "supplied_product",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/supplied_products/{_variant(w)}",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "offers",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/offers",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "offer",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/offers/{_variant(w)}",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "product_group",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/product_groups/{w.products[0].id}",
        st(401, 403, 200, 200, 200),
    ),
    Row(
        "sale_sessions",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/sale_sessions",
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "sale_session",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/sale_sessions/{w.cycle.id}",
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "pickup_option",
        lambda w: (
            f"/api/dfc/enterprises/{w.hub.id}/sale_sessions/{w.cycle.id}/pickup_options/"
            f"{w.orders[0].pickup_window_id}"
        ),
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "place",
        lambda w: (
            f"/api/dfc/enterprises/{w.hub.id}/places/"
            f"{w.orders[0].pickup_window.distribution_point_id}"
        ),
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "hub_orders",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/orders?cycle={w.cycle.id}",
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "hub_order",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/orders/{w.orders[0].id}",
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "hub_order_line",
        lambda w: (
            f"/api/dfc/enterprises/{w.hub.id}/orders/{w.orders[0].id}/order_lines/"
            f"{w.orders[0].lines[0].id}"
        ),
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "producer_orders",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/sale_sessions/{w.cycle.id}/orders",
        st(401, 403, 200, 403, 200),
    ),
    Row(
        "producer_order",
        lambda w: (
            f"/api/dfc/enterprises/{w.producer.id}/sale_sessions/{w.cycle.id}/orders/"
            f"{w.orders[0].id}"
        ),
        st(401, 403, 200, 403, 200),
    ),
    Row(
        "producer_order_line",
        lambda w: (
            f"/api/dfc/enterprises/{w.producer.id}/sale_sessions/{w.cycle.id}/orders/"
            f"{w.orders[0].id}/order_lines/{w.orders[0].lines[0].id}"
        ),
        st(401, 403, 200, 403, 200),
    ),
    Row(
        "receive_order",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/orders",
        st(401, 403, 201, 201, 201),
        method="POST",
        data=_ofn_order,
    ),
    Row(
        "post_received_order",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/received_orders",
        st(401, 403, 201, 201, 201),
        method="POST",
        data=_ofn_order,
    ),
    Row(
        "received_orders",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/received_orders",
        st(401, 404, 200, 200, 200),
    ),
    Row(
        "received_order",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/received_orders/{_received(w)[0]}",
        st(401, 404, 200, 200, 200),
    ),
    Row(
        "update_received_order",
        lambda w: f"/api/dfc/enterprises/{w.producer.id}/received_orders/{_received(w)[0]}",
        st(401, 404, 403, 200, 403),
        method="PUT",
        data=_held,
    ),
    Row(
        "received_order_line",
        lambda w: "/api/dfc/enterprises/{}/received_orders/{}/order_lines/{}".format(
            w.producer.id, *_received(w)
        ),
        st(401, 404, 200, 200, 200),
    ),
    Row(
        "list_webhooks",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/webhooks",
        st(401, 403, 403, 200, 200),
    ),
    Row(
        "create_webhook",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/webhooks",
        st(401, 403, 403, 201, 201),
        method="POST",
        data=lambda w: b'{"url": "https://hooks.example/comptoir"}',
    ),
    Row(
        "delete_webhook",
        lambda w: f"/api/dfc/enterprises/{w.hub.id}/webhooks/{_subscription(w)}",
        st(401, 403, 403, 204, 204),
        method="DELETE",
    ),
    # pages
    Row(
        "received.index",
        lambda w: f"/producers/{w.producer.id}/received-orders",
        st(302, 403, 200, 403, 200),
        api=False,
    ),
    Row(
        "received.cancel",
        lambda w: f"/producers/{w.producer.id}/received-orders/{_received(w)[0]}/cancel",
        st(302, 403, 303, 403, 303),
        method="POST",
        api=False,
    ),
    Row(
        "received.fulfilled",
        lambda w: f"/producers/{w.producer.id}/received-orders/{_received(w)[0]}/fulfilled",
        st(302, 403, 303, 403, 303),
        method="POST",
        api=False,
    ),
    Row(
        "dfc_import",
        lambda w: f"/producers/{w.producer.id}/dfc-import",
        st(302, 403, 200, 403, 200),
        api=False,
    ),
    Row(
        "dfc_import",
        lambda w: f"/producers/{w.producer.id}/dfc-import",
        st(302, 403, 422, 403, 422),  # an empty form: the file is required
        method="POST",
        api=False,
    ),
    Row(
        "dfc_import_preview",
        lambda w: f"/producers/{w.producer.id}/dfc-import/abc123",
        st(302, 403, 404, 403, 404),
        api=False,
    ),
    Row(
        "dfc_import_apply",
        lambda w: f"/producers/{w.producer.id}/dfc-import/abc123/apply",
        st(302, 403, 302, 403, 302),
        method="POST",
        api=False,
    ),
    Row(
        "catalogue_download",
        lambda w: f"/producers/{w.producer.id}/catalogue.jsonld",
        st(302, 403, 200, 403, 200),
        api=False,
    ),
    Row(
        "cycle_orders_download",
        lambda w: f"/hubs/{w.hub.id}/cycles/{w.cycle.id}/orders.jsonld",
        st(302, 403, 403, 200, 200),
        api=False,
    ),
    Row(
        "order_download",
        lambda w: f"/hubs/{w.hub.id}/orders/{w.orders[0].id}.jsonld",
        st(302, 403, 403, 200, 200),
        api=False,
    ),
]


def _user(world, role: str):
    return {
        "stranger": world.stranger,
        "producer": world.producer_manager,
        "hub": world.hub_manager,
        "admin": world.admin,
    }.get(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.endpoint}")
def test_access(client, login_as, world, row: Row, role: str):
    user = _user(world, role)
    headers: dict[str, str] = {}
    if user is not None:
        if row.api:
            headers = token(user, "write")
        else:
            login_as(user)
    kwargs: dict[str, Any] = {"headers": headers}
    if row.method in ("POST", "PUT") and row.api:
        kwargs["data"] = row.data(world) if row.data else example_bytes("05")
    response = client.open(row.path(world), method=row.method, **kwargs)
    assert response.status_code == row.expected[role], response.get_data(as_text=True)[:300]


def test_every_dfc_route_is_in_the_matrix(app):
    covered = {
        ("interop.dfc." if row.api else "interop.") + row.endpoint + " " + row.method
        for row in ROWS
    }
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("interop."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert f"{rule.endpoint} {method}" in covered, rule
