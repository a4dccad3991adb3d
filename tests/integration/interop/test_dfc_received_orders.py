"""Orders other platforms send to a producer (interop.received), as Open Food Network sends its
backorders: the documents are OFN's own (tests/fixtures/dfc/01 and 03, recorded by OFN's
BackorderJob against the FDC app), with the FDC app's URLs replaced by our producer's."""

from __future__ import annotations

import json

import pytest
from dfc_support import body, ofn_post, token

from core.db import db
from interop.models import FulfilmentState, ReceivedOrder, ReceivedStatus
from products.models import Variant

API = "/api/dfc/enterprises"
BASE = "http://comptoir.test"


def _graph(response) -> dict:
    return {node["@id"]: node for node in body(response)["@graph"]}


def _order(doc: dict) -> dict:
    (order,) = [n for n in doc.values() if n["@type"] == "dfc-b:Order"]
    return order


def _stock(variant) -> int:
    db.session.expire_all()
    return db.session.get(Variant, variant.id).stock


def test_an_ofn_backorder_is_received_answered_with_our_ids_and_idempotent(client, world):
    tomatoes, _kilo, juice = world.variants
    headers = {**token(world.hub_manager, "write"), "Content-Type": "application/json"}
    url = f"{API}/{world.producer.id}/orders"

    response = client.post(url, data=ofn_post(world), headers=headers)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.mimetype == "application/ld+json"
    doc = _graph(response)
    order = _order(doc)
    (received,) = db.session.query(ReceivedOrder).all()
    ours = f"{BASE}{API}/{world.producer.id}/received_orders/{received.id}"
    assert order["@id"] == ours
    assert response.headers["Location"] == ours
    assert order["dfc-b:hasOrderStatus"] == "dfc-v:Held"
    assert order["dfc-b:hasFulfilmentStatus"] == "dfc-v:Unfulfilled"
    assert order["dfc-b:orderedBy"] == {"@id": "http://test.host/api/dfc/enterprises/5246"}
    assert order["dfc-b:belongsTo"] == {"@id": "https://ofn.example/api/dfc/sale_sessions/77"}
    lines = [doc[ref["@id"]] for ref in order["dfc-b:hasPart"]]
    assert {line["@id"].rsplit("/order_lines/", 1)[0] for line in lines} == {ours}
    quantities = {
        line["dfc-b:concerns"]["@id"].rsplit("/", 1)[1]: line["dfc-b:quantity"] for line in lines
    }
    assert quantities == {str(tomatoes.id): 1, str(juice.id): 5}
    # our prices, not the sender's (18.85 £): the shelf price, 3.50 € VAT included (docs/dfc.md)
    (tomato_line,) = [ln for ln in lines if ln["dfc-b:concerns"]["@id"].endswith(f"/{tomatoes.id}")]
    assert tomato_line["dfc-b:hasPrice"]["dfc-b:value"] == 3.5
    assert tomato_line["dfc-b:hasPrice"]["dfc-b:hasUnit"] == "dfc-m:Euro"
    # the stock is taken (on-demand juice has no stock to take)
    assert _stock(tomatoes) == 11
    assert received.platform == "dfc"  # the API token's name
    assert received.sender_user_id == world.hub_manager.id
    assert received.total_cents == 350 + 5 * 351

    # the same POST again (a network retry): the same order, no stock taken twice
    again = client.post(url, data=ofn_post(world), headers=headers)
    assert again.status_code == 200
    assert _order(_graph(again))["@id"] == ours
    assert db.session.query(ReceivedOrder).count() == 1
    assert _stock(tomatoes) == 11

    # OFN looks for its open order at the collection: it finds it, Held
    listed = client.get(url, headers=headers)
    assert listed.status_code == 200
    assert _order(_graph(listed))["@id"] == ours


def test_put_changes_quantities_completes_and_cancels(client, world):
    tomatoes, _kilo, juice = world.variants
    headers = {**token(world.hub_manager, "write"), "Content-Type": "application/json"}
    created = client.post(
        f"{API}/{world.producer.id}/orders", data=ofn_post(world), headers=headers
    )
    order_url = created.headers["Location"]
    path = order_url.removeprefix(BASE)
    doc = _graph(created)
    (tomato_line,) = [
        n
        for n in doc.values()
        if n["@type"] == "dfc-b:OrderLine"
        and n["dfc-b:concerns"]["@id"].endswith(f"/{tomatoes.id}")
    ]

    # OFN's PUT (fixture 03's shape): the lines under our ids, a new quantity
    put = {
        "@context": "https://www.datafoodconsortium.org",
        "@graph": [
            {
                "@id": order_url,
                "@type": "dfc-b:Order",
                "dfc-b:hasPart": tomato_line["@id"],
                "dfc-b:hasOrderStatus": "dfc-v:Held",
            },
            {
                "@id": tomato_line["@id"],
                "@type": "dfc-b:OrderLine",
                "dfc-b:quantity": "4",
                "dfc-b:concerns": tomato_line["dfc-b:concerns"]["@id"],
            },
        ],
    }
    changed = client.put(path, data=json.dumps(put), headers=headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert _stock(tomatoes) == 8  # 12 - 4
    # a line left out of the PUT keeps its quantity
    quantities = sorted(
        n["dfc-b:quantity"] for n in _graph(changed).values() if n["@type"] == "dfc-b:OrderLine"
    )
    assert quantities == [4, 5]

    # more than the stock: refused, naming the item, nothing changed
    put["@graph"][1]["dfc-b:quantity"] = 13
    short = client.put(path, data=json.dumps(put), headers=headers)
    assert short.status_code == 409
    error = short.get_json()["error"]
    assert error["code"] == "insufficient_stock"
    assert error["fields"]["items"] == [
        {
            "offer_id": tomatoes.id,
            "name": "Tomates anciennes (500 g)",
            "requested": 13,
            "available": 12,
        }
    ]
    assert _stock(tomatoes) == 8

    # cancelled (DFC fulfilment state): every item back
    put["@graph"][0]["dfc-b:hasFulfilmentStatus"] = "dfc-v:Cancelled"
    put["@graph"][1]["dfc-b:quantity"] = 4
    cancelled = client.put(path, data=json.dumps(put), headers=headers)
    assert cancelled.status_code == 200
    order = _order(_graph(cancelled))
    assert order["dfc-b:hasOrderStatus"] == "dfc-v:Cancelled"
    assert order["dfc-b:hasFulfilmentStatus"] == "dfc-v:Cancelled"
    assert _stock(tomatoes) == 12
    received = db.session.get(ReceivedOrder, int(path.rsplit("/", 1)[1]))
    assert received.status is ReceivedStatus.cancelled
    assert received.fulfilment is FulfilmentState.cancelled

    # a cancelled order stays cancelled
    put["@graph"][0].pop("dfc-b:hasFulfilmentStatus")
    again = client.put(path, data=json.dumps(put), headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "dfc_order_closed"


def test_complete_then_replayed_put_is_accepted_once(client, world):
    headers = {**token(world.hub_manager, "write"), "Content-Type": "application/json"}
    created = client.post(
        f"{API}/{world.producer.id}/orders", data=ofn_post(world), headers=headers
    )
    order_url = created.headers["Location"]
    put = {
        "@context": "https://www.datafoodconsortium.org",
        "@graph": [
            {"@id": order_url, "@type": "dfc-b:Order", "dfc-b:hasOrderStatus": "dfc-v:Complete"}
        ],
    }
    path = order_url.removeprefix(BASE)
    first = client.put(path, data=json.dumps(put), headers=headers)
    assert first.status_code == 200
    assert _order(_graph(first))["dfc-b:hasOrderStatus"] == "dfc-v:Complete"
    assert client.put(path, data=json.dumps(put), headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda doc: doc["@graph"][1].update({"dfc-b:quantity": "three"}), "invalid_value"),
        (lambda doc: doc["@graph"][1].update({"dfc-b:quantity": 1e25}), "invalid_value"),
        (lambda doc: doc["@graph"][1].update({"dfc-b:quantity": -2}), "invalid_value"),
        (
            lambda doc: doc["@graph"][1].update(
                {"dfc-b:concerns": "https://elsewhere.example/offers/1"}
            ),
            "invalid_value",
        ),
        (
            lambda doc: doc["@graph"][0].update({"dfc-b:hasOrderStatus": "dfc-v:Paid"}),
            "unknown_concept",
        ),
        (lambda doc: doc.update({"@graph": doc["@graph"][1:]}), "missing_field"),
        (
            lambda doc: [
                n.update({"dfc-b:quantity": 0})
                for n in doc["@graph"]
                if n["@type"] == "dfc-b:OrderLine"
            ],
            "missing_field",
        ),
        (lambda doc: doc.update({"@context": "https://example.org/ctx"}), "unknown_context"),
    ],
)
def test_bad_documents_are_refused_with_a_code_and_nothing_is_written(client, world, mutate, code):
    tomatoes = world.variants[0]
    headers = {**token(world.hub_manager, "write"), "Content-Type": "application/json"}
    doc = json.loads(ofn_post(world))
    mutate(doc)
    response = client.post(
        f"{API}/{world.producer.id}/orders", data=json.dumps(doc), headers=headers
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "dfc_order_rejected"
    assert code in [e["code"] for e in error["fields"]["errors"]]
    assert db.session.query(ReceivedOrder).count() == 0
    assert _stock(tomatoes) == 12


def test_not_json_and_shortages_write_nothing(client, world):
    tomatoes, kilo, _juice = world.variants
    headers = {**token(world.hub_manager, "write"), "Content-Type": "application/json"}
    url = f"{API}/{world.producer.id}/orders"
    garbage = client.post(url, data=b"{not json", headers=headers)
    assert garbage.status_code == 422
    assert garbage.get_json()["error"]["fields"]["errors"][0]["code"] == "invalid_json"

    # 13 tomatoes (12 left): refused whole; the juice line is not written either
    short = client.post(url, data=ofn_post(world, beans=13), headers=headers)
    assert short.status_code == 409
    assert short.get_json()["error"]["code"] == "insufficient_stock"
    assert db.session.query(ReceivedOrder).count() == 0
    assert _stock(tomatoes) == 12


def test_who_may_send_and_read(client, world):
    url = f"{API}/{world.producer.id}/orders"
    data = ofn_post(world)
    # no token; a read-only token; a stranger (no link to the producer)
    assert client.post(url, data=data).status_code == 401
    assert client.post(url, data=data, headers=token(world.hub_manager)).status_code == 403
    assert client.post(url, data=data, headers=token(world.stranger, "write")).status_code == 403

    created = client.post(url, data=data, headers=token(world.hub_manager, "write"))
    path = created.headers["Location"].removeprefix(BASE)
    # the producer's managers read it (and list it, with the sender named); strangers do not
    assert client.get(path, headers=token(world.producer_manager)).status_code == 200
    assert client.get(path, headers=token(world.stranger)).status_code == 404
    listed = client.get(
        f"{API}/{world.producer.id}/received_orders", headers=token(world.producer_manager)
    )
    assert _order(_graph(listed))["@id"].endswith(path)
    # the producer does not change the sender's order through the API
    put = {
        "@context": "https://www.datafoodconsortium.org",
        "@graph": [
            {"@id": BASE + path, "@type": "dfc-b:Order", "dfc-b:hasOrderStatus": "dfc-v:Cancelled"}
        ],
    }
    refused = client.put(path, data=json.dumps(put), headers=token(world.producer_manager, "write"))
    assert refused.status_code == 403


def test_the_producer_sees_the_order_with_its_sender_and_cancels_it(client, world, login_as):
    tomatoes = world.variants[0]
    sent = client.post(
        f"{API}/{world.producer.id}/orders",
        data=ofn_post(world, beans=3),
        headers=token(world.hub_manager, "write"),
    )
    assert sent.status_code == 201
    assert _stock(tomatoes) == 9
    login_as(world.producer_manager)
    orders_page = client.get(f"/producers/{world.producer.id}/orders")
    assert f"/producers/{world.producer.id}/received-orders" in orders_page.get_data(as_text=True)

    page = client.get(f"/producers/{world.producer.id}/received-orders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "dfc (Hugo Bernard)" in html  # the platform (the token's name) and the account
    assert "http://test.host/api/dfc/enterprises/5246" in html  # the buyer, as OFN names it
    assert "Tomates anciennes (500 g)" in html

    (received,) = db.session.query(ReceivedOrder).all()
    done = client.post(f"/producers/{world.producer.id}/received-orders/{received.id}/cancel")
    assert done.status_code == 303
    assert _stock(tomatoes) == 12
    db.session.expire_all()
    assert db.session.get(ReceivedOrder, received.id).status is ReceivedStatus.cancelled
    # the sender reads it as cancelled
    answer = client.get(
        sent.headers["Location"].removeprefix(BASE), headers=token(world.hub_manager)
    )
    assert _order(_graph(answer))["dfc-b:hasOrderStatus"] == "dfc-v:Cancelled"
