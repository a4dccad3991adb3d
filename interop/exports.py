"""Our models as DFC records (:mod:`interop.nodes`): enterprises, catalogues, cycles and orders.

Reading only; nothing here writes. The record builders are plain functions of rows so that the
big exports can stream: :func:`iter_cycle_order_records` reads the lines of a cycle with one
server-side cursor (``yield_per``) ordered by order, and yields each order's records as soon as
its last line is read. Memory holds one order plus the set of offers already written, whatever
the number of orders.

Money (docs/dfc.md, "Prices"). ``Price.value`` is the shelf price, VAT included, as OFN writes
and reads it (its ``OfferBuilder`` puts the variant's price there and reads it back as the
price); ``VATrate`` is the rate that price includes, so that a reader who wants the VAT gets
``value × rate / (100 + rate)``. A sold-by-weight variant travels as what it is: its
``hasQuantity`` is the estimated weight of one item and its price that of one item at that
weight (price per kg × estimated weight, exact), so the price per kg is ``value / quantity``.

Order statuses (``dfc-v:``), from ours:
- order: pending_payment -> Draft; confirmed -> Held while its cycle is open (it can still be
  changed), Complete once the cycle closed; collected -> Complete; cancelled -> Cancelled;
- payment: paid, partially_refunded -> Paid; refunded -> Cancelled; unpaid, pending -> Unpaid;
- fulfilment: collected -> Fulfilled; cancelled -> Cancelled; otherwise Unfulfilled.

Personal data: the hub's view of an order names the buyer as a ``Person`` with first name,
family name, e-mail and phone, as on the hub's order pages (``/api/dfc/persons/<user>``); a
producer's view (its own lines only) gives the name only, on a fragment of the order
(``…#customer``), never the e-mail or phone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, OrderCycle, PickupWindow
from enterprises.models import Enterprise, Membership, MembershipRole
from hubs.models import DistributionPoint
from interop import foodinfo
from interop import vocabulary as v
from interop.nodes import (
    AddressNode,
    CatalogItemNode,
    EnterpriseNode,
    OfferNode,
    OrderLineNode,
    OrderNode,
    PersonNode,
    PhysicalPlaceNode,
    PickupOptionNode,
    PriceNode,
    ProductGroupNode,
    QuantityNode,
    SaleSessionNode,
    SuppliedProductNode,
)
from interop.urls import DfcUrls
from orders.models import Order, OrderLine, OrderStatus, PaymentStatus
from products import photos
from products.models import UNIT_INFO, Product, ProductLabel, UnitKind, Variant

#: rows read per round trip by the streaming exports
BATCH = 2000
EURO = "dfc-m:Euro"


# -- money ---------------------------------------------------------------------------------------


def vat_percent(vat_rate_bp: int) -> Decimal:
    """550 basis points -> Decimal("5.5")."""
    return (Decimal(vat_rate_bp) / 100).normalize()


def price_node(cents_including_vat: int, vat_rate_bp: int) -> PriceNode:
    """The DFC Price of a shelf price: the value VAT included, with the rate it includes."""
    return PriceNode(cents=cents_including_vat, currency=EURO, vat_rate=vat_percent(vat_rate_bp))


def weighed_price_node(cents_per_kg: int, weight_kg: Decimal, vat_rate_bp: int) -> PriceNode:
    """The Price of one sold-by-weight item at its estimated weight: ``value / weight`` is the
    price per kg exactly (12.90 €/kg × 0.45 kg -> 5.805)."""
    amount = (Decimal(cents_per_kg) * weight_kg / 100).normalize()
    cents = int((amount * 100).to_integral_value(ROUND_HALF_UP))
    exact = amount if amount != Decimal(cents) / 100 else None
    return PriceNode(cents=cents, currency=EURO, vat_rate=vat_percent(vat_rate_bp), amount=exact)


# -- statuses --------------------------------------------------------------------------------


def order_status(status: OrderStatus, cycle_open: bool) -> str:
    if status is OrderStatus.pending_payment:
        return v.DRAFT
    if status is OrderStatus.confirmed:
        return v.HELD if cycle_open else v.COMPLETE
    if status is OrderStatus.collected:
        return v.COMPLETE
    return v.CANCELLED


def payment_status(status: PaymentStatus) -> str:
    if status in (PaymentStatus.paid, PaymentStatus.partially_refunded):
        return v.PAID
    if status is PaymentStatus.refunded:
        return v.CANCELLED
    return v.UNPAID


def fulfilment_status(status: OrderStatus) -> str:
    if status is OrderStatus.collected:
        return v.FULFILLED
    if status is OrderStatus.cancelled:
        return v.CANCELLED
    return v.UNFULFILLED


# -- enterprises and people --------------------------------------------------------------------


def split_name(full_name: str) -> tuple[str | None, str | None]:
    """("Camille", "Martin Dupont") from "Camille Martin Dupont"; one word is a first name."""
    words = (full_name or "").split()
    if not words:
        return None, None
    return words[0], " ".join(words[1:]) or None


def _media_url(urls: DfcUrls, path: str, folder: str) -> str | None:
    if not path:
        return None
    return f"{urls.base}/media/{folder}/{path.removeprefix(folder + '/')}"


def main_contact(enterprise: Enterprise) -> Any | None:
    """The enterprise's first owner (else first manager): its main contact."""
    return db.session.scalar(
        select(Membership)
        .where(Membership.enterprise_id == enterprise.id)
        .order_by((Membership.role == MembershipRole.owner).desc(), Membership.id)
        .limit(1)
    )


def enterprise_records(
    enterprise: Enterprise, urls: DfcUrls, *, private: bool, with_catalogue_links: bool = False
) -> list[Any]:
    """The Enterprise, its Address and (``private``: its managers' view) its main contact.

    The public view has what the enterprise's public page shows (name, description, address,
    website, logo, contact e-mail and phone); ``private`` adds the VAT number and the main
    contact Person (name and e-mail of the owner).
    """
    records: list[Any] = []
    address = AddressNode(
        id=urls.enterprise_address(enterprise.id),
        street=enterprise.address or None,
        postal_code=enterprise.postcode or None,
        city=enterprise.city or None,
        country="FRA",
        latitude=enterprise.latitude,
        longitude=enterprise.longitude,
    )
    node = EnterpriseNode(
        id=urls.enterprise(enterprise.id),
        name=enterprise.name,
        description=enterprise.description or None,
        vat_number=(enterprise.vat_number or None) if private else None,
        email=enterprise.contact_email or None,
        website=enterprise.website or None,
        logo=_media_url(urls, enterprise.logo_path, "enterprises"),
        phone=enterprise.phone or None,
        address_ids=[address.id],
    )
    records.append(node)
    records.append(address)
    if private:
        membership = main_contact(enterprise)
        if membership is not None:
            first, family = split_name(membership.user.full_name)
            node.main_contact_id = urls.main_contact(enterprise.id)
            records.append(
                PersonNode(
                    id=node.main_contact_id,
                    first_name=first,
                    family_name=family,
                    email=membership.user.email,
                    affiliate_ids=[node.id],
                )
            )
    if with_catalogue_links and enterprise.is_producer:
        ids = list(
            db.session.scalars(
                select(Variant.id)
                .join(Product, Variant.product_id == Product.id)
                .where(
                    Variant.producer_id == enterprise.id,
                    Variant.active.is_(True),
                    Product.active.is_(True),
                )
                .order_by(Variant.id)
            )
        )
        node.supplied_product_ids = [urls.supplied_product(enterprise.id, i) for i in ids]
        node.catalog_item_ids = [urls.catalog_item(enterprise.id, i) for i in ids]
    return records


def person_record(user: Any, urls: DfcUrls) -> PersonNode:
    first, family = split_name(user.full_name)
    affiliates = db.session.scalars(
        select(Membership.enterprise_id).where(Membership.user_id == user.id)
    )
    return PersonNode(
        id=urls.person(user.id),
        first_name=first,
        family_name=family,
        email=user.email,
        affiliate_ids=[urls.enterprise(i) for i in sorted(affiliates)],
    )


# -- catalogue ---------------------------------------------------------------------------------


def supplied_product_name(product_name: str, variant_name: str) -> str:
    """OFN's style: "Apple - 1 kg"; the product name alone when the variant has no name."""
    return f"{product_name} - {variant_name}" if variant_name else product_name


def _quantity(variant: Variant) -> QuantityNode:
    """The pack size; for a sold-by-weight variant, the estimated weight of one item."""
    return QuantityNode(value=variant.unit_value.normalize(), unit=str(variant.unit.value))


def _offer_price(variant: Variant, vat_rate_bp: int) -> PriceNode:
    if variant.sold_by_weight:
        factor = UNIT_INFO[variant.unit][1]
        if UNIT_INFO[variant.unit][0] == UnitKind.weight:
            weight_kg = variant.unit_value * factor
            return weighed_price_node(variant.price_cents, weight_kg, vat_rate_bp)
    return price_node(variant.price_cents, vat_rate_bp)


@dataclass
class VariantRecords:
    product: SuppliedProductNode
    item: CatalogItemNode
    offer: OfferNode


def variant_records(
    variant: Variant, product: Product, labels: list[str], urls: DfcUrls, *, grouped: bool = True
) -> VariantRecords:
    """The SuppliedProduct, CatalogItem and Offer of one variant (OFN: one of each per variant)."""
    producer_id = variant.producer_id
    sp_id = urls.supplied_product(producer_id, variant.id)
    item_id = urls.catalog_item(producer_id, variant.id)
    offer_id = urls.offer(producer_id, variant.id)
    stock = None if variant.on_demand else variant.stock
    return VariantRecords(
        product=SuppliedProductNode(
            id=sp_id,
            name=supplied_product_name(product.name, variant.name),
            quantity=_quantity(variant),
            description=product.description or None,
            product_type=product.product_type or None,
            labels=[c for c in [*labels, product.origin_code] if c and v.facet_property(c)],
            image=photos.main_photo_url(product, base=urls.base),
            catalog_item_ids=[item_id],
            variant_of=urls.product_group(producer_id, product.id) if grouped else None,
            **foodinfo.node_fields(product),
        ),
        item=CatalogItemNode(
            id=item_id,
            product_id=sp_id,
            sku=variant.sku,
            stock_limitation=stock,
            offer_ids=[offer_id],
            managed_by=urls.enterprise(producer_id),
        ),
        offer=OfferNode(
            id=offer_id,
            item_id=sp_id,
            price=_offer_price(variant, product.vat_rate_bp),
            stock_limitation=stock,
        ),
    )


def product_group_record(product: Product, variant_ids: list[int], urls: DfcUrls) -> Any:
    """A product with several variants, as OFN's ``/product_groups/``: a SuppliedProduct that
    only names the group (``hasVariant``); it has no CatalogItem and no Offer."""
    return ProductGroupNode(
        id=urls.product_group(product.producer_id, product.id),
        name=product.name,
        description=product.description or None,
        product_type=product.product_type or None,
        variant_ids=[urls.supplied_product(product.producer_id, i) for i in variant_ids],
    )


def _labels_of(producer_id: int) -> dict[int, list[str]]:
    labels: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(ProductLabel.product_id, ProductLabel.code)
        .join(Product, ProductLabel.product_id == Product.id)
        .where(Product.producer_id == producer_id)
        .order_by(ProductLabel.product_id, ProductLabel.code)
    )
    for product_id, code in rows:
        labels.setdefault(product_id, []).append(code)
    return labels


def iter_catalog_records(
    producer: Enterprise,
    urls: DfcUrls,
    *,
    variant_id: int | None = None,
    parts: Iterable[str] = ("product", "item", "offer"),
    with_groups: bool = True,
) -> Iterator[Any]:
    """The active variants of the producer's active products as DFC records, product by product:
    for each product its group (always, as OFN: the variants' ``isVariantOf``), then per variant
    the records named in ``parts`` ("product", "item", "offer"). Streams with ``yield_per``."""
    wanted = tuple(parts)
    labels = _labels_of(producer.id)
    query = (
        select(Variant, Product)
        .join(Product, Variant.product_id == Product.id)
        .where(
            Variant.producer_id == producer.id,
            Variant.active.is_(True),
            Product.active.is_(True),
        )
        .order_by(Product.id, Variant.id)
        .options(selectinload(Product.photos))
        .execution_options(yield_per=BATCH)
    )
    if variant_id is not None:
        query = query.where(Variant.id == variant_id)
    pending: list[tuple[Variant, Product]] = []

    def flush() -> Iterator[Any]:
        if not pending:
            return
        product = pending[0][1]
        if with_groups and variant_id is None and "product" in wanted:
            yield product_group_record(product, [var.id for var, _ in pending], urls)
        for var, prod in pending:
            records = variant_records(var, prod, labels.get(prod.id, []), urls, grouped=True)
            for part in wanted:
                yield getattr(records, part)
        pending.clear()

    for var, prod in db.session.execute(query):
        if pending and pending[0][1].id != prod.id:
            yield from flush()
        pending.append((var, prod))
    yield from flush()


# -- cycles and orders -------------------------------------------------------------------------


def list_cycles(
    owner: Enterprise, *, hub_view: bool, producer_view: bool, limit: int = 200
) -> list[OrderCycle]:
    """Published cycles, latest first: the hub's own and/or those where the producer sells."""
    conditions = []
    if hub_view:
        conditions.append(OrderCycle.hub_id == owner.id)
    if producer_view:
        conditions.append(
            OrderCycle.id.in_(select(CycleOffer.cycle_id).where(CycleOffer.producer_id == owner.id))
        )
    if not conditions:
        return []
    return list(
        db.session.scalars(
            select(OrderCycle)
            .where(db.or_(*conditions), OrderCycle.published.is_(True))
            .order_by(OrderCycle.opens_at.desc(), OrderCycle.id.desc())
            .limit(limit)
        )
    )


def sale_session_record(cycle: OrderCycle, urls: DfcUrls, owner_id: int) -> SaleSessionNode:
    """The cycle as a SaleSession under ``owner_id`` (the hub, or a producer for its view)."""
    return SaleSessionNode(
        id=urls.sale_session(owner_id, cycle.id),
        begin_at=cycle.opens_at,
        end_at=cycle.effective_closes_at,
    )


def place_records(point: DistributionPoint, urls: DfcUrls) -> list[Any]:
    address = AddressNode(
        id=urls.place_address(point.hub_id, point.id),
        street=point.address or None,
        postal_code=point.postcode or None,
        city=point.city or None,
        country="FRA",
        latitude=point.latitude,
        longitude=point.longitude,
    )
    place = PhysicalPlaceNode(
        id=urls.place(point.hub_id, point.id), name=point.name, address_id=address.id
    )
    return [place, address]


def pickup_records(
    cycle: OrderCycle, urls: DfcUrls, *, window_ids: set[int] | None = None
) -> list[Any]:
    """A PickupOption per pickup window of the cycle, each with its PhysicalPlace and Address."""
    records: list[Any] = []
    seen_points: set[int] = set()
    windows = db.session.scalars(
        select(PickupWindow)
        .where(PickupWindow.cycle_id == cycle.id)
        .order_by(PickupWindow.starts_at, PickupWindow.id)
    )
    for window in windows:
        if window_ids is not None and window.id not in window_ids:
            continue
        point = window.distribution_point
        records.append(
            PickupOptionNode(
                id=urls.pickup_option(cycle.hub_id, cycle.id, window.id),
                name=point.name,
                description=_window_text(window.starts_at, window.ends_at),
                place_id=urls.place(point.hub_id, point.id),
                sale_session_id=urls.sale_session(cycle.hub_id, cycle.id),
            )
        )
        if point.id not in seen_points:
            seen_points.add(point.id)
            records.extend(place_records(point, urls))
    return records


def _window_text(starts_at: datetime, ends_at: datetime) -> str:
    """ISO 8601 interval: machine-readable and language-neutral."""
    return f"{starts_at.isoformat(timespec='minutes')}/{ends_at.isoformat(timespec='minutes')}"


_ORDER_COLUMNS = (
    Order.id,
    Order.number,
    Order.placed_at,
    Order.customer_id,
    Order.customer_name,
    Order.customer_email,
    Order.customer_phone,
    Order.status,
    Order.payment_status,
    Order.pickup_window_id,
    Order.hub_id,
)
_LINE_COLUMNS = (
    OrderLine.id.label("line_id"),
    OrderLine.variant_id,
    OrderLine.producer_id,
    OrderLine.product_name,
    OrderLine.variant_name,
    OrderLine.quantity,
    OrderLine.producer_price_cents,
    OrderLine.unit_price_cents,
    OrderLine.vat_rate_bp,
    OrderLine.sold_by_weight,
    OrderLine.estimated_weight_g,
    OrderLine.final_weight_g,
    Variant.unit,
    Variant.unit_value,
)


@dataclass(frozen=True)
class OrderScope:
    """Whose view of the orders: the hub's (everything) or one producer's (its lines only)."""

    cycle: OrderCycle
    producer_id: int | None = None

    @property
    def for_producer(self) -> bool:
        return self.producer_id is not None


class _OrderWriter:
    """Records of one order at a time; remembers the offers already written."""

    def __init__(self, scope: OrderScope, urls: DfcUrls, now: datetime) -> None:
        self.scope = scope
        self.urls = urls
        self.cycle_open = scope.cycle.is_open(now)
        self.offers_seen: set[tuple[int, int]] = set()

    def order_id(self, order_id: int) -> str:
        scope, cycle = self.scope, self.scope.cycle
        if scope.producer_id is not None:
            return self.urls.producer_order(scope.producer_id, cycle.id, order_id)
        return self.urls.order(cycle.hub_id, order_id)

    def line_id(self, order_id: int, line_id: int) -> str:
        scope, cycle = self.scope, self.scope.cycle
        if scope.producer_id is not None:
            return self.urls.producer_order_line(scope.producer_id, cycle.id, order_id, line_id)
        return self.urls.order_line(cycle.hub_id, order_id, line_id)

    def records(self, order: Any, lines: list[Any]) -> Iterator[Any]:
        scope, urls, cycle = self.scope, self.urls, self.scope.cycle
        order_iri = self.order_id(order.id)
        first, family = split_name(order.customer_name)
        if scope.producer_id is not None:
            person = PersonNode(
                id=urls.producer_customer(scope.producer_id, cycle.id, order.id),
                first_name=first,
                family_name=family,
            )
            session_id = urls.sale_session(scope.producer_id, cycle.id)
        else:
            person_id = (
                urls.person(order.customer_id)
                if order.customer_id is not None
                else urls.customer(cycle.hub_id, order.id)
            )
            person = PersonNode(
                id=person_id,
                first_name=first,
                family_name=family,
                email=order.customer_email or None,
                phone=order.customer_phone or None,
            )
            session_id = urls.sale_session(cycle.hub_id, cycle.id)
        line_records = [self._line(order_iri, order.id, line) for line in lines]
        yield OrderNode(
            id=order_iri,
            line_ids=[line.id for line in line_records],
            number=order.number,
            created_at=order.placed_at,
            ordered_by=person.id,
            sold_by=urls.enterprise(cycle.hub_id),
            sale_session_id=session_id,
            order_status=order_status(order.status, self.cycle_open),
            payment_status=payment_status(order.payment_status),
            fulfilment_status=fulfilment_status(order.status),
            pickup_option_id=urls.pickup_option(cycle.hub_id, cycle.id, order.pickup_window_id),
        )
        yield person
        yield from line_records
        for line in lines:
            yield from self._offer(line)

    def _offer_ids(self, line: Any) -> tuple[str, str]:
        if line.variant_id is not None:
            return (
                self.urls.offer(line.producer_id, line.variant_id),
                self.urls.supplied_product(line.producer_id, line.variant_id),
            )
        # the variant was deleted since: the line's own fragments name what was sold
        line_iri = self.line_id(line.order_id, line.line_id)
        return line_iri + "#offer", line_iri + "#product"

    def _line(self, order_iri: str, order_id: int, line: Any) -> OrderLineNode:
        cents = line.producer_price_cents if self.scope.for_producer else line.unit_price_cents
        description = None
        if line.sold_by_weight:
            grams = line.final_weight_g or (line.estimated_weight_g or 0) * line.quantity
            description = f"sold by weight: price per kg; {grams} g"
        offer_id, _ = self._offer_ids(line)
        weight_kg = _estimated_kg(line)
        return OrderLineNode(
            id=self.line_id(order_id, line.line_id),
            quantity=Decimal(line.quantity),
            offer_id=offer_id,
            # a sold-by-weight item as the catalogue writes it: the price of one item at its
            # estimated weight (value / weight = the price per kg), not "1 kg at the kg price"
            unit_price=weighed_price_node(cents, weight_kg, line.vat_rate_bp)
            if weight_kg is not None
            else price_node(cents, line.vat_rate_bp),
            order_id=order_iri,
            description=description,
        )

    def _offer(self, line: Any) -> Iterator[Any]:
        key = (line.producer_id, line.variant_id or -line.line_id)
        if key in self.offers_seen:
            return
        self.offers_seen.add(key)
        offer_id, product_id = self._offer_ids(line)
        yield OfferNode(id=offer_id, item_id=product_id, price=None)  # type: ignore[arg-type]
        weight_kg = _estimated_kg(line)
        if weight_kg is not None:  # one item's estimated weight, as in the catalogue
            quantity = QuantityNode(value=weight_kg, unit="kg")
        elif line.sold_by_weight or line.unit is None:
            quantity = QuantityNode(value=Decimal(1), unit="kg" if line.sold_by_weight else "piece")
        else:
            quantity = QuantityNode(value=line.unit_value.normalize(), unit=str(line.unit.value))
        yield SuppliedProductNode(
            id=product_id,
            name=supplied_product_name(line.product_name, line.variant_name),
            quantity=quantity,
        )


def _estimated_kg(line: Any) -> Decimal | None:
    """The estimated weight of one item of a sold-by-weight line, in kg (None: not weighed)."""
    if not line.sold_by_weight or not line.estimated_weight_g:
        return None
    return (Decimal(line.estimated_weight_g) / 1000).normalize()


def iter_cycle_order_records(
    scope: OrderScope,
    urls: DfcUrls,
    *,
    order_id: int | None = None,
    now: datetime | None = None,
) -> Iterator[Any]:
    """The orders of a cycle (or the one ``order_id``) as DFC records, streamed.

    First the SaleSession, the hub (seller) and the pickup options with their places; then for
    each order (by id) the Order, its buyer, its lines and the Offers and SuppliedProducts not
    yet written. A producer's scope keeps its own lines and the orders that have some, and
    never includes the buyer's e-mail. Cancelled orders are included (status Cancelled), as a
    producer's tools must learn that an order went away.
    """
    cycle = scope.cycle
    owner = scope.producer_id if scope.producer_id is not None else cycle.hub_id
    yield sale_session_record(cycle, urls, owner)
    hub = db.session.get(Enterprise, cycle.hub_id)
    if hub is not None:
        yield EnterpriseNode(id=urls.enterprise(hub.id), name=hub.name)
    window_ids = None
    if order_id is not None:
        window_ids = set(
            db.session.scalars(select(Order.pickup_window_id).where(Order.id == order_id))
        )
    yield from pickup_records(cycle, urls, window_ids=window_ids)

    query = (
        select(*_ORDER_COLUMNS, OrderLine.order_id, *_LINE_COLUMNS)
        .select_from(Order)
        .join(OrderLine, OrderLine.order_id == Order.id, isouter=not scope.for_producer)
        .join(Variant, Variant.id == OrderLine.variant_id, isouter=True)
        .where(Order.cycle_id == cycle.id)
        .order_by(Order.id, OrderLine.id)
        .execution_options(yield_per=BATCH)
    )
    if scope.producer_id is not None:
        query = query.where(OrderLine.producer_id == scope.producer_id)
    if order_id is not None:
        query = query.where(Order.id == order_id)
    writer = _OrderWriter(scope, urls, now or utcnow())
    current: Any = None
    lines: list[Any] = []
    for row in db.session.execute(query):
        if current is not None and row.id != current.id:
            yield from writer.records(current, lines)
            lines = []
        current = row
        if row.line_id is not None:
            lines.append(row)
    if current is not None:
        yield from writer.records(current, lines)
