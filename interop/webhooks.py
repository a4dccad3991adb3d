"""Outbound webhooks: a subscriber (a local currency, a partner platform) gets a signed POST
when an order is placed, paid or cancelled, or when a producer's catalogue changes.

- **Subscriptions** (``WebhookSubscription``): a URL, a secret (made here, shown once), the
  events wanted; for one enterprise (made by its managers: a hub hears of its orders, a
  producer of the orders holding its products and of its catalogue), or for every enterprise
  (``enterprise_id`` NULL, made by a platform admin with ``flask webhooks subscribe``).
- **When**: the ``orders.signals`` (sent after the order's commit) and, for the catalogue, a
  change of a product or variant other than its stock (seen at flush, sent after the request's
  commit). Each event writes one ``WebhookDelivery`` per subscriber in its own transaction (the
  outbox), delivered once the response has gone, and by ``flask webhooks send`` (cron, every
  minute) with backoff: 1, 2, 4 ... minutes, at most an hour apart, given up after
  ``MAX_ATTEMPTS``. Each process keeps the list of subscriptions for
  ``WEBHOOKS_REFRESH_SECONDS``, so a new subscription hears the events from refresh + 5 s after
  its creation (``_known``, ``_grace``).
- **Signature**: ``X-Comptoir-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscriber's
  secret of ``<X-Comptoir-Timestamp>.<body>`` (the timestamp in Unix seconds, a dot, the raw
  body). A receiver recomputes it, compares in constant time, and refuses a timestamp older
  than a few minutes (replays). ``X-Comptoir-Event`` names the event, ``X-Comptoir-Delivery``
  the delivery (the same on retries: a receiver may ignore one it has already seen).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask, Response, current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.db import commit_keeping_loaded, db
from core.errors import DomainError
from core.timeutils import utcnow
from interop.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from interop.urls import DfcUrls
from orders import signals
from orders.models import Order
from products.models import Product, Variant

log = logging.getLogger(__name__)

ORDER_PLACED = "order.placed"
ORDER_PAID = "order.paid"
ORDER_CANCELLED = "order.cancelled"
CATALOGUE_CHANGED = "catalogue.changed"
EVENTS = (ORDER_PLACED, ORDER_PAID, ORDER_CANCELLED, CATALOGUE_CHANGED)

MAX_ATTEMPTS = 15
MAX_DELAY = timedelta(hours=1)
TIMEOUT_SECONDS = 5
SIGNATURE_HEADER = "X-Comptoir-Signature"
TIMESTAMP_HEADER = "X-Comptoir-Timestamp"


class InvalidSubscription(DomainError):
    code = "invalid_webhook"
    status = 422
    message = _l("This webhook cannot be saved.")


# -- signature ---------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>`` with ``secret``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (also used by the tests)."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header)


# -- subscriptions -----------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    allow_http = bool(current_app.config.get("WEBHOOKS_ALLOW_HTTP"))
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes or not parts.hostname or len(url) > 500:
        raise InvalidSubscription(
            fields={"url": [str(_l("Give an https:// address of at most 500 characters."))]}
        )
    return url


def _check_events(events: Iterable[str]) -> str:
    wanted = [e.strip() for e in events if e and e.strip()]
    unknown = [e for e in wanted if e not in EVENTS]
    if unknown:
        raise InvalidSubscription(
            fields={"events": [str(_l("Unknown events: %(names)s", names=", ".join(unknown)))]}
        )
    return " ".join(dict.fromkeys(wanted))


def subscribe(
    *, enterprise_id: int | None, url: str, events: Iterable[str], by_user_id: int | None
) -> WebhookSubscription:
    """A new subscription with a fresh secret (the caller shows it once). Commits."""
    subscription = WebhookSubscription(
        enterprise_id=enterprise_id,
        url=_check_url(url),
        events=_check_events(events),
        secret="whsec_" + secrets.token_urlsafe(32),
        created_by_id=by_user_id,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription


def unsubscribe(subscription: WebhookSubscription) -> None:
    """Delete it and its deliveries. Commits."""
    db.session.delete(subscription)
    db.session.commit()


def subscriptions_of(enterprise_id: int) -> list[WebhookSubscription]:
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.enterprise_id == enterprise_id)
            .order_by(WebhookSubscription.id)
        )
    )


# -- queueing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """An active subscription as a process remembers it between two readings of the list."""

    id: int
    enterprise_id: int | None
    events: str
    created_at: datetime

    def may_want(self, event_name: str, enterprise_ids: set[int], now: datetime) -> bool:
        return (
            (self.enterprise_id is None or self.enterprise_id in enterprise_ids)
            and (not self.events or event_name in self.events.split())
            and self.created_at <= now - _grace()
        )


def _refresh() -> timedelta:
    """How long a process keeps the list of subscriptions (``WEBHOOKS_REFRESH_SECONDS``, 10):
    an event that no subscription can want costs no query (every order placed sends one)."""
    return timedelta(seconds=int(current_app.config.get("WEBHOOKS_REFRESH_SECONDS", 10)))


def _grace() -> timedelta:
    """A subscription receives the events from this long after it is created, in every process
    alike: by then each process has read the list again."""
    refresh = _refresh()
    return refresh + timedelta(seconds=5) if refresh else timedelta(0)


def _known(now: datetime) -> list[_Known]:
    cache: dict[str, Any] = current_app.extensions.setdefault("comptoir_webhook_list", {})
    if cache and cache["read_at"] <= now < cache["read_at"] + _refresh():
        return list(cache["known"])
    known = [
        _Known(*row)
        for row in db.session.execute(
            select(
                WebhookSubscription.id,
                WebhookSubscription.enterprise_id,
                WebhookSubscription.events,
                WebhookSubscription.created_at,
            ).where(WebhookSubscription.active.is_(True))
        )
    ]
    cache.update(known=known, read_at=now)
    return known


def queue(event_name: str, enterprise_ids: set[int], data_for: Any, now: datetime) -> int:
    """One delivery per active subscriber wanting the event (the enterprises' own and the
    platform-wide ones); ``data_for(subscription)`` builds its ``data``. Commits what it wrote
    (nothing, and no commit, without a subscriber); returns the number queued.

    Whether a subscription may want the event is read from the list the process keeps
    (``_known``); the candidates are then read again (still active, still there)."""
    candidates = [k.id for k in _known(now) if k.may_want(event_name, enterprise_ids, now)]
    if not candidates:
        return 0
    rows = db.session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.id.in_(candidates), WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.id)
    )
    count = 0
    for subscription in rows:
        if not subscription.wants(event_name):
            continue
        delivery = WebhookDelivery(
            subscription_id=subscription.id,
            event=event_name,
            body="",
            created_at=now,
            next_attempt_at=now,
        )
        db.session.add(delivery)
        db.session.flush()
        payload = {
            "id": delivery.id,
            "event": event_name,
            "created_at": now.isoformat(),
            "data": data_for(subscription),
        }
        delivery.body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        count += 1
    if not count:
        return 0  # nothing written: the sender's session is left as it was
    # the sender may still answer from the objects it loaded (checkout): do not expire them
    commit_keeping_loaded()
    if has_request_context():
        g.webhooks_queued = True
    return count


def _urls() -> DfcUrls:
    return DfcUrls.of(current_app.config["BASE_URL"])


def order_data(order: Order, subscription: WebhookSubscription) -> dict[str, Any]:
    """What a subscriber learns of an order: the hub (and platform-wide subscribers) its
    totals; a producer only its own lines."""
    urls = _urls()
    data: dict[str, Any] = {
        "order_id": order.id,
        "number": order.number,
        "hub_id": order.hub_id,
        "cycle_id": order.cycle_id,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
    }
    producer_id = subscription.enterprise_id
    if producer_id is None or producer_id == order.hub_id:
        data.update(
            total_cents=order.total_cents,
            currency=order.currency,
            dfc=urls.order(order.hub_id, order.id),
        )
    else:
        lines = [line for line in order.lines if line.producer_id == producer_id]
        data.update(
            producer_id=producer_id,
            lines=[
                {
                    "sku": line.sku,
                    "name": f"{line.product_name} ({line.variant_name})",
                    "quantity": line.quantity,
                    "total_cents": line.line_total_cents,
                }
                for line in lines
            ],
            dfc=urls.producer_order(producer_id, order.cycle_id, order.id),
        )
    return data


def _order_event(event_name: str, order: Order) -> None:
    """An orders signal: queue, never raise for the sender (logged; the order is committed)."""
    try:
        order = db.session.get(Order, order.id) or order
        enterprise_ids = {order.hub_id} | {line.producer_id for line in order.lines}
        queue(event_name, enterprise_ids, partial(order_data, order), utcnow())
    except Exception:  # noqa: BLE001 - a subscriber never breaks the sender's request
        db.session.rollback()
        log.exception("webhook %s for order %s not queued", event_name, order.id)


def _on_placed(order: Order, **_: Any) -> None:
    _order_event(ORDER_PLACED, order)


def _on_paid(order: Order, **_: Any) -> None:
    _order_event(ORDER_PAID, order)


def _on_cancelled(order: Order, **_: Any) -> None:
    _order_event(ORDER_CANCELLED, order)


signals.order_placed.connect(_on_placed)
signals.order_paid.connect(_on_paid)
signals.order_cancelled.connect(_on_cancelled)


# -- catalogue changes (seen at flush, queued after the request's commit) ---------------------

_IGNORED = {"stock", "updated_at"}  # an order taking stock does not change the catalogue
_PENDING_KEY = "webhooks_catalogue_changed"


def _changed(obj: Any) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    # only the attributes set since the load can have changed (every checkout flushes its
    # variants under the item locks: no walk over all their attributes there)
    return any(
        state.attrs[key].history.has_changes()
        for key in state.committed_state
        if key not in _IGNORED
    )


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    producers: set[int] = session.info.setdefault(_PENDING_KEY, set())
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Product | Variant) and obj.producer_id is not None:
            producers.add(obj.producer_id)
    for obj in session.dirty:  # neither new nor deleted
        if isinstance(obj, Product | Variant) and obj.producer_id is not None and _changed(obj):
            producers.add(obj.producer_id)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    producers = session.info.pop(_PENDING_KEY, None)
    if producers and has_request_context():
        g.setdefault("webhooks_catalogues", set()).update(producers)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def queue_catalogue_changes() -> None:
    """After the request: one ``catalogue.changed`` per producer whose catalogue it changed."""
    producers = g.pop("webhooks_catalogues", None)
    if not producers:
        return
    urls = _urls()
    now = utcnow()
    for producer_id in sorted(producers):
        try:
            queue(
                CATALOGUE_CHANGED,
                {producer_id},
                lambda _s, pid=producer_id: {
                    "producer_id": pid,
                    "dfc": urls.catalog_items(pid),
                },
                now,
            )
        except Exception:  # noqa: BLE001 - never break the request over a webhook
            db.session.rollback()
            log.exception("webhook catalogue.changed for producer %s not queued", producer_id)


# -- delivery ----------------------------------------------------------------------------------


def _next_due(now: datetime) -> WebhookDelivery | None:
    return db.session.scalar(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.status == DeliveryStatus.pending, WebhookDelivery.next_attempt_at <= now
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def send(delivery: WebhookDelivery, now: datetime) -> None:
    """POST one delivery (signed), record the outcome (the caller commits)."""
    subscription = delivery.subscription
    body = delivery.body.encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Comptoir-Webhooks/1",
        "X-Comptoir-Event": delivery.event,
        "X-Comptoir-Delivery": str(delivery.id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(subscription.secret, timestamp, body),
    }
    delivery.attempts += 1
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        ok = 200 <= response.status_code < 300
        error = "" if ok else f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"
    if ok:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = now
        delivery.last_error = ""
        return
    delivery.last_error = error[:500]
    if delivery.attempts >= MAX_ATTEMPTS or not subscription.active:
        delivery.status = DeliveryStatus.failed
        return
    delay = timedelta(minutes=2 ** min(delivery.attempts - 1, 10))
    delivery.next_attempt_at = now + min(delay, MAX_DELAY)


def deliver_pending(*, now: datetime | None = None, limit: int = 100) -> int:
    """Send the deliveries that are due, one at a time (locked, sent, committed). Returns how
    many were delivered."""
    delivered = 0
    for _ in range(limit):
        when = now or utcnow()
        delivery = _next_due(when)
        if delivery is None:
            break
        send(delivery, when)
        if delivery.status is DeliveryStatus.delivered:
            delivered += 1
        db.session.commit()
    return delivered


def _deliver_after_response(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_pending(limit=20)
        except Exception:  # noqa: BLE001 - the cron job retries
            db.session.rollback()
            log.exception("immediate webhook delivery failed; `flask webhooks send` will retry")


def after_request(response: Response) -> Response:
    """Queue the catalogue changes of the request; deliver what was queued once the response
    has gone (``call_on_close``), as the e-mail outbox does."""
    queue_catalogue_changes()
    if g.pop("webhooks_queued", False):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(partial(_deliver_after_response, app))
    return response
