"""Who may see and do what with an order cycle (pure predicates)."""

from __future__ import annotations

from datetime import datetime

from cycles.models import CycleState, OrderCycle


def shop_is_public(cycle: OrderCycle) -> bool:
    """Citizens see the cycle's shop: it is published and its hub is shown on the site.

    The HTML shop and the API answer 404 otherwise, and ``cycles.services.require_open`` (the
    rule "may one order in this cycle now", which every cart change and checkout calls under
    its locks) refuses it too, so no path places an order in a hidden shop.
    """
    return cycle.published and cycle.hub.is_active


def cycle_actions(cycle: OrderCycle, now: datetime) -> frozenset[str]:
    """The actions the cycle's page offers its managers now (its buttons ask this, they do not
    re-derive the rule): ``publish``, ``unpublish``, ``close``, ``done``, ``duplicate``,
    ``delete``. The services check their own rule again when the action is posted."""
    state = cycle.state_at(now)
    actions = {"duplicate"}
    if state is CycleState.draft:
        actions.add("publish")
        if cycle.orders_count == 0:
            actions.add("delete")
    if state is CycleState.upcoming or (state is CycleState.open and cycle.orders_count == 0):
        actions.add("unpublish")
    if state is CycleState.open:
        actions.add("close")
    if state is CycleState.closed:
        actions.add("done")
    return frozenset(actions)
