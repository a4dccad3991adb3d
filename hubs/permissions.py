"""Who may do what with hubs, distribution points and producer-hub permissions (pure)."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from enterprises.permissions import can_manage_hub, can_manage_producer
from hubs.models import DistributionPoint, LinkSide, LinkStatus, ProducerHubLink

__all__ = [
    "can_manage_hub",
    "can_manage_producer",
    "can_manage_point",
    "can_act_on_link",
    "can_follow",
    "can_view_hub",
]


def can_manage_point(user: Any, point: DistributionPoint) -> bool:
    return can_manage_hub(user, point.hub)


def can_view_hub(user: Any, hub: Enterprise) -> bool:
    return hub.is_hub and (hub.is_active or can_manage_hub(user, hub))


def can_follow(user: Any, hub: Enterprise) -> bool:
    """A logged-in person follows an active hub (unfollowing is always allowed)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and hub.is_hub
        and hub.is_active
    )


def can_act_on_link(user: Any, link: ProducerHubLink, action: str) -> bool:
    """accept/refuse: the side that did not ask; withdraw: the producer, or either side to
    cancel its own pending request."""
    producer_side = can_manage_producer(user, link.producer)
    hub_side = can_manage_hub(user, link.hub)
    if action in ("accept", "refuse"):
        if link.status is not LinkStatus.requested:
            return False
        return producer_side if link.requested_by is LinkSide.hub else hub_side
    if action == "withdraw":
        if link.status is LinkStatus.accepted:
            return producer_side
        if link.status is LinkStatus.requested:
            return producer_side if link.requested_by is LinkSide.producer else hub_side
        return False
    return False
