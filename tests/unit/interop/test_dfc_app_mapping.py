"""How our models map to DFC values: shelf prices with the VAT rate they include, statuses from
the vocabulary taxonomy, names, descriptions."""

from __future__ import annotations

from decimal import Decimal

from interop import vocabulary
from interop.exports import (
    fulfilment_status,
    order_status,
    payment_status,
    price_node,
    split_name,
    supplied_product_name,
    weighed_price_node,
)
from interop.imports import html_to_text
from orders.models import OrderStatus, PaymentStatus


def test_price_node_is_the_shelf_price_with_the_rate_it_includes():
    node = price_node(350, 550)
    assert (node.cents, node.amount, node.vat_rate) == (350, None, Decimal("5.5"))
    assert node.currency == "dfc-m:Euro"
    assert price_node(1200, 2000).cents == 1200


def test_a_weighed_item_is_priced_at_its_estimated_weight_exactly():
    # 12.90 EUR/kg, about 450 g: 5.805 EUR, and 5.805 / 0.45 gives the price per kg back
    node = weighed_price_node(1290, Decimal("0.45"), 550)
    assert node.amount == Decimal("5.805")
    assert node.cents == 581
    assert node.amount / Decimal("0.45") == Decimal("12.90")
    assert weighed_price_node(1000, Decimal("0.5"), 0).amount is None  # whole cents: 5.00


def test_every_order_status_maps_to_a_dfc_order_status():
    for status in OrderStatus:
        for cycle_open in (True, False):
            assert vocabulary.is_status(order_status(status, cycle_open), "OrderStatus")
        assert vocabulary.is_status(fulfilment_status(status), "FulfilmentStatus")
    for status in PaymentStatus:
        assert vocabulary.is_status(payment_status(status), "PaymentStatus")
    assert order_status(OrderStatus.confirmed, True) == "dfc-v:Held"
    assert order_status(OrderStatus.confirmed, False) == "dfc-v:Complete"
    assert order_status(OrderStatus.pending_payment, True) == "dfc-v:Draft"
    assert order_status(OrderStatus.cancelled, True) == "dfc-v:Cancelled"
    assert fulfilment_status(OrderStatus.collected) == "dfc-v:Fulfilled"
    assert payment_status(PaymentStatus.partially_refunded) == "dfc-v:Paid"
    assert payment_status(PaymentStatus.pending) == "dfc-v:Unpaid"


def test_names():
    assert split_name("Camille Martin Dupont") == ("Camille", "Martin Dupont")
    assert split_name("Camille") == ("Camille", None)
    assert split_name("  ") == (None, None)
    assert supplied_product_name("Tomates", "1 kg") == "Tomates - 1 kg"
    assert supplied_product_name("Tomates", "") == "Tomates"


def test_html_descriptions_become_text():
    text = html_to_text("<p><strong>Think &amp; eat</strong></p>\n<p>Beans<br>Store dry</p>")
    assert text == "Think & eat\nBeans\nStore dry"
    assert html_to_text("Plain text ") == "Plain text"
    assert html_to_text(None) == ""
