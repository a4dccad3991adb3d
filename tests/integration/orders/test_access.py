"""Who may open each order and payment route (role × route × expected status).

Roles: anonymous, the citizen who placed the order ("buyer"), another citizen, the manager of the
order's hub, the manager of another hub, and a platform admin. Someone else's order answers 404
(it stays hidden), never 403. The shop, cart and checkout are open to guests (guest checkout).
"""

from __future__ import annotations

import pytest

from core.timeutils import utcnow
from orders import services
from orders.models import PaymentMethod
from tests.factories import UserFactory
from tests.factories_hubs import hub_with_manager
from tests.factories_orders import make_shop
from tests.factories_products import api_token

ROLES = ("anonymous", "buyer", "other_citizen", "hub_manager", "other_hub_manager", "admin")


def _all(status: int) -> tuple[int, ...]:
    return (status,) * len(ROLES)


def _order_only(buyer: int, hub: int = 404, admin: int | None = None, anon: int = 404):
    """The buyer gets ``buyer``; the order's hub managers ``hub``; everyone else 404."""
    return (anon, buyer, 404, hub, 404, hub if admin is None else admin)


HTML_ROUTES = [
    # shopfront, cart and checkout: guests too
    ("GET", "/cycles/{cycle}/shop", None, _all(200)),
    ("POST", "/cycles/{cycle}/cart/items", {"offer_id": "{offer}", "quantity": "1"}, _all(303)),
    ("GET", "/cycles/{cycle}/cart", None, _all(200)),
    ("POST", "/cycles/{cycle}/cart", {"qty-{offer}": "2"}, _all(303)),
    ("GET", "/cycles/{cycle}/checkout", None, _all(302)),  # empty cart → back to the shop
    ("GET", "/cycles/{cycle}/checkout/review", None, _all(302)),  # no pickup chosen yet
    ("POST", "/cycles/{cycle}/checkout/place", {}, _all(302)),
    # the order: the buyer, the hub's managers and admins see it; nobody else knows it exists
    ("GET", "/orders/{order}", None, _order_only(200, hub=200)),
    ("GET", "/orders/{order}/confirmation", None, _order_only(200, hub=200)),
    ("GET", "/orders", None, (302, 200, 200, 200, 200, 200)),  # anonymous → log in
    # changing or cancelling it: the buyer only (the hub has its own pages)
    ("POST", "/orders/{order}/cancel", {}, _order_only(303)),
    ("GET", "/orders/{order}/edit", None, _order_only(200)),
    ("POST", "/orders/{order}/edit", {"qty-{offer}": "1"}, _order_only(303)),
    # paying it: the buyer only (a pay-at-pickup order: the pay page sends to the confirmation)
    ("GET", "/payments/orders/{order}/pay", None, _order_only(302)),
    ("POST", "/payments/orders/{order}/retry", {}, _order_only(303)),
    ("POST", "/payments/orders/{order}/confirm", "json", _order_only(422)),
    ("GET", "/payments/orders/{order}/status", None, _order_only(200)),
    ("GET", "/payments/orders/{order}/pending", None, _order_only(302)),
    # the webhook: nobody without Stripe's signature
    ("POST", "/payments/stripe/webhook", "raw", _all(400)),
]

API_ROUTES = [
    ("GET", "/api/v1/cycles/{cycle}/cart", None, (401, 200, 200, 200, 200, 200)),
    (
        "PUT",
        "/api/v1/cycles/{cycle}/cart/items",
        {"offer_id": "{offer}", "quantity": 1},
        (401, 200, 200, 200, 200, 200),
    ),
    ("POST", "/api/v1/cycles/{cycle}/orders", {}, (401, 422, 422, 422, 422, 422)),
    # the API shows a citizen their own orders only
    ("GET", "/api/v1/orders/{order}", None, (401, 200, 404, 404, 404, 404)),
    # a pay-at-pickup order cannot be paid online: 409 for its buyer
    ("POST", "/api/v1/orders/{order}/payment", None, (401, 409, 404, 404, 404, 404)),
    (
        "POST",
        "/api/v1/orders/{order}/payment/confirm",
        {"payment_method": "pm_card_visa"},
        (401, 409, 404, 404, 404, 404),
    ),
]


@pytest.fixture
def world(db_session):
    shop = make_shop(offers=2, stock=20)
    buyer = UserFactory()
    order = services.place_order(
        cycle=shop.cycle,
        customer=buyer,
        items=[(shop.offers[0].id, 2)],
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id,
        payment_method=PaymentMethod.at_pickup,
        idempotency_key=None,
        terms_accepted=True,
        now=utcnow(),
    )
    from tests.factories import MembershipFactory

    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=shop.hub)
    _other_hub, other_manager = hub_with_manager()
    users = {
        "anonymous": None,
        "buyer": buyer,
        "other_citizen": UserFactory(),
        "hub_manager": manager,
        "other_hub_manager": other_manager,
        "admin": UserFactory(is_admin=True),
    }
    db_session.flush()
    ids = {"cycle": shop.cycle.id, "order": order.id, "offer": shop.offers[0].id}
    return users, ids


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {_fill(k, ids): _fill(v, ids) for k, v in value.items()}
    return value


def _cases(routes):
    for method, url, body, expected in routes:
        for role, status in zip(ROLES, expected, strict=True):
            yield pytest.param(method, url, body, role, status, id=f"{method} {url} {role}")


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), list(_cases(HTML_ROUTES)))
def test_html_route_access(client, login_as, world, method, url, body, role, expected):
    users, ids = world
    if users[role] is not None:
        login_as(users[role])
    kwargs = {}
    if body == "json":
        kwargs["json"] = {}
    elif body == "raw":
        kwargs["data"] = b'{"id": "evt_x"}'
        kwargs["headers"] = {"Content-Type": "application/json"}
    elif body is not None:
        kwargs["data"] = _fill(body, ids)
    response = client.open(_fill(url, ids), method=method, **kwargs)
    assert response.status_code == expected
    if expected == 302 and url == "/orders":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), list(_cases(API_ROUTES)))
def test_api_route_access(client, world, method, url, body, role, expected):
    users, ids = world
    headers = {}
    if users[role] is not None:
        headers["Authorization"] = f"Bearer {api_token(users[role])}"
    kwargs = {"headers": headers}
    if body is not None or method in ("POST", "PUT"):
        kwargs["json"] = _fill(body or {}, ids)
    response = client.open(_fill(url, ids), method=method, **kwargs)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected >= 400:
        assert "error" in response.get_json()
