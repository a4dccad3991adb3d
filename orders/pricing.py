"""Prices of order lines and order totals: the only place where they are computed.

- Customer unit price = producer price (``variant.price_cents``, VAT included) + the hub fee,
  whose one rule lives in ``cycles.pricing`` (percent: basis points rounded half up once; fixed:
  that many cents per item). For sold-by-weight variants both are per kg.
- Sold-by-weight lines: estimated total = price per kg × estimated weight (``variant.unit_value``
  in g or kg, per item) × quantity, rounded once per line; the final total uses the packed weight
  (``final_weight_g``), set at packing by the hub or the producer.
- Order totals are the sums of the stored line totals. The VAT contained is computed per line
  (``core.money.vat_included_cents``). The 1 % support commission is inside the price (see
  ``coop.commission``) and never added to the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, has_app_context

from core.money import percent_of, round_cents, vat_included_cents
from cycles import pricing as cycle_pricing
from cycles.models import CycleOffer
from orders.models import Order, OrderLine
from products.models import Variant

GRAMS_PER_KG = Decimal(1000)


def hub_fee_cents(offer: CycleOffer, producer_price_cents: int) -> int:
    """The hub's fee on one unit (or one kg) at this producer price (the rule: cycles.pricing)."""
    return cycle_pricing.hub_fee_cents(offer, producer_price_cents)


def unit_price_cents(offer: CycleOffer, variant: Variant) -> int:
    """What the citizen pays per unit (per kg when sold by weight), VAT and hub fee included."""
    return cycle_pricing.customer_price_cents(offer, variant.price_cents)


def estimated_weight_g(variant: Variant) -> int | None:
    """The estimated weight of one item in grams (sold-by-weight variants only)."""
    if not variant.sold_by_weight:
        return None
    return int(round_cents(variant.quantity_in_base_unit * GRAMS_PER_KG))


@dataclass(frozen=True)
class LinePrice:
    producer_price_cents: int
    hub_fee_cents: int
    unit_price_cents: int
    line_total_cents: int
    #: the hub fee contained in the line total
    line_hub_fee_cents: int
    vat_cents: int


def _weight_amount(per_kg_cents: int, grams: int) -> int:
    return round_cents(Decimal(per_kg_cents) * Decimal(grams) / GRAMS_PER_KG)


def price_line(
    *,
    producer_price_cents: int,
    fee_cents: int,
    quantity: int,
    vat_rate_bp: int,
    sold_by_weight: bool = False,
    weight_g: int | None = None,
) -> LinePrice:
    """Price a line. For sold-by-weight lines ``weight_g`` is the line's total weight."""
    unit = producer_price_cents + fee_cents
    if sold_by_weight:
        grams = int(weight_g or 0)
        total = _weight_amount(unit, grams)
        line_fee = _weight_amount(fee_cents, grams)
    else:
        total = unit * quantity
        line_fee = fee_cents * quantity
    return LinePrice(
        producer_price_cents=producer_price_cents,
        hub_fee_cents=fee_cents,
        unit_price_cents=unit,
        line_total_cents=total,
        line_hub_fee_cents=line_fee,
        vat_cents=vat_included_cents(total, vat_rate_bp),
    )


def price_offer(offer: CycleOffer, variant: Variant, quantity: int) -> LinePrice:
    """Price ``quantity`` items of an offer as it stands in the catalogue now."""
    fee = hub_fee_cents(offer, variant.price_cents)
    per_item_g = estimated_weight_g(variant)
    return price_line(
        producer_price_cents=variant.price_cents,
        fee_cents=fee,
        quantity=quantity,
        vat_rate_bp=variant.product.vat_rate_bp,
        sold_by_weight=variant.sold_by_weight,
        weight_g=per_item_g * quantity if per_item_g is not None else None,
    )


def line_weight_g(line: OrderLine) -> int | None:
    """The weight a sold-by-weight line is charged on: packed if known, else estimated."""
    if not line.sold_by_weight:
        return None
    if line.final_weight_g is not None:
        return line.final_weight_g
    return (line.estimated_weight_g or 0) * line.quantity


def price_order_line(line: OrderLine) -> LinePrice:
    """Re-price a stored line from its own snapshot (catalogue changes do not matter)."""
    return price_line(
        producer_price_cents=line.producer_price_cents,
        fee_cents=line.hub_fee_cents,
        quantity=line.quantity,
        vat_rate_bp=line.vat_rate_bp,
        sold_by_weight=line.sold_by_weight,
        weight_g=line_weight_g(line),
    )


def recompute_totals(order: Order) -> None:
    """Recompute every line total and the order's totals from the stored lines.

    Call it after changing a line's quantity or final weight. It does not flush nor commit,
    and does not touch the commission ledger: the caller calls ``coop.commission.sync_commission``
    under the order lock when the order is paid.
    """
    total = fee = vat = 0
    for line in order.lines:
        price = price_order_line(line)
        line.unit_price_cents = price.unit_price_cents
        line.line_total_cents = price.line_total_cents
        total += price.line_total_cents
        fee += price.line_hub_fee_cents
        vat += price.vat_cents
    order.total_cents = total
    order.hub_fee_cents = fee
    order.vat_cents = vat


@dataclass(frozen=True)
class LineBreakdown:
    """What the review page and the receipt show for one line."""

    producer_cents: int
    hub_fee_cents: int
    commission_cents: int
    vat_cents: int
    total_cents: int

    @property
    def commission_within_fee(self) -> bool:
        """The 1 % fits in the hub fee ("of which"); otherwise it is shown on its own line."""
        return self.commission_cents <= self.hub_fee_cents


def breakdown(line_total_cents: int, line_hub_fee_cents: int, vat_rate_bp: int) -> LineBreakdown:
    """Split a line total into the producer's part, the hub fee and the VAT it contains.

    The commission shown per line is the line's 1 % (informative); the order's commission is
    rounded once on the order total (``commission_for``).
    """
    return LineBreakdown(
        producer_cents=line_total_cents - line_hub_fee_cents,
        hub_fee_cents=line_hub_fee_cents,
        commission_cents=commission_for(line_total_cents),
        vat_cents=vat_included_cents(line_total_cents, vat_rate_bp),
        total_cents=line_total_cents,
    )


@dataclass(frozen=True)
class OrderBreakdown:
    """Who gets what of an order's lines: the producers, the hub (its fees), and of the hub's
    part the cooperative's commission, rounded once on the order total."""

    producers_cents: int
    hub_fee_cents: int
    commission_cents: int
    total_cents: int


def order_breakdown(line_totals: Iterable[int], line_hub_fees: Iterable[int]) -> OrderBreakdown:
    """From each line's total and the hub fee it contains, in cents."""
    total = sum(line_totals)
    fees = sum(line_hub_fees)
    return OrderBreakdown(
        producers_cents=total - fees,
        hub_fee_cents=fees,
        commission_cents=commission_for(total),
        total_cents=total,
    )


def producers_share_cents(prices: Iterable[LinePrice]) -> int:
    """What the producers receive of these lines: their totals less the hub fees they contain."""
    return sum(price.line_total_cents - price.line_hub_fee_cents for price in prices)


def line_hub_fee_cents(line: OrderLine) -> int:
    return price_order_line(line).line_hub_fee_cents


# --------------------------------------------------------------------------- the 1 % commission
# The rule (docs and the transparency page: payments.commission tells it whole): 1 % of the
# price of the products sold, per order, rounded once to the cent, half up. Its ledger is
# payments.commission.

DEFAULT_COMMISSION_BP = 100


def commission_bp() -> int:
    if has_app_context():
        return int(current_app.config.get("COMMISSION_BP", DEFAULT_COMMISSION_BP))
    return DEFAULT_COMMISSION_BP


def commission_for(base_cents: int) -> int:
    """The commission on a base, per order, rounded half up to the cent."""
    return percent_of(max(base_cents, 0), commission_bp())
