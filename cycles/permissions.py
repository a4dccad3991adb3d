"""Who may see and do what with an order cycle (pure predicates)."""

from __future__ import annotations

from cycles.models import OrderCycle


def shop_is_public(cycle: OrderCycle) -> bool:
    """Citizens see the cycle's shop: it is published and its hub is shown on the site.

    The HTML shop and the API answer 404 otherwise, and ``cycles.services.require_open`` (the
    rule "may one order in this cycle now", which every cart change and checkout calls under
    its locks) refuses it too, so no path places an order in a hidden shop.
    """
    return cycle.published and cycle.hub.is_active
