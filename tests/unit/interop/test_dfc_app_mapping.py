"""How our models map to DFC values: prices without VAT that come back exactly, statuses from
the vocabulary taxonomy, names, descriptions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from interop import vocabulary
from interop.exports import (
    cents_including_vat,
    fulfilment_status,
    order_status,
    payment_status,
    price_excluding_vat,
    price_node,
    split_name,
    supplied_product_name,
)
from interop.imports import html_to_text
from orders.models import OrderStatus, PaymentStatus
from products.models import VAT_RATES_BP


@pytest.mark.parametrize("vat_rate_bp", VAT_RATES_BP)
def test_price_without_vat_comes_back_to_the_same_cents(vat_rate_bp):
    percent = Decimal(vat_rate_bp) / 100
    for cents in range(0, 30_001):
        amount = price_excluding_vat(cents, vat_rate_bp)
        assert amount == amount.quantize(Decimal("0.0001"))
        assert cents_including_vat(amount, percent) == cents, (cents, vat_rate_bp, amount)


def test_price_node_values():
    node = price_node(350, 550)
    assert node.amount == Decimal("3.3175")
    assert node.cents == 332
    assert node.vat_rate == Decimal("5.5")
    assert node.currency == "dfc-m:Euro"
    assert price_node(1200, 2000).amount == Decimal(10)


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
