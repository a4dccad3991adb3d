"""What real consumers enforce on orders (WIRE-FORMAT §5.2 item 6), checked before we send.

The FDC Shopify producer app refuses an order graph unless it has exactly one ``dfc-b:Order``,
as many ``hasPart`` links as ``dfc-b:OrderLine`` nodes, exactly one ``dfc-b:SaleSession`` (on
create), and every line's ``concerns`` Offer in the graph with an ``offeredItem`` (whose last
path segment it reads as its variant id). OWL cardinalities are not enforced by anyone, so we
do not check them.
"""

from __future__ import annotations

from interop.errors import DfcError
from interop.graph import Graph

B = "dfc-b:"


def check_fdc_order(graph: Graph, *, creating: bool = True) -> list[DfcError]:
    """Every rule of the FDC producer app that ``graph`` breaks (empty list: it would accept)."""
    problems: list[DfcError] = []
    orders = graph.by_type(B + "Order")
    if len(orders) != 1:
        problems.append(DfcError("invalid_value", f"{len(orders)} Order nodes, expected 1"))
        return problems
    order = orders[0]
    lines = graph.by_type(B + "OrderLine")
    parts = order.refs(B + "hasPart")
    if len(parts) != len(lines) or set(parts) != {line.id for line in lines}:
        problems.append(
            DfcError(
                "invalid_value",
                f"{len(parts)} hasPart links for {len(lines)} OrderLine nodes",
                order.id,
            )
        )
    sessions = graph.by_type(B + "SaleSession")
    if creating and len(sessions) != 1:
        message = f"{len(sessions)} SaleSession nodes, expected 1"
        problems.append(DfcError("invalid_value", message, order.id))
    for line in lines:
        offers = [o for o in graph.linked(line, B + "concerns") if B + "Offer" in o.types]
        if not offers:
            problems.append(DfcError("missing_field", "concerns no Offer of the graph", line.id))
        elif not offers[0].refs(B + "offeredItem"):
            problems.append(DfcError("missing_field", "its Offer has no offeredItem", offers[0].id))
    return problems
