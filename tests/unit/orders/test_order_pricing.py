from decimal import Decimal

from cycles.models import CycleOffer, FeeKind
from orders import pricing
from orders.models import Order, OrderLine


def _offer(kind=FeeKind.percent, value=1000):
    return CycleOffer(hub_fee_kind=kind, hub_fee_value=value)


def test_percent_hub_fee_rounds_half_up():
    # 10 % of 4.45 EUR = 44.5 cents -> 45 cents
    assert pricing.hub_fee_cents(_offer(FeeKind.percent, 1000), 445) == 45
    assert pricing.hub_fee_cents(_offer(FeeKind.percent, 1000), 444) == 44


def test_fixed_hub_fee_is_per_item():
    assert pricing.hub_fee_cents(_offer(FeeKind.fixed, 30), 999) == 30


def test_unit_line_total_is_unit_price_times_quantity_with_vat_inside():
    price = pricing.price_line(producer_price_cents=450, fee_cents=45, quantity=3, vat_rate_bp=550)
    assert price.unit_price_cents == 495
    assert price.line_total_cents == 1485
    assert price.line_hub_fee_cents == 135
    # VAT contained in 14.85 at 5.5 %: 14.85 - 14.85/1.055 = 0.774 -> 0.77
    assert price.vat_cents == 77


def test_weight_line_is_rounded_once_on_the_line():
    # 12.99 EUR/kg (incl. fee), 3 items of 333 g: 12.99 * 0.999 = 12.97701 -> 12.98
    price = pricing.price_line(
        producer_price_cents=1299,
        fee_cents=0,
        quantity=3,
        vat_rate_bp=550,
        sold_by_weight=True,
        weight_g=999,
    )
    assert price.line_total_cents == 1298


def test_recompute_totals_uses_final_weight_when_packed():
    order = Order()
    line = OrderLine(
        quantity=2,
        producer_price_cents=2000,
        hub_fee_cents=200,
        unit_price_cents=0,
        vat_rate_bp=550,
        sold_by_weight=True,
        estimated_weight_g=500,
        line_total_cents=0,
    )
    plain = OrderLine(
        quantity=2,
        producer_price_cents=300,
        hub_fee_cents=30,
        unit_price_cents=0,
        vat_rate_bp=2000,
        sold_by_weight=False,
        line_total_cents=0,
    )
    order.lines = [line, plain]
    pricing.recompute_totals(order)
    assert line.line_total_cents == 2200  # 22.00/kg x 1 kg estimated
    assert order.total_cents == 2200 + 660
    line.final_weight_g = 1130
    pricing.recompute_totals(order)
    assert line.line_total_cents == 2486  # 22.00 x 1.13
    assert order.total_cents == 2486 + 660
    assert order.hub_fee_cents == 226 + 60  # 2.00 x 1.13 = 2.26 ; 0.30 x 2
    assert order.vat_cents == pricing.price_order_line(line).vat_cents + 110


def test_breakdown_splits_line_into_producer_fee_commission_vat():
    b = pricing.breakdown(1485, 135, 550)
    assert b.producer_cents == 1350
    assert b.hub_fee_cents == 135
    assert b.commission_cents == 15  # 1 % of 14.85 = 0.1485 -> 0.15
    assert b.total_cents == 1485


def test_estimated_weight_from_variant_units():
    from products.models import Unit, Variant

    assert (
        pricing.estimated_weight_g(
            Variant(sold_by_weight=True, unit=Unit.g, unit_value=Decimal("350"))
        )
        == 350
    )
    assert (
        pricing.estimated_weight_g(
            Variant(sold_by_weight=True, unit=Unit.kg, unit_value=Decimal("1.2"))
        )
        == 1200
    )
    assert (
        pricing.estimated_weight_g(
            Variant(sold_by_weight=False, unit=Unit.kg, unit_value=Decimal("1"))
        )
        is None
    )
