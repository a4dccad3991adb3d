"""The DFC API, laid out like Open Food Network's (``/api/dfc/...``) so that its clients find
their way, plus orders, which OFN does not serve. Token authentication only
(``Authorization: Bearer`` or ``X-Api-Token``), never the session cookie: the blueprint is
CSRF-exempt. Answers are DFC 1.16 compact JSON-LD, ``application/ld+json``; the big documents
(a cycle's orders, a catalogue) are streamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, request, stream_with_context

from accounts.api_auth import api_user, token_required
from accounts.models import User
from core.db import db
from core.hardening import reads_own_body
from core.security import require
from core.views import load
from cycles.models import OrderCycle, PickupWindow
from enterprises.models import Enterprise
from hubs.models import DistributionPoint
from interop import exports, imports
from interop import permissions as perm
from interop.jsonld import CONTEXT_V1_URL
from interop.nodes import OrderLineNode, OrderNode
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
@token_required("read")
def enterprise(enterprise_id: int):
    found = _enterprise(enterprise_id)
    private = perm.can_read_private_enterprise(api_user(), found)
    links = private or perm.can_read_catalogue(api_user(), found)
    records = exports.enterprise_records(
        found, dfc_urls(), private=private, with_catalogue_links=links
    )
    return graph_response(records)


@bp.get("/persons/me")
@token_required("read")
def person_me():
    """The token's own Person, with the enterprises it manages (``affiliates``): where a client
    starts to find its enterprises."""
    return node_response(exports.person_record(api_user(), dfc_urls()))


@bp.get("/persons/<int:user_id>")
@token_required("read")
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
@token_required("read")
def supplied_products(producer_id: int):
    producer = _producer_catalogue(producer_id)
    return graph_response(exports.iter_catalog_records(producer, dfc_urls(), parts=("product",)))


@bp.get("/enterprises/<int:producer_id>/supplied_products/<int:variant_id>")
@token_required("read")
def supplied_product(producer_id: int, variant_id: int):
    producer = _producer_catalogue(producer_id)
    variant, product = _variant(producer, variant_id)
    labels = [label.code for label in product.labels]
    return node_response(exports.variant_records(variant, product, labels, dfc_urls()).product)


@bp.get("/enterprises/<int:producer_id>/product_groups/<int:product_id>")
@token_required("read")
def product_group(producer_id: int, product_id: int):
    producer = _producer_catalogue(producer_id)
    product = load(Product, product_id, where=lambda p: p.producer_id == producer.id and p.active)
    ids = [v.id for v in product.variants if v.active]
    return node_response(exports.product_group_record(product, ids, dfc_urls()))


@bp.get("/enterprises/<int:producer_id>/catalog_items")
@token_required("read")
def catalog_items(producer_id: int):
    """The whole catalogue: items, their products and offers (what OFN's index returns)."""
    producer = _producer_catalogue(producer_id)
    return graph_response(exports.iter_catalog_records(producer, dfc_urls()))


@bp.post("/enterprises/<int:producer_id>/catalog_items")
@reads_own_body  # interop.graph bounds the document; its errors come as DFC problems (422)
@token_required("write")
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
@token_required("read")
def catalog_item(producer_id: int, variant_id: int):
    producer = _producer_catalogue(producer_id)
    variant, product = _variant(producer, variant_id)
    records = exports.variant_records(variant, product, [], dfc_urls())
    return graph_response([records.item, records.product, records.offer])


@bp.get("/enterprises/<int:producer_id>/offers/<int:variant_id>")
@token_required("read")
def offer(producer_id: int, variant_id: int):
    producer = _producer_catalogue(producer_id)
    variant, product = _variant(producer, variant_id)
    return node_response(exports.variant_records(variant, product, [], dfc_urls()).offer)


# -- a hub's cycles, places and orders -------------------------------------------------------


@bp.get("/enterprises/<int:enterprise_id>/sale_sessions")
@token_required("read")
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
@token_required("read")
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
@token_required("read")
def pickup_option(hub_id: int, cycle_id: int, window_id: int):
    hub = _hub(hub_id)
    cycle = _hub_cycle(hub, cycle_id)
    window = load(PickupWindow, window_id, where=lambda window: window.cycle_id == cycle.id)
    return graph_response(exports.pickup_records(cycle, dfc_urls(), window_ids={window.id}))


@bp.get("/enterprises/<int:hub_id>/places/<int:point_id>")
@token_required("read")
def place(hub_id: int, point_id: int):
    hub = _hub(hub_id)
    point = load(DistributionPoint, point_id, where=lambda point: point.hub_id == hub.id)
    return graph_response(exports.place_records(point, dfc_urls()))


@bp.get("/enterprises/<int:hub_id>/orders")
@token_required("read")
def hub_orders(hub_id: int):
    """The orders of one cycle of the hub (``?cycle=<id>``, required: a hub has many)."""
    hub = _hub(hub_id)
    cycle_id = request.args.get("cycle", type=int) or request.args.get("sale_session", type=int)
    if cycle_id is None:
        abort(400, description="Give the cycle: ?cycle=<id>.")
    cycle = _hub_cycle(hub, cycle_id)
    scope = exports.OrderScope(cycle=cycle)
    return graph_response(exports.iter_cycle_order_records(scope, dfc_urls()))


@bp.get("/enterprises/<int:hub_id>/orders/<int:order_id>")
@token_required("read")
def hub_order(hub_id: int, order_id: int):
    hub = _hub(hub_id)
    order = _hub_order(hub, order_id)
    scope = exports.OrderScope(cycle=order.cycle)
    return graph_response(exports.iter_cycle_order_records(scope, dfc_urls(), order_id=order.id))


@bp.get("/enterprises/<int:hub_id>/orders/<int:order_id>/order_lines/<int:line_id>")
@token_required("read")
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
@token_required("read")
def producer_orders(producer_id: int, cycle_id: int):
    """The cycle's orders with only the lines of this producer; buyers by name only."""
    producer, cycle = _producer_cycle(producer_id, cycle_id)
    scope = exports.OrderScope(cycle=cycle, producer_id=producer.id)
    return graph_response(exports.iter_cycle_order_records(scope, dfc_urls()))


@bp.get("/enterprises/<int:producer_id>/sale_sessions/<int:cycle_id>/orders/<int:order_id>")
@token_required("read")
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
@token_required("read")
def producer_order_line(producer_id: int, cycle_id: int, order_id: int, line_id: int):
    producer, cycle = _producer_cycle(producer_id, cycle_id)
    order = load(Order, order_id, where=lambda order: order.cycle_id == cycle.id)
    load(
        OrderLine,
        line_id,
        where=lambda line: line.order_id == order.id and line.producer_id == producer.id,
    )
    return _line_response(exports.OrderScope(cycle=cycle, producer_id=producer.id), order, line_id)
