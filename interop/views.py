"""The DFC API, laid out like Open Food Network's (``/api/dfc/...``) so that its clients find
their way, plus orders, which OFN does not serve. Token authentication only
(``Authorization: Bearer`` or ``X-Api-Token``: an API token, or an OpenID Connect access token
of the configured issuer, ``interop.auth``), never the session cookie: the blueprint is
CSRF-exempt. Answers are DFC 1.16 compact JSON-LD, ``application/ld+json``; the big documents
(a cycle's orders, a catalogue) are streamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, stream_with_context

from accounts.api_auth import api_caller, api_user
from accounts.models import User
from core.db import db
from core.hardening import reads_own_body
from core.security import require
from core.timeutils import utcnow
from core.views import load
from cycles.models import OrderCycle, PickupWindow
from enterprises.models import Enterprise
from hubs.models import DistributionPoint
from interop import exports, imports, received, webhooks
from interop import permissions as perm
from interop.auth import dfc_auth, platform_name
from interop.jsonld import CONTEXT_V1_URL
from interop.models import ReceivedOrder, WebhookSubscription
from interop.nodes import OrderLineNode, OrderNode
from interop.openapi import document_dfc_api
from interop.schemas import dump_node
from interop.urls import API, DfcUrls
from orders.models import Order, OrderLine
from products.models import Product, Variant

bp = Blueprint("dfc", __name__, url_prefix=API)

MIMETYPE = "application/ld+json"
CHUNK_BYTES = 64 * 1024


def dfc_urls() -> DfcUrls:
    return DfcUrls.of(current_app.config["BASE_URL"])


def buffered(chunks: Iterable[str], size: int = CHUNK_BYTES) -> Iterator[str]:
    """Group small text chunks into pieces of about ``size`` characters (fewer writes)."""
    parts: list[str] = []
    length = 0
    for chunk in chunks:
        parts.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    if parts:
        yield "".join(parts)


def document_chunks(records: Iterable[Any]) -> Iterator[str]:
    """The JSON text of ``{"@context", "@graph": [...]}``, one record at a time."""
    yield '{"@context":' + json.dumps(CONTEXT_V1_URL) + ',"@graph":['
    separator = ""
    for record in records:
        yield separator + json.dumps(dump_node(record), ensure_ascii=False, separators=(",", ":"))
        separator = ","
    yield "]}\n"


def graph_response(records: Iterable[Any], *, filename: str | None = None) -> Response:
    """A streamed DFC document (flat ``@graph``)."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    body = stream_with_context(buffered(document_chunks(records)))
    return Response(body, mimetype=MIMETYPE, headers=headers)


def node_response(record: Any, status: int = 200) -> Response:
    """One node as a document of its own (``@context`` beside its keys), as OFN answers a GET
    of one resource."""
    body = {"@context": CONTEXT_V1_URL, **dump_node(record)}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MIMETYPE)


# -- loading and checks ----------------------------------------------------------------------


def _enterprise(enterprise_id: int) -> Enterprise:
    return load(
        Enterprise,
        enterprise_id,
        allow=lambda enterprise: perm.can_read_enterprise(api_user(), enterprise),
        hide=True,
    )


def _producer_catalogue(producer_id: int) -> Enterprise:
    return load(
        Enterprise,
        producer_id,
        where=lambda producer: producer.is_producer,
        allow=lambda producer: perm.can_read_catalogue(api_user(), producer),
    )


def _variant(producer: Enterprise, variant_id: int) -> tuple[Variant, Product]:
    variant = load(
        Variant,
        variant_id,
        where=lambda v: v.producer_id == producer.id and v.active and v.product.active,
    )
    return variant, variant.product


def _hub(hub_id: int) -> Enterprise:
    return load(
        Enterprise,
        hub_id,
        allow=lambda hub: hub.is_hub and perm.can_read_hub_orders(api_user(), hub),
    )


def _hub_cycle(hub: Enterprise, cycle_id: int) -> OrderCycle:
    return load(OrderCycle, cycle_id, where=lambda cycle: cycle.hub_id == hub.id)


def _hub_order(hub: Enterprise, order_id: int) -> Order:
    return load(Order, order_id, where=lambda order: order.hub_id == hub.id)


# -- enterprises and persons -------------------------------------------------------------------


@bp.get("/enterprises/<int:enterprise_id>")
@dfc_auth("read")
def enterprise(enterprise_id: int):
    found = _enterprise(enterprise_id)
    private = perm.can_read_private_enterprise(api_user(), found)
    links = private or perm.can_read_catalogue(api_user(), found)
    records = exports.enterprise_records(
        found, dfc_urls(), private=private, with_catalogue_links=links
    )
    return graph_response(records)


@bp.get("/persons/me")
@dfc_auth("read")
def person_me():
    """The token's own Person, with the enterprises it manages (``affiliates``): where a client
    starts to find its enterprises."""
    return node_response(exports.person_record(api_user(), dfc_urls()))


@bp.get("/persons/<int:user_id>")
@dfc_auth("read")
def person(user_id: int):
    user = load(
        User,
        user_id,
        where=lambda user: user.deleted_at is None,
        allow=lambda user: perm.can_read_person(api_user(), user),
        hide=True,
    )
    return node_response(exports.person_record(user, dfc_urls()))


# -- catalogue -------------------------------------------------------------------------------


@bp.get("/enterprises/<int:producer_id>/supplied_products")
@dfc_auth("read")
def supplied_products(producer_id: int):
    producer = _producer_catalogue(producer_id)
    return graph_response(exports.iter_catalog_records(producer, dfc_urls(), parts=("product",)))


@bp.get("/enterprises/<int:producer_id>/supplied_products/<int:variant_id>")
@dfc_auth("read")
def supplied_product(producer_id: int, variant_id: int):
    producer = _producer_catalogue(producer_id)
    variant, product = _variant(producer, variant_id)
    labels = [label.code for label in product.labels]
    return node_response(exports.variant_records(variant, product, labels, dfc_urls()).product)


@bp.get("/enterprises/<int:producer_id>/product_groups/<int:product_id>")
@dfc_auth("read")
def product_group(producer_id: int, product_id: int):
    producer = _producer_catalogue(producer_id)
    product = load(Product, product_id, where=lambda p: p.producer_id == producer.id and p.active)
    ids = [v.id for v in product.variants if v.active]
    return node_response(exports.product_group_record(product, ids, dfc_urls()))


@bp.get("/enterprises/<int:producer_id>/catalog_items")
@dfc_auth("read")
def catalog_items(producer_id: int):
    """The whole catalogue: items, their products and offers (what OFN's index returns)."""
    producer = _producer_catalogue(producer_id)
    return graph_response(exports.iter_catalog_records(producer, dfc_urls()))


@bp.post("/enterprises/<int:producer_id>/catalog_items")
@reads_own_body  # interop.graph bounds the document; its errors come as DFC problems (422)
@dfc_auth("write")
def import_catalog_items(producer_id: int):
    """Import a DFC catalogue into the producer's products: every valid product, the refused
    ones named with their reason (422 when none is valid), update by @id on re-import."""
    producer = load(
        Enterprise, producer_id, allow=lambda p: perm.can_import_catalogue(api_user(), p)
    )
    summary, refused, warnings = imports.import_catalogue(
        producer, request.get_data(), base=request.url
    )
    body = {
        "summary": summary.__dict__,
        "refused": [r.__dict__ for r in refused],
        "warnings": [w.__dict__ for w in warnings],
        "catalog": dfc_urls().catalog_items(producer.id),
    }
    return Response(json.dumps(body, ensure_ascii=False), status=200, mimetype="application/json")


@bp.get("/enterprises/<int:producer_id>/catalog_items/<int:variant_id>")
@dfc_auth("read")
def catalog_item(producer_id: int, variant_id: int):
    producer = _producer_catalogue(producer_id)
    variant, product = _variant(producer, variant_id)
    records = exports.variant_records(variant, product, [], dfc_urls())
    return graph_response([records.item, records.product, records.offer])


@bp.get("/enterprises/<int:producer_id>/offers")
@dfc_auth("read")
def offers(producer_id: int):
    """Every Offer of the producer's catalogue (OFN serves them one by one; a client that
    builds an order wants them all)."""
    producer = _producer_catalogue(producer_id)
    records = exports.iter_catalog_records(
        producer, dfc_urls(), parts=("offer",), with_groups=False
    )
    return graph_response(records)


@bp.get("/enterprises/<int:producer_id>/offers/<int:variant_id>")
@dfc_auth("read")
def offer(producer_id: int, variant_id: int):
    producer = _producer_catalogue(producer_id)
    variant, product = _variant(producer, variant_id)
    return node_response(exports.variant_records(variant, product, [], dfc_urls()).offer)


# -- a hub's cycles, places and orders -------------------------------------------------------


@bp.get("/enterprises/<int:enterprise_id>/sale_sessions")
@dfc_auth("read")
def sale_sessions(enterprise_id: int):
    """The cycles as SaleSessions, latest first: a hub's own (its managers), or those of the hubs
    where a producer sells (its managers): where a client finds the ids to ask orders for."""
    owner = db.get_or_404(Enterprise, enterprise_id)
    user = api_user()
    hub_view = owner.is_hub and perm.can_read_hub_orders(user, owner)
    producer_view = owner.is_producer and perm.can_manage_producer_of(user, owner)
    require(hub_view or producer_view)
    cycles = exports.list_cycles(owner, hub_view=hub_view, producer_view=producer_view)
    urls = dfc_urls()
    return graph_response(exports.sale_session_record(c, urls, owner.id) for c in cycles)


@bp.get("/enterprises/<int:enterprise_id>/sale_sessions/<int:cycle_id>")
@dfc_auth("read")
def sale_session(enterprise_id: int, cycle_id: int):
    """A cycle as a SaleSession: under its hub for the hub's managers, under a producer for
    that producer's managers (when it sells in the cycle)."""
    owner = db.get_or_404(Enterprise, enterprise_id)
    cycle = db.get_or_404(OrderCycle, cycle_id)
    if cycle.hub_id == owner.id:
        require(perm.can_read_hub_orders(api_user(), owner))
    else:
        require(owner.is_producer and perm.can_read_producer_orders(api_user(), owner, cycle))
    return node_response(exports.sale_session_record(cycle, dfc_urls(), owner.id))


@bp.get("/enterprises/<int:hub_id>/sale_sessions/<int:cycle_id>/pickup_options/<int:window_id>")
@dfc_auth("read")
def pickup_option(hub_id: int, cycle_id: int, window_id: int):
    hub = _hub(hub_id)
    cycle = _hub_cycle(hub, cycle_id)
    window = load(PickupWindow, window_id, where=lambda window: window.cycle_id == cycle.id)
    return graph_response(exports.pickup_records(cycle, dfc_urls(), window_ids={window.id}))


@bp.get("/enterprises/<int:hub_id>/places/<int:point_id>")
@dfc_auth("read")
def place(hub_id: int, point_id: int):
    hub = _hub(hub_id)
    point = load(DistributionPoint, point_id, where=lambda point: point.hub_id == hub.id)
    return graph_response(exports.place_records(point, dfc_urls()))


@bp.get("/enterprises/<int:enterprise_id>/orders")
@dfc_auth("read")
def hub_orders(enterprise_id: int):
    """The orders of one cycle of the hub (``?cycle=<id>``). Without a cycle, for a producer:
    the orders the caller sent it (``received_orders``), where OFN looks for its open order."""
    cycle_id = request.args.get("cycle", type=int) or request.args.get("sale_session", type=int)
    if cycle_id is None:
        owner = db.get_or_404(Enterprise, enterprise_id)
        if owner.is_producer:
            return received_orders(enterprise_id)
        abort(400, description="Give the cycle: ?cycle=<id>.")
    hub = _hub(enterprise_id)
    cycle = _hub_cycle(hub, cycle_id)
    scope = exports.OrderScope(cycle=cycle)
    return graph_response(exports.iter_cycle_order_records(scope, dfc_urls()))


@bp.get("/enterprises/<int:hub_id>/orders/<int:order_id>")
@dfc_auth("read")
def hub_order(hub_id: int, order_id: int):
    hub = _hub(hub_id)
    order = _hub_order(hub, order_id)
    scope = exports.OrderScope(cycle=order.cycle)
    return graph_response(exports.iter_cycle_order_records(scope, dfc_urls(), order_id=order.id))


@bp.get("/enterprises/<int:hub_id>/orders/<int:order_id>/order_lines/<int:line_id>")
@dfc_auth("read")
def hub_order_line(hub_id: int, order_id: int, line_id: int):
    hub = _hub(hub_id)
    order = _hub_order(hub, order_id)
    load(OrderLine, line_id, where=lambda line: line.order_id == order.id)
    return _line_response(exports.OrderScope(cycle=order.cycle), order, line_id)


def _line_response(scope: exports.OrderScope, order: Order, line_id: int) -> Response:
    records = exports.iter_cycle_order_records(scope, dfc_urls(), order_id=order.id)
    wanted = [
        r
        for r in records
        if isinstance(r, OrderLineNode) and r.id.endswith(f"/order_lines/{line_id}")
    ]
    if not wanted:
        abort(404)
    return node_response(wanted[0])


# -- a producer's view of a cycle --------------------------------------------------------------


def _producer_cycle(producer_id: int, cycle_id: int) -> tuple[Enterprise, OrderCycle]:
    producer = db.get_or_404(Enterprise, producer_id)
    cycle = db.get_or_404(OrderCycle, cycle_id)
    require(producer.is_producer and perm.can_read_producer_orders(api_user(), producer, cycle))
    return producer, cycle


@bp.get("/enterprises/<int:producer_id>/sale_sessions/<int:cycle_id>/orders")
@dfc_auth("read")
def producer_orders(producer_id: int, cycle_id: int):
    """The cycle's orders with only the lines of this producer; buyers by name only."""
    producer, cycle = _producer_cycle(producer_id, cycle_id)
    scope = exports.OrderScope(cycle=cycle, producer_id=producer.id)
    return graph_response(exports.iter_cycle_order_records(scope, dfc_urls()))


@bp.get("/enterprises/<int:producer_id>/sale_sessions/<int:cycle_id>/orders/<int:order_id>")
@dfc_auth("read")
def producer_order(producer_id: int, cycle_id: int, order_id: int):
    producer, cycle = _producer_cycle(producer_id, cycle_id)
    order = load(Order, order_id, where=lambda order: order.cycle_id == cycle.id)
    scope = exports.OrderScope(cycle=cycle, producer_id=producer.id)
    records = list(exports.iter_cycle_order_records(scope, dfc_urls(), order_id=order.id))
    if not any(isinstance(r, OrderNode) for r in records):
        abort(404)  # no line of this producer in the order
    return graph_response(records)


@bp.get(
    "/enterprises/<int:producer_id>/sale_sessions/<int:cycle_id>/orders/<int:order_id>"
    "/order_lines/<int:line_id>"
)
@dfc_auth("read")
def producer_order_line(producer_id: int, cycle_id: int, order_id: int, line_id: int):
    producer, cycle = _producer_cycle(producer_id, cycle_id)
    order = load(Order, order_id, where=lambda order: order.cycle_id == cycle.id)
    load(
        OrderLine,
        line_id,
        where=lambda line: line.order_id == order.id and line.producer_id == producer.id,
    )
    return _line_response(exports.OrderScope(cycle=cycle, producer_id=producer.id), order, line_id)


# -- orders other platforms send to a producer (interop.received) ------------------------------


def _sender() -> received.Sender:
    return received.Sender(user=api_caller(), platform=platform_name())


def _order_document(producer: Enterprise, status: int = 200, *, order: ReceivedOrder) -> Response:
    response = graph_response(received.order_records(order, dfc_urls()))
    response.status_code = status
    response.headers["Location"] = dfc_urls().received_order(producer.id, order.id)
    return response


def _orderable(producer_id: int) -> Enterprise:
    return load(
        Enterprise,
        producer_id,
        where=lambda producer: producer.is_producer,
        allow=lambda producer: perm.can_send_order(api_user(), producer),
    )


@bp.post("/enterprises/<int:enterprise_id>/orders")
@bp.post("/enterprises/<int:enterprise_id>/received_orders", endpoint="post_received_order")
@reads_own_body  # interop.graph bounds the document; its errors come as DFC problems (422)
@dfc_auth("write")
def receive_order(enterprise_id: int):
    """An order for the producer's offers (an OFN backorder): 201 with the order under our ids,
    200 with the same order when the same order is sent again."""
    producer = _orderable(enterprise_id)
    urls = dfc_urls()
    doc = received.read_order(request.get_data(), producer=producer, urls=urls, base=request.url)
    sender = _sender()
    key = received.idempotency_key(sender, doc, urls, request.headers.get("Idempotency-Key"))
    order, created = received.receive_order(
        producer=producer, sender=sender, doc=doc, key=key, now=utcnow()
    )
    return _order_document(producer, 201 if created else 200, order=order)


@bp.get("/enterprises/<int:enterprise_id>/received_orders")
@dfc_auth("read")
def received_orders(enterprise_id: int):
    """The producer's managers: every received order (newest first, 200); a sender: its own."""
    producer = db.get_or_404(Enterprise, enterprise_id)
    user = api_caller()
    if perm.can_manage_producer_of(user, producer):
        orders = received.orders_for_producer(producer)
    else:
        require(producer.is_producer and perm.can_send_order(user, producer), hide=True)
        orders = received.orders_of_sender(producer, _sender())
    urls = dfc_urls()
    return graph_response(r for order in orders for r in received.order_records(order, urls))


def _received(producer_id: int, order_id: int) -> tuple[Enterprise, ReceivedOrder]:
    producer = db.get_or_404(Enterprise, producer_id)
    order = load(
        ReceivedOrder,
        order_id,
        where=lambda order: order.producer_id == producer.id,
        allow=lambda order: perm.can_read_received_order(api_user(), order),
        hide=True,
    )
    return producer, order


@bp.get("/enterprises/<int:producer_id>/received_orders/<int:order_id>")
@dfc_auth("read")
def received_order(producer_id: int, order_id: int):
    producer, order = _received(producer_id, order_id)
    return _order_document(producer, order=order)


@bp.put("/enterprises/<int:producer_id>/received_orders/<int:order_id>")
@reads_own_body
@dfc_auth("write")
def update_received_order(producer_id: int, order_id: int):
    """The sender changes its order: quantities, ``dfc-v:Complete``, ``dfc-v:Cancelled``."""
    producer, order = _received(producer_id, order_id)
    require(perm.can_change_received_order(api_user(), order))
    urls = dfc_urls()
    doc = received.read_order(
        request.get_data(), producer=producer, urls=urls, base=request.url, new=False
    )
    order = received.update_received_order(order, doc=doc, now=utcnow())
    return _order_document(producer, order=order)


@bp.get("/enterprises/<int:producer_id>/received_orders/<int:order_id>/order_lines/<int:line_id>")
@dfc_auth("read")
def received_order_line(producer_id: int, order_id: int, line_id: int):
    _producer, order = _received(producer_id, order_id)
    wanted = dfc_urls().received_order_line(order.producer_id, order.id, line_id)
    for record in received.order_records(order, dfc_urls()):
        if isinstance(record, OrderLineNode) and record.id == wanted:
            return node_response(record)
    abort(404)


# -- outbound webhooks of an enterprise (interop.webhooks) -------------------------------------


def _subscriber(enterprise_id: int) -> Enterprise:
    return load(
        Enterprise,
        enterprise_id,
        allow=lambda enterprise: perm.can_manage_webhooks(api_user(), enterprise),
    )


def _subscription_json(subscription: WebhookSubscription, *, secret: bool = False) -> dict:
    body = {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events.split() or list(webhooks.EVENTS),
        "active": subscription.active,
        "created_at": subscription.created_at.isoformat(),
    }
    if secret:
        body["secret"] = subscription.secret
    return body


@bp.get("/enterprises/<int:enterprise_id>/webhooks")
@dfc_auth("read")
def list_webhooks(enterprise_id: int):
    enterprise = _subscriber(enterprise_id)
    return {"webhooks": [_subscription_json(s) for s in webhooks.subscriptions_of(enterprise.id)]}


@bp.post("/enterprises/<int:enterprise_id>/webhooks")
@dfc_auth("write")
def create_webhook(enterprise_id: int):
    """``{"url": "https://…", "events": ["order.placed", …]}`` (no events: all of them). The
    answer holds the signing secret, shown this once."""
    enterprise = _subscriber(enterprise_id)
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        data = {}
    events = data.get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        events = [str(events)]
    subscription = webhooks.subscribe(
        enterprise_id=enterprise.id,
        url=str(data.get("url") or ""),
        events=events,
        by_user_id=api_caller().id,
    )
    return _subscription_json(subscription, secret=True), 201


@bp.delete("/enterprises/<int:enterprise_id>/webhooks/<int:subscription_id>")
@dfc_auth("write")
def delete_webhook(enterprise_id: int, subscription_id: int):
    enterprise = _subscriber(enterprise_id)
    subscription = load(
        WebhookSubscription,
        subscription_id,
        where=lambda s: s.enterprise_id == enterprise.id,
    )
    webhooks.unsubscribe(subscription)
    return Response(status=204)


# every route above in the application's OpenAPI document (/api/v1/openapi.json)
bp.record_once(lambda state: document_dfc_api(state.app))
