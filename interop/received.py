"""Orders other platforms send to a producer (an OFN hub ordering from a Comptoir producer, as
OFN sends its "backorders" to the FDC producer app).

The sender ``POST``s a DFC Order with its OrderLines, their Offers and one SaleSession to the
producer's order endpoint, then ``PUT``s the order at the ``@id`` we answered with (more or
fewer items, ``dfc-v:Complete`` to finalise, ``dfc-v:Cancelled`` to cancel). What is read:

- the one ``dfc-b:Order`` of the document; its lines (``hasPart``, or lines ``partOf`` it);
- each line's item: the Offer it ``concerns`` (our ``…/offers/<variant>``), or that Offer's
  ``offeredItem`` (our ``…/supplied_products/<variant>``), or a ``…/catalog_items/<variant>``:
  a variant of this producer, active; its ``quantity`` a whole number from 0 to 999;
- ``hasOrderStatus`` (Held, Draft → held; Complete; Cancelled) and ``hasFulfilmentStatus``
  (Cancelled cancels);
- ``orderedBy`` (who buys: an OFN enterprise URL) and the SaleSession's ``@id`` are kept.
Prices are ours (the variant's price when the line is written), never the sender's.

Stock: the variants are locked in id order with checkout's locks (``orders.stock``), every
shortage is reported at once (``insufficient_stock``, 409), and nothing is written when any line
is refused. Idempotent on the sender's ids: a replayed POST finds the order it created (see
:func:`idempotency_key`) and takes no stock twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from core.db import db
from core.errors import DomainError
from enterprises.models import Enterprise
from interop import vocabulary as v
from interop.errors import DfcError
from interop.graph import Graph, Node, parse_document
from interop.models import FulfilmentState, ReceivedOrder, ReceivedOrderLine, ReceivedStatus
from interop.nodes import OfferNode, OrderLineNode, OrderNode, SaleSessionNode
from interop.urls import API, DfcUrls
from orders import pricing
from orders.errors import InsufficientStock, Shortage
from orders.stock import MAX_QUANTITY, item_name, lock_variants, take_variant_stock
from orders.stock import variant_available as available
from products.models import Variant

B = "dfc-b:"
ORDER = "dfc-b:Order"
LINE = "dfc-b:OrderLine"


class DfcOrderRejected(DomainError):
    """The order document is wrong: nothing was written. ``fields["errors"]`` lists each
    problem with the node's ``@id`` and a stable code (interop.errors.CODES)."""

    code = "dfc_order_rejected"
    status = 422
    message = _l("This DFC order cannot be taken: nothing was written.")

    def __init__(self, errors: list[DfcError]) -> None:
        super().__init__(fields={"errors": [e.to_dict() for e in errors]})
        self.errors = errors


class ReceivedOrderClosed(DomainError):
    code = "dfc_order_closed"
    status = 409
    message = _l("This order is complete or cancelled: it can no longer be changed.")


@dataclass(frozen=True)
class Sender:
    """Who sends: the account the token maps to, and the platform's name (the OIDC client's
    configured name, or the API token's name)."""

    user: User
    platform: str

    @property
    def key(self) -> str:
        return f"{self.user.id}|{self.platform}"


@dataclass
class WantedLine:
    node_id: str
    variant_id: int
    quantity: int


@dataclass
class OrderDocument:
    """What a received document says, checked (no database write)."""

    order_id: str
    lines: list[WantedLine] = field(default_factory=list)
    status: ReceivedStatus = ReceivedStatus.held
    cancelled: bool = False
    ordered_by: str = ""
    sale_session_id: str = ""

    def lines_changed_from(self, order: ReceivedOrder) -> bool:
        ours = {line.variant_id: line.quantity for line in order.lines if line.quantity}
        return any(ours.get(w.variant_id, 0) != w.quantity for w in self.lines)


# -- reading the document ---------------------------------------------------------------------

_ITEM = re.compile(r"/enterprises/(\d+)/(offers|supplied_products|catalog_items)/(\d+)/?$")
_STATUSES = {
    v.HELD: ReceivedStatus.held,
    v.DRAFT: ReceivedStatus.held,
    v.COMPLETE: ReceivedStatus.complete,
    v.CANCELLED: ReceivedStatus.cancelled,
}


def _variant_id(graph: Graph, line: Node, producer_id: int, urls: DfcUrls) -> int | None:
    """The variant a line is for: its Offer's id, else the Offer's item, when they are ours."""
    candidates: list[str] = list(line.refs(B + "concerns"))
    for offer_id in list(candidates):
        offer = graph.get(offer_id)
        if offer is not None:
            candidates += offer.refs(B + "offeredItem")
    prefix = urls.enterprise(producer_id)
    for candidate in candidates:
        if not candidate.startswith(urls.base + API + "/"):
            continue
        match = _ITEM.search(candidate)
        if match and int(match.group(1)) == producer_id and candidate.startswith(prefix + "/"):
            return int(match.group(3))
    return None


def _quantity(line: Node) -> int | DfcError:
    raw = line.first(B + "quantity")
    if raw is None:
        return DfcError("missing_field", "dfc-b:quantity is required", line.id)
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return DfcError("invalid_value", f"dfc-b:quantity is not a number: {raw!r}", line.id)
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        return DfcError("invalid_value", "dfc-b:quantity must be a whole number >= 0", line.id)
    if number > MAX_QUANTITY:
        return DfcError("invalid_value", f"dfc-b:quantity is above {MAX_QUANTITY}", line.id)
    return int(number)


def _ref_or_text(node: Node, prop: str) -> str:
    refs = node.refs(prop)
    if refs:
        return refs[0]
    value = node.first(prop)
    return str(value).strip() if isinstance(value, str) else ""


def read_order(
    source: bytes | str,
    *,
    producer: Enterprise,
    urls: DfcUrls,
    base: str,
    new: bool = True,
) -> OrderDocument:
    """Parse and check an order document for ``producer``. Raises DfcOrderRejected listing
    every problem (the document, or each bad line). A new order needs lines; a change
    (``new=False``) may only say a new state."""
    try:
        graph = parse_document(source, base=base)
    except DfcError as err:
        raise DfcOrderRejected([err]) from None
    orders = graph.by_type(ORDER)
    if len(orders) != 1:
        found = len(orders)
        raise DfcOrderRejected(
            [DfcError("missing_field", f"a document with one dfc-b:Order is expected ({found})")]
        )
    order = orders[0]
    errors: list[DfcError] = []
    line_nodes = [graph.get(i) for i in order.refs(B + "hasPart")]
    lines = [n for n in line_nodes if n is not None and LINE in n.types]
    for node in graph.by_type(LINE):
        if node not in lines and order.id in node.refs(B + "partOf"):
            lines.append(node)
    doc = OrderDocument(
        order_id=order.id,
        ordered_by=_ref_or_text(order, B + "orderedBy")[:500],
        sale_session_id=_ref_or_text(order, B + "belongsTo")[:500],
    )
    for prop in (B + "hasOrderStatus", B + "hasFulfilmentStatus"):
        for status in order.refs(prop) or [s for s in order.values(prop) if isinstance(s, str)]:
            if status == v.CANCELLED:
                doc.cancelled = True
            elif prop == B + "hasOrderStatus":
                if status not in _STATUSES:
                    errors.append(
                        DfcError(
                            "unknown_concept", f"{prop}: {status} is not an order state", order.id
                        )
                    )
                else:
                    doc.status = _STATUSES[status]
    if doc.cancelled:
        doc.status = ReceivedStatus.cancelled
    if new and not lines and not doc.cancelled:
        errors.append(DfcError("missing_field", "the order has no dfc-b:OrderLine", order.id))
    seen: dict[int, WantedLine] = {}
    for node in lines:
        quantity = _quantity(node)
        variant_id = _variant_id(graph, node, producer.id, urls)
        if isinstance(quantity, DfcError):
            errors.append(quantity)
            continue
        if variant_id is None:
            errors.append(
                DfcError(
                    "invalid_value",
                    "dfc-b:concerns is not an offer of this producer "
                    f"({urls.enterprise(producer.id)}/offers/<id>)",
                    node.id,
                )
            )
            continue
        if variant_id in seen:  # two lines for one item: one line, quantities added
            seen[variant_id].quantity += quantity
            if seen[variant_id].quantity > MAX_QUANTITY:
                errors.append(DfcError("invalid_value", "dfc-b:quantity is too large", node.id))
            continue
        seen[variant_id] = WantedLine(node.id, variant_id, quantity)
        doc.lines.append(seen[variant_id])
    if errors:
        raise DfcOrderRejected(errors)
    return doc


def idempotency_key(sender: Sender, doc: OrderDocument, urls: DfcUrls, header: str | None) -> str:
    """What makes two POSTs "the same order" for one sender:
    - an ``Idempotency-Key`` header, when the sender gives one;
    - else the Order's ``@id`` when it is the sender's own (a URL of its platform);
    - else (OFN posts the Order with our collection URL as its ``@id``, and numbers its lines
      1, 2...): the document's ids and content (SaleSession, buyer, lines and quantities)."""
    if header:
        basis = ["header", header.strip()]
    elif not doc.order_id.startswith(urls.base + "/") and not doc.order_id.startswith("_:"):
        basis = ["id", doc.order_id]
    else:
        content = sorted((w.node_id, w.variant_id, w.quantity) for w in doc.lines)
        basis = ["doc", doc.sale_session_id, doc.ordered_by, json.dumps(content)]
    raw = json.dumps([sender.key, *basis], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


# -- writing ------------------------------------------------------------------------------------


def _find(key: str) -> ReceivedOrder | None:
    return db.session.scalar(select(ReceivedOrder).where(ReceivedOrder.idempotency_key == key))


def _line_for(variant: Variant, quantity: int, node_id: str) -> ReceivedOrderLine:
    line = ReceivedOrderLine(
        variant_id=variant.id,
        sender_line_id=node_id[:500],
        product_name=variant.product.name[:150],
        variant_name=variant.name[:120],
        sku=variant.sku[:64],
        quantity=0,
        unit_price_cents=variant.price_cents,
        vat_rate_bp=variant.product.vat_rate_bp,
        sold_by_weight=variant.sold_by_weight,
        estimated_weight_g=pricing.estimated_weight_g(variant),
        line_total_cents=0,
    )
    _set_quantity(line, quantity)
    return line


def _set_quantity(line: ReceivedOrderLine, quantity: int) -> None:
    line.quantity = quantity
    per_item_g = line.estimated_weight_g
    price = pricing.price_line(
        producer_price_cents=line.unit_price_cents,
        fee_cents=0,
        quantity=quantity,
        vat_rate_bp=line.vat_rate_bp,
        sold_by_weight=line.sold_by_weight,
        weight_g=per_item_g * quantity if per_item_g is not None else None,
    )
    line.line_total_cents = price.line_total_cents


def _apply_quantities(
    order: ReceivedOrder, wanted: dict[int, tuple[int, str]], producer: Enterprise
) -> None:
    """Move the order's lines to ``wanted`` (variant id → quantity, line @id), taking or giving
    back the difference of stock under the variants' locks. Raises InsufficientStock naming
    every short item."""
    current = {line.variant_id: line for line in order.lines if line.variant_id is not None}
    # a line asked at 0 that the order does not hold is nothing to write
    wanted = {k: w for k, w in wanted.items() if w[0] > 0 or k in current}
    variants = lock_variants(set(wanted) | set(current))
    shortages: list[Shortage] = []
    for variant_id, (quantity, _node) in wanted.items():
        variant = variants.get(variant_id)
        before = current[variant_id].quantity if variant_id in current else 0
        extra = quantity - before
        usable = (
            variant is not None
            and variant.producer_id == producer.id
            and variant.active
            and variant.product.active
        )
        if not usable and extra > 0:
            name = item_name(variant) if variant is not None else str(_l("An item"))
            shortages.append(Shortage(variant_id, name, quantity, 0))
            continue
        left = available(variant) if variant is not None else 0
        if extra > 0 and left is not None and extra > left:
            assert variant is not None
            shortages.append(Shortage(variant_id, item_name(variant), quantity, before + left))
    if shortages:
        raise InsufficientStock(shortages)
    for variant_id, line in current.items():
        if variant_id not in wanted and line.quantity:
            variant = variants.get(variant_id)
            if variant is not None:
                take_variant_stock(variant, -line.quantity)
            _set_quantity(line, 0)
    for variant_id, (quantity, node_id) in sorted(wanted.items()):
        variant = variants[variant_id]
        if variant_id in current:
            line = current[variant_id]
            take_variant_stock(variant, quantity - line.quantity)
            _set_quantity(line, quantity)
        else:
            take_variant_stock(variant, quantity)
            order.lines.append(_line_for(variant, quantity, node_id))
    order.total_cents = sum(line.line_total_cents for line in order.lines)


def receive_order(
    *,
    producer: Enterprise,
    sender: Sender,
    doc: OrderDocument,
    key: str,
    now: datetime,
) -> tuple[ReceivedOrder, bool]:
    """Create the order (stock taken), or find the one this key made. Returns (order, created).
    Commits once."""
    existing = _find(key)
    if existing is not None:
        return existing, False
    if doc.cancelled:
        raise DfcOrderRejected(
            [DfcError("invalid_value", "a new order cannot be cancelled", doc.order_id)]
        )
    if not any(w.quantity for w in doc.lines):
        raise DfcOrderRejected(
            [DfcError("missing_field", "no line has a quantity above 0", doc.order_id)]
        )
    order = ReceivedOrder(
        producer_id=producer.id,
        platform=sender.platform[:120],
        sender_user_id=sender.user.id,
        ordered_by=doc.ordered_by,
        sender_order_id=doc.order_id[:500],
        sale_session_id=doc.sale_session_id,
        idempotency_key=key,
        status=doc.status,
        created_at=now,
        updated_at=now,
    )
    wanted = {w.variant_id: (w.quantity, w.node_id) for w in doc.lines}
    _apply_quantities(order, wanted, producer)
    # a concurrent replay waited on the same variant locks: it now sees the first order
    existing = _find(key)
    if existing is not None:
        db.session.rollback()
        return existing, False
    db.session.add(order)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = _find(key)
        if found is None:
            raise
        return found, False
    return order, True


def lock_received(order_id: int) -> ReceivedOrder | None:
    """The order row, locked first (before the variants: orders.stock's lock order)."""
    return db.session.scalar(
        select(ReceivedOrder)
        .where(ReceivedOrder.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def update_received_order(
    order: ReceivedOrder, *, doc: OrderDocument, now: datetime
) -> ReceivedOrder:
    """The sender's PUT: new quantities (a line left out keeps its quantity unless the order is
    complete: a PUT lists the order as the sender sees it), a new state. Cancelled gives every
    item back. Commits once."""
    locked = lock_received(order.id)
    if locked is None:
        raise ReceivedOrderClosed()
    order = locked
    if order.status is not ReceivedStatus.held:
        if doc.status is order.status and not doc.lines_changed_from(order):
            db.session.commit()  # a replay of the last PUT: nothing to do
            return order
        raise ReceivedOrderClosed()
    if doc.cancelled:
        _cancel(order, now)
    else:
        wanted = {
            line.variant_id: (line.quantity, line.sender_line_id)
            for line in order.lines
            if line.variant_id is not None and line.quantity > 0
        }
        for w in doc.lines:
            wanted[w.variant_id] = (w.quantity, w.node_id)
        wanted = {k: q for k, q in wanted.items() if q[0] > 0}
        _apply_quantities(order, wanted, order.producer)
        order.status = doc.status
    order.updated_at = now
    db.session.commit()
    return order


def _cancel(order: ReceivedOrder, now: datetime) -> None:
    _apply_quantities(order, {}, order.producer)
    order.status = ReceivedStatus.cancelled
    order.fulfilment = FulfilmentState.cancelled
    order.cancelled_at = now


def cancel_received_order(order: ReceivedOrder, *, now: datetime) -> ReceivedOrder:
    """The producer cancels (the stock comes back). Commits once."""
    locked = lock_received(order.id)
    if locked is None or locked.status is ReceivedStatus.cancelled:
        raise ReceivedOrderClosed()
    if locked.fulfilment is FulfilmentState.fulfilled:
        raise ReceivedOrderClosed()
    _cancel(locked, now)
    locked.updated_at = now
    db.session.commit()
    return locked


def mark_fulfilled(order: ReceivedOrder, *, now: datetime) -> ReceivedOrder:
    """The producer delivered the order. Commits once."""
    locked = lock_received(order.id)
    if locked is None or locked.status is ReceivedStatus.cancelled:
        raise ReceivedOrderClosed()
    locked.fulfilment = FulfilmentState.fulfilled
    locked.updated_at = now
    db.session.commit()
    return locked


# -- answering ---------------------------------------------------------------------------------

_STATUS_OUT = {
    ReceivedStatus.held: v.HELD,
    ReceivedStatus.complete: v.COMPLETE,
    ReceivedStatus.cancelled: v.CANCELLED,
}
_FULFILMENT_OUT = {
    FulfilmentState.unfulfilled: v.UNFULFILLED,
    FulfilmentState.fulfilled: v.FULFILLED,
    FulfilmentState.cancelled: v.CANCELLED,
}


def order_records(order: ReceivedOrder, urls: DfcUrls) -> list[Any]:
    """The order as DFC nodes with our ids: Order, its OrderLines (our price), their Offers and
    the sender's SaleSession (its id only)."""
    from interop.exports import price_node

    producer_id = order.producer_id
    lines = [line for line in order.lines if line.variant_id is not None]
    order_id = urls.received_order(producer_id, order.id)
    records: list[Any] = [
        OrderNode(
            id=order_id,
            line_ids=[urls.received_order_line(producer_id, order.id, ln.id) for ln in lines],
            number=f"R-{order.id:06d}",
            created_at=order.created_at,
            ordered_by=order.ordered_by or None,
            sold_by=urls.enterprise(producer_id),
            sale_session_id=(
                order.sale_session_id if not order.sale_session_id.startswith("_:") else None
            )
            or None,
            order_status=_STATUS_OUT[order.status],
            fulfilment_status=_FULFILMENT_OUT[order.fulfilment],
        )
    ]
    offers: dict[str, OfferNode] = {}
    for line in lines:
        assert line.variant_id is not None
        offer_id = urls.offer(producer_id, line.variant_id)
        records.append(
            OrderLineNode(
                id=urls.received_order_line(producer_id, order.id, line.id),
                quantity=Decimal(line.quantity),
                offer_id=offer_id,
                unit_price=price_node(line.unit_price_cents, line.vat_rate_bp),
                order_id=order_id,
            )
        )
        offers.setdefault(
            offer_id,
            OfferNode(
                id=offer_id,
                item_id=urls.supplied_product(producer_id, line.variant_id),
                price=price_node(line.unit_price_cents, line.vat_rate_bp),
            ),
        )
    records.extend(offers.values())
    if order.sale_session_id and not order.sale_session_id.startswith("_:"):
        records.append(SaleSessionNode(id=order.sale_session_id))
    return records


def orders_of_sender(producer: Enterprise, sender: Sender) -> list[ReceivedOrder]:
    """The orders this sender (account) sent to the producer, newest first (200 at most): what
    OFN reads to find its open (Held) order."""
    return list(
        db.session.scalars(
            select(ReceivedOrder)
            .where(
                ReceivedOrder.producer_id == producer.id,
                ReceivedOrder.sender_user_id == sender.user.id,
            )
            .order_by(ReceivedOrder.id.desc())
            .limit(200)
        )
    )


def orders_for_producer(producer: Enterprise, limit: int = 200) -> list[ReceivedOrder]:
    return list(
        db.session.scalars(
            select(ReceivedOrder)
            .where(ReceivedOrder.producer_id == producer.id)
            .order_by(ReceivedOrder.id.desc())
            .limit(limit)
        )
    )
