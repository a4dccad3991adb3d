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

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from core.db import db
from cycles.models import CycleOffer, CycleState, OrderCycle
from enterprises.models import Enterprise
from hubs.models import DistributionPoint, LinkStatus, ProducerHubLink
from operations.producers import services as producer_services
from products.models import Product, Variant

#: a cycle closing within this is "closing soon" on the producer's dashboard
CLOSING_SOON = timedelta(days=3)
#: a variant with this many items or fewer in stock is "low" (on-demand variants never are)
LOW_STOCK = 5
#: at most this many rows per list on the dashboard
LIST_LIMIT = 5
#: where the hub chooses its payment means, first one this deployment has (the hub settings
#: and Stripe Connect pages are another part of the work; the enterprise page until then)
PAYMENT_ENDPOINTS = ("hubs.settings", "hub_settings.edit", "payments.connect", "enterprises.edit")


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


def _exists(query: Any) -> bool:
    return bool(db.session.scalar(select(exists(query))))


def _first_endpoint(candidates: tuple[str, ...]) -> str:
    for endpoint in candidates:
        if endpoint in current_app.view_functions:
            return endpoint
    return candidates[-1]


def payments_ready(hub: Enterprise) -> bool:
    """A Stripe account is connected, or the hub chose to be paid at pickup only."""
    if hub.stripe_account_id:
        return True
    return hub.allows_pay_at_pickup and not hub.allows_online_payment


def hub_checklist(hub: Enterprise) -> Checklist:
    cycles = select(OrderCycle.id).where(OrderCycle.hub_id == hub.id)
    first_cycle = db.session.scalar(cycles.order_by(OrderCycle.id).limit(1))
    producers = hub.is_producer or _exists(
        select(ProducerHubLink.id).where(
            ProducerHubLink.hub_id == hub.id, ProducerHubLink.status == LinkStatus.accepted
        )
    )
    offers = _exists(
        select(CycleOffer.id).where(CycleOffer.cycle_id.in_(cycles), CycleOffer.active.is_(True))
    )
    published = _exists(
        select(OrderCycle.id).where(OrderCycle.hub_id == hub.id, OrderCycle.published.is_(True))
    )
    points = _exists(
        select(DistributionPoint.id).where(
            DistributionPoint.hub_id == hub.id, DistributionPoint.active.is_(True)
        )
    )
    pay_endpoint = _first_endpoint(PAYMENT_ENDPOINTS)
    pay_values = (
        {"enterprise_id": hub.id} if pay_endpoint.startswith("enterprises.") else {"hub_id": hub.id}
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
            points,
            "hubs.point_new",
            {"hub_id": hub.id},
        ),
        Step(
            "producers",
            _l("Find producers who let you sell their products"),
            producers,
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
            offers,
            "cycles.offers" if first_cycle is not None else "cycles.new",
            on_cycle,
        ),
        Step(
            "publish",
            _l("Publish the cycle"),
            published,
            "cycles.detail" if first_cycle is not None else "cycles.new",
            on_cycle,
        ),
    ]
    return Checklist(hub, "hub", steps)


def producer_checklist(producer: Enterprise) -> Checklist:
    profile = bool(producer.description.strip()) and bool(producer.postcode.strip())
    products = _exists(
        select(Variant.id)
        .join(Product, Product.id == Variant.product_id)
        .where(Product.producer_id == producer.id, Product.active.is_(True))
    )
    hubs = producer.is_hub or _exists(
        select(ProducerHubLink.id).where(
            ProducerHubLink.producer_id == producer.id,
            ProducerHubLink.status == LinkStatus.accepted,
        )
    )
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
            products,
            "products.new",
            {"producer_id": producer.id},
        ),
        Step(
            "hubs",
            _l("Let hubs sell your products"),
            hubs,
            "hubs.producer_links",
            {"producer_id": producer.id},
        ),
    ]
    return Checklist(producer, "producer", steps)


def checklists(enterprise: Enterprise) -> list[Checklist]:
    """The checklists still to finish for the enterprise (none once everything is done)."""
    found = []
    if enterprise.is_hub:
        found.append(hub_checklist(enterprise))
    if enterprise.is_producer:
        found.append(producer_checklist(enterprise))
    return [c for c in found if not c.done]


# --------------------------------------------------------------------------- producer: now


@dataclass(frozen=True)
class ClosingCycle:
    cycle: OrderCycle
    offers: int


@dataclass
class ProducerNow:
    closing_soon: list[ClosingCycle] = field(default_factory=list)
    to_bring: list[producer_services.CycleSummary] = field(default_factory=list)
    low_stock: list[Variant] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.closing_soon or self.to_bring or self.low_stock)


def producer_now(producer: Enterprise, now: datetime) -> ProducerNow:
    """What the producer has to do now (see the module's docstring)."""
    closes = producer_services.effective_close()
    rows = db.session.execute(
        select(OrderCycle, func.count(CycleOffer.id))
        .join(CycleOffer, CycleOffer.cycle_id == OrderCycle.id)
        .options(joinedload(OrderCycle.hub))
        .where(
            CycleOffer.producer_id == producer.id,
            CycleOffer.active.is_(True),
            OrderCycle.published.is_(True),
            OrderCycle.done_at.is_(None),
            OrderCycle.opens_at <= now,
            closes > now,
            closes <= now + CLOSING_SOON,
        )
        .group_by(OrderCycle.id)
        .order_by(closes, OrderCycle.id)
        .limit(LIST_LIMIT)
    ).all()
    closing = [ClosingCycle(cycle, int(count)) for cycle, count in rows]
    page = producer_services.list_cycles(
        producer,
        producer_services.Filters(state=CycleState.closed),
        1,
        now,
    )
    to_bring = [s for s in page.items if s.variants][:LIST_LIMIT]
    to_bring.sort(key=lambda s: (s.cycle.effective_closes_at, s.cycle.id))
    low = list(
        db.session.scalars(
            select(Variant)
            .join(Product, Product.id == Variant.product_id)
            .options(joinedload(Variant.product))
            .where(
                Product.producer_id == producer.id,
                Product.active.is_(True),
                Variant.active.is_(True),
                Variant.on_demand.is_(False),
                Variant.stock <= LOW_STOCK,
            )
            .order_by(Variant.stock, Variant.id)
            .limit(LIST_LIMIT)
        )
    )
    return ProducerNow(closing_soon=closing, to_bring=to_bring, low_stock=low)
