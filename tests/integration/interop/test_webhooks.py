"""Outbound webhooks (interop.webhooks): subscribed through the API, queued after the change's
commit, POSTed signed to a receiver this test runs on 127.0.0.1, retried after a 500."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dfc_support import example_bytes, token

from core.db import db
from core.timeutils import utcnow
from interop import webhooks
from interop.models import DeliveryStatus, WebhookDelivery
from orders.history import Actor
from orders.signals import order_cancelled, order_paid, order_placed

API = "/api/dfc/enterprises"


class Receiver:
    """What the receiving server got, and the statuses it answers with (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.url = ""


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append((dict(self.headers.items()), self.rfile.read(length)))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def _allow_http(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", True)


def _subscribe(client, user, enterprise, url, events=()):
    response = client.post(
        f"{API}/{enterprise.id}/webhooks",
        json={"url": url, "events": list(events)},
        headers=token(user, "write"),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def _checked(receiver, secret, index=-1):
    headers, raw = receiver.requests[index]
    assert webhooks.verify_signature(
        secret, headers["X-Comptoir-Timestamp"], raw, headers["X-Comptoir-Signature"]
    )
    assert not webhooks.verify_signature(
        "whsec_other", headers["X-Comptoir-Timestamp"], raw, headers["X-Comptoir-Signature"]
    )
    return headers, json.loads(raw)


def test_order_events_are_signed_posted_after_commit_and_retried_on_500(client, world, receiver):
    hub_hook = _subscribe(client, world.hub_manager, world.hub, receiver.url)
    producer_hook = _subscribe(
        client, world.producer_manager, world.producer, receiver.url, ["order.placed"]
    )
    assert hub_hook["secret"].startswith("whsec_")
    order = world.orders[0]  # a line of our producer, one of the other producer

    receiver.statuses = [500]  # the first POST fails
    order_placed.send(order, by=Actor.system())
    queued = db.session.query(WebhookDelivery).order_by(WebhookDelivery.id).all()
    assert [(d.subscription_id, d.event) for d in queued] == [
        (hub_hook["id"], "order.placed"),
        (producer_hook["id"], "order.placed"),
    ]

    now = utcnow()
    assert webhooks.deliver_pending(now=now) == 1  # one 500, one delivered
    failed = db.session.get(WebhookDelivery, queued[0].id)
    assert (failed.status, failed.attempts, failed.last_error) == (
        DeliveryStatus.pending,
        1,
        "HTTP 500",
    )
    assert failed.next_attempt_at == now + timedelta(minutes=1)
    assert webhooks.deliver_pending(now=now + timedelta(seconds=30)) == 0  # not due yet
    assert webhooks.deliver_pending(now=now + timedelta(minutes=2)) == 1
    assert db.session.get(WebhookDelivery, queued[0].id).status is DeliveryStatus.delivered

    assert len(receiver.requests) == 3
    first_headers, first = _checked(receiver, hub_hook["secret"], 0)
    headers, hub_body = _checked(receiver, hub_hook["secret"], 2)
    assert headers["X-Comptoir-Event"] == "order.placed"
    assert headers["X-Comptoir-Delivery"] == first_headers["X-Comptoir-Delivery"]  # a retry
    assert hub_body == first
    assert hub_body["data"]["order_id"] == order.id
    assert hub_body["data"]["total_cents"] == order.total_cents
    _headers, producer_body = _checked(receiver, producer_hook["secret"], 1)
    # the producer hears of its own line only, never the order's total
    assert [ln["sku"] for ln in producer_body["data"]["lines"]] == [order.lines[0].sku]
    assert "total_cents" not in producer_body["data"]

    # paid and cancelled reach the hub only (the producer asked for "order.placed")
    order_paid.send(order, by=Actor.system(), amount_cents=100)
    order_cancelled.send(order, by=Actor.system(), reason="test")
    assert webhooks.deliver_pending(now=now + timedelta(minutes=3)) == 2
    events = [json.loads(raw)["event"] for _h, raw in receiver.requests[3:]]
    assert events == ["order.paid", "order.cancelled"]


def test_a_delivery_is_given_up_after_the_last_attempt(client, world, receiver):
    hook = _subscribe(client, world.hub_manager, world.hub, receiver.url, ["order.paid"])
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    order_paid.send(world.orders[0], by=Actor.system(), amount_cents=1)
    when = utcnow()
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_pending(now=when)
        when += webhooks.MAX_DELAY
    (delivery,) = db.session.query(WebhookDelivery).filter_by(subscription_id=hook["id"]).all()
    assert delivery.status is DeliveryStatus.failed
    assert delivery.attempts == webhooks.MAX_ATTEMPTS


def test_catalogue_changed_after_an_import_not_after_an_order(client, world, receiver):
    hook = _subscribe(
        client, world.producer_manager, world.producer, receiver.url, ["catalogue.changed"]
    )
    imported = client.post(
        f"{API}/{world.producer.id}/catalog_items",
        data=example_bytes("05"),
        headers=token(world.producer_manager, "write"),
    )
    assert imported.status_code == 200, imported.get_data(as_text=True)
    webhooks.deliver_pending(now=utcnow())
    assert len(receiver.requests) == 1
    _headers, payload = _checked(receiver, hook["secret"])
    assert payload["event"] == "catalogue.changed"
    assert payload["data"]["producer_id"] == world.producer.id

    # an order received through the DFC API takes stock: not a catalogue change
    from dfc_support import ofn_post

    sent = client.post(
        f"{API}/{world.producer.id}/orders",
        data=ofn_post(world),
        headers=token(world.hub_manager, "write"),
    )
    assert sent.status_code == 201
    webhooks.deliver_pending(now=utcnow())
    assert len(receiver.requests) == 1


def test_subscriptions_are_the_enterprise_managers_and_urls_are_checked(
    client, world, receiver, app, monkeypatch
):
    url = f"{API}/{world.hub.id}/webhooks"
    refused = client.post(url, json={"url": receiver.url}, headers=token(world.stranger, "write"))
    assert refused.status_code == 403
    bad = client.post(
        url,
        json={"url": "ftp://x", "events": ["order.placed"]},
        headers=token(world.hub_manager, "write"),
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_webhook"
    unknown = client.post(
        url,
        json={"url": receiver.url, "events": ["order.eaten"]},
        headers=token(world.hub_manager, "write"),
    )
    assert unknown.status_code == 422
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", False)
    plain = client.post(url, json={"url": receiver.url}, headers=token(world.hub_manager, "write"))
    assert plain.status_code == 422  # https only outside tests and development

    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", True)
    hook = _subscribe(client, world.hub_manager, world.hub, receiver.url)
    listed = client.get(url, headers=token(world.hub_manager)).get_json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "secret" not in listed[0]
    gone = client.delete(f"{url}/{hook['id']}", headers=token(world.hub_manager, "write"))
    assert gone.status_code == 204
    assert client.get(url, headers=token(world.hub_manager)).get_json()["webhooks"] == []


def test_the_list_kept_per_process_costs_no_query_and_a_new_subscription_waits_its_grace(
    app, client, world, receiver, monkeypatch
):
    """In production a process reads the subscriptions every WEBHOOKS_REFRESH_SECONDS: an event
    nobody can want costs no query, and a subscription hears the events from refresh + 5 s after
    its creation in every process alike (by then each one has read the list again)."""
    import time_machine
    from sqlalchemy import event

    monkeypatch.setitem(app.config, "WEBHOOKS_REFRESH_SECONDS", 10)
    app.extensions.pop("comptoir_webhook_list", None)
    order = world.orders[0]
    start = utcnow().replace(microsecond=0)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def placed_at(seconds: int) -> tuple[int, int]:
        """(deliveries queued so far, statements on the subscriptions the event cost)"""
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            statements.clear()
            order_placed.send(order, by=Actor.system())
            cost = sum("webhook_subscriptions" in statement for statement in statements)
            return db.session.query(WebhookDelivery).count(), cost

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with time_machine.travel(start, tick=False):
            hook = _subscribe(client, world.hub_manager, world.hub, receiver.url)
        assert placed_at(1) == (0, 1)  # in its grace: nothing queued; the list was read
        assert placed_at(2) == (0, 0)  # the list kept: no query at all
        assert placed_at(16)[0] == 1  # the list read again, the grace over: queued
        (delivery,) = db.session.query(WebhookDelivery).all()
        assert delivery.subscription_id == hook["id"]
        # switched off: the process still lists it until its next reading, but the candidates
        # are read again before anything is queued
        db.session.get(webhooks.WebhookSubscription, hook["id"]).active = False
        db.session.commit()
        assert placed_at(17) == (1, 1)  # one look at the candidate, nothing queued
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        app.extensions.pop("comptoir_webhook_list", None)
