"""Who may read and write what through the DFC API (and the DFC pages). Pure predicates.

Decisions (documented in docs/dfc.md), as Open Food Network does: every DFC endpoint needs an
API token; what a token may see is what its user may see in the pages.
- An enterprise: any token reads an active enterprise's public card; its managers (and admins)
  also get its VAT number and main contact.
- A producer's catalogue (supplied products, catalogue items, offers): its managers, admins, and
  the managers of the hubs the producer allows to sell its products (an accepted link): a hub
  reads the catalogue of its producers, as OFN hubs do.
- A hub's orders and cycles: the hub's managers and admins.
- A producer's view of a cycle (its own lines only, buyers by name only): the producer's
  managers and admins, for a cycle of a hub the producer sells through.
- A person: that person, admins, and the managers of a hub the person ordered from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from core.db import db
from cycles.models import CycleOffer, OrderCycle
from enterprises.models import Enterprise
from enterprises.permissions import (
    can_manage_enterprise,
    can_manage_hub,
    can_manage_producer,
    is_admin,
    managed_enterprise_ids,
)
from hubs.models import LinkStatus, ProducerHubLink
from orders.models import Order


def can_read_enterprise(user: Any, enterprise: Enterprise) -> bool:
    return enterprise.is_active or can_manage_enterprise(user, enterprise)


def can_read_private_enterprise(user: Any, enterprise: Enterprise) -> bool:
    return can_manage_enterprise(user, enterprise)


def can_read_catalogue(user: Any, producer: Enterprise) -> bool:
    if not producer.is_producer:
        return False
    if can_manage_producer(user, producer):
        return True
    hubs = managed_enterprise_ids(user)
    if not hubs or not producer.is_active:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ProducerHubLink.producer_id == producer.id,
                    ProducerHubLink.hub_id.in_(hubs),
                    ProducerHubLink.status == LinkStatus.accepted,
                )
            )
        )
    )


def can_import_catalogue(user: Any, producer: Enterprise) -> bool:
    """Only the producer's managers (and admins) write its catalogue."""
    return can_manage_producer(user, producer)


def can_read_hub_orders(user: Any, hub: Enterprise) -> bool:
    return can_manage_hub(user, hub)


def producer_sells_in(producer: Enterprise, cycle: OrderCycle) -> bool:
    """The producer has offers or order lines in the cycle."""
    offered = exists().where(CycleOffer.cycle_id == cycle.id, CycleOffer.producer_id == producer.id)
    return bool(db.session.scalar(select(offered)))


def can_manage_producer_of(user: Any, producer: Enterprise) -> bool:
    return can_manage_producer(user, producer)


def can_read_producer_orders(user: Any, producer: Enterprise, cycle: OrderCycle) -> bool:
    return can_manage_producer(user, producer) and (
        is_admin(user) or producer_sells_in(producer, cycle)
    )


def can_read_person(user: Any, person: Any) -> bool:
    """The person, admins, and the managers of a hub the person ordered from (they see the
    buyer's name and e-mail on the order anyway)."""
    if is_admin(user) or (user is not None and getattr(user, "id", None) == person.id):
        return True
    hubs = managed_enterprise_ids(user)
    if not hubs:
        return False
    ordered = exists().where(Order.customer_id == person.id, Order.hub_id.in_(hubs))
    return bool(db.session.scalar(select(ordered)))


# -- orders other platforms send to a producer (interop.received) ------------------------------


def can_send_order(user: Any, producer: Enterprise) -> bool:
    """Whoever reads an active producer's catalogue may order from it: its managers, admins,
    the managers of the hubs it sells through (an OFN hub's account, by its API or OIDC
    token)."""
    return producer.is_active and can_read_catalogue(user, producer)


def can_read_received_order(user: Any, order: Any) -> bool:
    """The account that sent it, the producer's managers, admins."""
    sent = user is not None and getattr(user, "id", None) == order.sender_user_id
    return sent or can_manage_producer(user, order.producer)


def can_change_received_order(user: Any, order: Any) -> bool:
    """Only the sender changes its order through the API (the producer cancels or marks it
    delivered on its page)."""
    return user is not None and getattr(user, "id", None) == order.sender_user_id


def can_manage_received_order(user: Any, order: Any) -> bool:
    return can_manage_producer(user, order.producer)


def can_manage_webhooks(user: Any, enterprise: Enterprise) -> bool:
    """An enterprise's webhooks: its managers and admins (platform-wide ones: the CLI)."""
    return can_manage_enterprise(user, enterprise)
