"""Cart and checkout through the JSON API with a personal token (no HTML, no session)."""

from __future__ import annotations

from accounts.api_auth import hash_token, new_token_value
from accounts.models import ApiToken
from core.db import db
from tests.factories import UserFactory
from tests.factories_orders import make_shop


def _token(user, scope="write") -> dict:
    raw = new_token_value()
    db.session.add(
        ApiToken(user_id=user.id, name="t", token_hash=hash_token(raw), prefix=raw[:8], scope=scope)
    )
    db.session.flush()
    return {"Authorization": f"Bearer {raw}"}


def test_api_places_an_order_with_the_same_rules(client, db_session):
    shop = make_shop(offers=2, stock=3)
    a, b = shop.offers
    headers = _token(UserFactory())
    base = f"/api/v1/cycles/{shop.cycle.id}"
    capped = client.put(
        f"{base}/cart/items", json={"offer_id": a.id, "quantity": 5}, headers=headers
    )
    assert capped.status_code == 200
    assert capped.get_json()["lines"][0]["quantity"] == 3
    assert capped.get_json()["messages"]
    client.put(f"{base}/cart/items", json={"offer_id": b.id, "quantity": 1}, headers=headers)
    body = {
        "pickup_window_id": shop.window.id,
        "pickup_slot_id": shop.slot.id,
        "payment_method": "at_pickup",
        "terms_accepted": True,
        "idempotency_key": "api-key-0001",
    }
    placed = client.post(f"{base}/orders", json=body, headers=headers)
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    assert order["status"] == "confirmed"
    assert order["total_cents"] == 4 * 495
    again = client.post(f"{base}/orders", json=body, headers=headers)
    assert again.get_json()["id"] == order["id"]
    empty = client.post(
        f"{base}/orders", json={**body, "idempotency_key": "api-key-0002"}, headers=headers
    )
    assert empty.status_code == 422
    assert empty.get_json()["error"]["code"] == "empty_cart"


def test_api_requires_a_token(client, db_session):
    shop = make_shop(offers=1)
    assert client.get(f"/api/v1/cycles/{shop.cycle.id}/cart").status_code == 401
    read_only = _token(UserFactory(), scope="read")
    response = client.put(
        f"/api/v1/cycles/{shop.cycle.id}/cart/items",
        json={"offer_id": shop.offers[0].id, "quantity": 1},
        headers=read_only,
    )
    assert response.status_code == 403


def test_an_order_refused_for_stock_leaves_the_cart_as_it_was(client, db_session):
    shop = make_shop(offers=2, stock=2)
    a, b = shop.offers
    headers = _token(UserFactory())
    base = f"/api/v1/cycles/{shop.cycle.id}"
    client.put(f"{base}/cart/items", json={"offer_id": a.id, "quantity": 2}, headers=headers)
    client.put(f"{base}/cart/items", json={"offer_id": b.id, "quantity": 1}, headers=headers)
    a.variant.stock = 1  # someone else's order took one meanwhile
    db.session.commit()
    body = {
        "pickup_window_id": shop.window.id,
        "pickup_slot_id": shop.slot.id,
        "payment_method": "at_pickup",
        "terms_accepted": True,
        "idempotency_key": "api-short-0001",
    }
    refused = client.post(f"{base}/orders", json=body, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "insufficient_stock"
    cart = client.get(f"{base}/cart", headers=headers).get_json()
    assert sorted((line["offer_id"], line["quantity"]) for line in cart["lines"]) == sorted(
        [(a.id, 2), (b.id, 1)]
    )


def _kind(statement: str) -> str:
    """ "SELECT variants", "INSERT orders"...: the verb and the table (a SELECT's first column's)"""
    words = statement.split()
    verb = words[0]
    if verb == "SELECT":
        return f"SELECT {words[1].split('.')[0]}"
    after = {"INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}.get(verb)
    return f"{verb} {words[words.index(after) + 1]}" if after in words else verb


def test_what_runs_under_the_item_locks_is_only_what_needs_them(client, db_session):
    """Every statement between the item locks and the commit makes the orders that want the same
    items wait: the look-ups (terms, order id, webhooks) and emptying the cart come before, and
    no lazy load creeps in, whatever the number of items."""
    from tests.querycount import count_queries

    def locked_section(offers: int) -> list[str]:
        shop = make_shop(offers=offers, stock=10)
        headers = _token(UserFactory())
        base = f"/api/v1/cycles/{shop.cycle.id}"
        for offer in shop.offers:
            client.put(
                f"{base}/cart/items", json={"offer_id": offer.id, "quantity": 1}, headers=headers
            )
        body = {
            "pickup_window_id": shop.window.id,
            "pickup_slot_id": shop.slot.id,
            "payment_method": "at_pickup",
            "terms_accepted": True,
            "idempotency_key": f"locked-section-{offers}",
        }
        client.post(f"{base}/orders", json=body, headers=headers)  # the hub's first terms
        client.put(
            f"{base}/cart/items",
            json={"offer_id": shop.offers[0].id, "quantity": 1},
            headers=headers,
        )
        for offer in shop.offers[1:]:
            client.put(
                f"{base}/cart/items", json={"offer_id": offer.id, "quantity": 1}, headers=headers
            )
        with count_queries() as log:
            placed = client.post(
                f"{base}/orders",
                json={**body, "idempotency_key": f"locked-again-{offers}"},
                headers=headers,
            )
        assert placed.status_code == 201, placed.get_json()
        kinds = [_kind(s) for s in log.statements]
        first_lock = kinds.index("SELECT variants")  # SELECT ... FOR UPDATE, the first lock
        return kinds[first_lock : kinds.index("UPDATE order_cycles") + 1]

    expected = [
        "SELECT variants",
        "SELECT cycle_offers",
        "INSERT orders",
        "UPDATE variants",
        "INSERT order_events",
        "INSERT order_lines",
        "INSERT outbound_emails",
        "UPDATE pickup_slots",
        "UPDATE order_cycles",
    ]
    assert locked_section(1) == expected
    assert locked_section(4) == expected
