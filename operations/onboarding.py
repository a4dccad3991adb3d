"""A guided start: what a new hub or producer still has to do, and what a producer must do now.

Every step is computed from the data (never ticked by hand), so it lights up as soon as the
thing exists, whoever made it, and a checklist disappears from the dashboard once every step is
done. Each step names the page that does it (an endpoint and its arguments).

Hub: payments (a connected Stripe account, or pay at pickup chosen: card payment switched off),
a distribution point, producers (an accepted permission, or the hub sells its own products), a
first cycle, products offered in a cycle, a published cycle.
Producer: its profile (description and address), its products, the hubs that sell them.

The producer's "now" (:func:`producer_now`): cycles of its hubs closing within
``CLOSING_SOON`` where it sells, the closed cycles it has to bring products to (counted orders,
not done), and its variants with little stock left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, OrderCycle
from enterprises.models import Enterprise
from hubs.models import DistributionPoint, LinkStatus, ProducerHubLink
from operations.producers import services as producer_services
from orders.models import Order, OrderLine
from products.models import Product, Variant

#: a cycle closing within this is "closing soon" on the producer's dashboard
CLOSING_SOON = timedelta(days=3)
#: a variant with this many items or fewer in stock is "low" (on-demand variants never are)
LOW_STOCK = 5
#: at most this many rows per list on the dashboard
LIST_LIMIT = 5
#: where the hub chooses its payment means, first one this deployment has (the hub settings
#: and Stripe Connect pages are another part of the work; the enterprise page until then)
#: where a hub connects Stripe or chooses pay at pickup
PAYMENT_ENDPOINT = "hubs.settings"


@dataclass(frozen=True)
class Step:
    key: str
    label: Any  # a lazy string
    done: bool
    endpoint: str
    values: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Checklist:
    enterprise: Enterprise
    kind: str  # "hub" or "producer"
    steps: list[Step]

    @property
    def done(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)


def _ids(query: Any) -> set[int]:
    return set(db.session.scalars(query))


def payments_ready(hub: Enterprise) -> bool:
    """The hub's own Stripe account is connected and takes charges, or the hub chose to be paid
    at pickup only."""
    if hub.stripe_account_id and hub.stripe_charges_enabled:
        return True
    return hub.allows_pay_at_pickup and not hub.allows_online_payment


def _hub_checklists(hubs: list[Enterprise]) -> dict[int, Checklist]:
    """Every hub's checklist in a fixed number of statements, whatever the number of hubs."""
    ids = [h.id for h in hubs]
    if not ids:
        return {}
    points = _ids(
        select(DistributionPoint.hub_id).where(
            DistributionPoint.hub_id.in_(ids), DistributionPoint.active.is_(True)
        )
    )
    linked = _ids(
        select(ProducerHubLink.hub_id).where(
            ProducerHubLink.hub_id.in_(ids), ProducerHubLink.status == LinkStatus.accepted
        )
    )
    first_cycles: dict[int, int] = {
        hub_id: cycle_id
        for hub_id, cycle_id in db.session.execute(
            select(OrderCycle.hub_id, func.min(OrderCycle.id))
            .where(OrderCycle.hub_id.in_(ids))
            .group_by(OrderCycle.hub_id)
        )
    }
    offered = _ids(
        select(OrderCycle.hub_id)
        .join(CycleOffer, CycleOffer.cycle_id == OrderCycle.id)
        .where(OrderCycle.hub_id.in_(ids), CycleOffer.active.is_(True))
    )
    published = _ids(
        select(OrderCycle.hub_id).where(OrderCycle.hub_id.in_(ids), OrderCycle.published.is_(True))
    )
    pay_endpoint = PAYMENT_ENDPOINT
    found = {}
    for hub in hubs:
        first_cycle = first_cycles.get(hub.id)
        pay_values = (
            {"enterprise_id": hub.id}
            if pay_endpoint.startswith("enterprises.")
            else {"hub_id": hub.id}
        )
        on_cycle = {"hub_id": hub.id}
        if first_cycle is not None:
            on_cycle = {"hub_id": hub.id, "cycle_id": first_cycle}
        steps = [
            Step(
                "payments",
                _l("Connect your Stripe account, or choose to be paid at pickup"),
                payments_ready(hub),
                pay_endpoint,
                pay_values,
            ),
            Step(
                "point",
                lazy_pgettext("checklist", "Add a distribution point"),
                hub.id in points,
                "hubs.point_new",
                {"hub_id": hub.id},
            ),
            Step(
                "producers",
                _l("Find producers who let you sell their products"),
                hub.is_producer or hub.id in linked,
                "hubs.hub_links",
                {"hub_id": hub.id},
            ),
            Step(
                "cycle",
                _l("Create a first order cycle"),
                first_cycle is not None,
                "cycles.new",
                {"hub_id": hub.id},
            ),
            Step(
                "products",
                _l("Choose the products of the cycle"),
                hub.id in offered,
                "cycles.offers" if first_cycle is not None else "cycles.new",
                on_cycle,
            ),
            Step(
                "publish",
                _l("Publish the cycle"),
                hub.id in published,
                "cycles.detail" if first_cycle is not None else "cycles.new",
                on_cycle,
            ),
        ]
        found[hub.id] = Checklist(hub, "hub", steps)
    return found


def _producer_checklists(producers: list[Enterprise]) -> dict[int, Checklist]:
    """Every producer's checklist in a fixed number of statements."""
    ids = [p.id for p in producers]
    if not ids:
        return {}
    with_products = _ids(
        select(Product.producer_id)
        .join(Variant, Variant.product_id == Product.id)
        .where(Product.producer_id.in_(ids), Product.active.is_(True))
    )
    linked = _ids(
        select(ProducerHubLink.producer_id).where(
            ProducerHubLink.producer_id.in_(ids), ProducerHubLink.status == LinkStatus.accepted
        )
    )
    found = {}
    for producer in producers:
        profile = bool(producer.description.strip()) and bool(producer.postcode.strip())
        steps = [
            Step(
                "profile",
                _l("Describe your farm or workshop and give its address"),
                profile,
                "enterprises.edit",
                {"enterprise_id": producer.id},
            ),
            Step(
                "products",
                _l("Add your products"),
                producer.id in with_products,
                "products.new",
                {"producer_id": producer.id},
            ),
            Step(
                "hubs",
                _l("Let hubs sell your products"),
                producer.is_hub or producer.id in linked,
                "hubs.producer_links",
                {"producer_id": producer.id},
            ),
        ]
        found[producer.id] = Checklist(producer, "producer", steps)
    return found


def hub_checklist(hub: Enterprise) -> Checklist:
    return _hub_checklists([hub])[hub.id]


def producer_checklist(producer: Enterprise) -> Checklist:
    return _producer_checklists([producer])[producer.id]


# --------------------------------------------------------------------------- producer: now


@dataclass(frozen=True)
class ClosingCycle:
    cycle: OrderCycle
    offers: int


@dataclass
class ToBring:
    """What the producer brings to a closed cycle: quantities per product and variant."""

    cycle: OrderCycle
    items: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def pickup_starts_at(self) -> datetime | None:
        starts = [w.starts_at for w in self.cycle.windows]
        return min(starts) if starts else None


@dataclass
class ProducerNow:
    closing_soon: list[ClosingCycle] = field(default_factory=list)
    to_bring: list[ToBring] = field(default_factory=list)
    low_stock: list[Variant] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.closing_soon or self.to_bring or self.low_stock)


def _producers_now(ids: list[int], now: datetime) -> dict[int, ProducerNow]:
    """Each producer's "to do now" in a fixed number of statements (see the module docstring)."""
    found = {pid: ProducerNow() for pid in ids}
    if not ids:
        return found
    closes = producer_services.effective_close()
    rows = db.session.execute(
        select(OrderCycle, CycleOffer.producer_id, func.count(CycleOffer.id))
        .join(CycleOffer, CycleOffer.cycle_id == OrderCycle.id)
        .options(joinedload(OrderCycle.hub))
        .where(
            CycleOffer.producer_id.in_(ids),
            CycleOffer.active.is_(True),
            OrderCycle.published.is_(True),
            OrderCycle.done_at.is_(None),
            OrderCycle.opens_at <= now,
            closes > now,
            closes <= now + CLOSING_SOON,
        )
        .group_by(OrderCycle.id, CycleOffer.producer_id)
        .order_by(closes, OrderCycle.id)
    ).all()
    for cycle, producer_id, count in rows:
        mine = found[producer_id].closing_soon
        if len(mine) < LIST_LIMIT:
            mine.append(ClosingCycle(cycle, int(count)))

    bring_rows = db.session.execute(
        select(
            OrderLine.producer_id,
            Order.cycle_id,
            OrderLine.product_name,
            OrderLine.variant_name,
            func.sum(OrderLine.quantity),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(OrderCycle, OrderCycle.id == Order.cycle_id)
        .where(
            OrderLine.producer_id.in_(ids),
            Order.status.in_(producer_services.COUNTED_STATUSES),
            OrderCycle.done_at.is_(None),
            closes <= now,
        )
        .group_by(
            OrderLine.producer_id, Order.cycle_id, OrderLine.product_name, OrderLine.variant_name
        )
        .order_by(Order.cycle_id, OrderLine.product_name, OrderLine.variant_name)
    ).all()
    cycle_ids = {row[1] for row in bring_rows}
    cycles = {
        c.id: c
        for c in db.session.scalars(
            select(OrderCycle)
            .where(OrderCycle.id.in_(cycle_ids))
            .options(joinedload(OrderCycle.hub), selectinload(OrderCycle.windows))
        ).unique()
    }
    bring: dict[tuple[int, int], ToBring] = {}
    for producer_id, cycle_id, product, variant, quantity in bring_rows:
        key = (producer_id, cycle_id)
        if key not in bring:
            bring[key] = ToBring(cycles[cycle_id])
        bring[key].items.append((product, variant, int(quantity or 0)))
    for (producer_id, _cycle_id), item in sorted(
        bring.items(), key=lambda kv: (kv[1].cycle.effective_closes_at, kv[1].cycle.id)
    ):
        mine_bring = found[producer_id].to_bring
        if len(mine_bring) < LIST_LIMIT:
            mine_bring.append(item)

    low = db.session.scalars(
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .options(joinedload(Variant.product))
        .where(
            Product.producer_id.in_(ids),
            Product.active.is_(True),
            Variant.active.is_(True),
            Variant.on_demand.is_(False),
            Variant.stock <= LOW_STOCK,
        )
        .order_by(Variant.stock, Variant.id)
    )
    for low_variant in low:
        mine_low = found[low_variant.product.producer_id].low_stock
        if len(mine_low) < LIST_LIMIT:
            mine_low.append(low_variant)
    return found


def producer_now(producer: Enterprise, now: datetime) -> ProducerNow:
    """What the producer has to do now (see the module's docstring)."""
    return _producers_now([producer.id], now)[producer.id]


@dataclass
class DashboardCard:
    """What the managers' dashboard adds to one enterprise's card."""

    checklists: list[Checklist] = field(default_factory=list)
    now: ProducerNow | None = None


def dashboard_cards(enterprises: list[Enterprise], now: datetime) -> dict[int, DashboardCard]:
    """For each enterprise: its checklists still to finish and, for a producer, what to do now.
    A fixed number of statements however many enterprises the person manages."""
    hubs = _hub_checklists([e for e in enterprises if e.is_hub])
    producers = [e for e in enterprises if e.is_producer]
    producer_lists = _producer_checklists(producers)
    nows = _producers_now([p.id for p in producers], now)
    cards = {}
    for enterprise in enterprises:
        lists = [
            c
            for c in (hubs.get(enterprise.id), producer_lists.get(enterprise.id))
            if c is not None and not c.done
        ]
        cards[enterprise.id] = DashboardCard(lists, nows.get(enterprise.id))
    return cards


def checklists(enterprise: Enterprise) -> list[Checklist]:
    """The checklists still to finish for the enterprise (none once everything is done)."""
    return dashboard_cards([enterprise], utcnow())[enterprise.id].checklists
