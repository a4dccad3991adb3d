"""Shared helpers of the interop tests: fixture documents and a sample hub export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from interop import nodes as n

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dfc"
EXAMPLES = sorted(p for p in FIXTURES.glob("*.json"))
HUB = "https://hub.example/api/dfc/"


def example(prefix: str) -> dict[str, Any]:
    (path,) = [p for p in EXAMPLES if p.name.startswith(prefix + "_")]
    return json.loads(path.read_text(encoding="utf-8"))


def catalogue_nodes() -> list[Any]:
    """A producer with two products: one with limited stock, one on demand."""
    producer = HUB + "enterprises/1"
    return [
        n.EnterpriseNode(
            id=producer,
            name="Ferme des Tilleuls",
            description="Maraîchage bio",
            email="contact@tilleuls.example",
            phone="+33 6 00 00 00 00",
            address_ids=[HUB + "addresses/1"],
            main_contact_id=producer + "#mainContact",
            supplied_product_ids=[HUB + "supplied_products/10", HUB + "supplied_products/11"],
            catalog_item_ids=[HUB + "catalog_items/10", HUB + "catalog_items/11"],
        ),
        n.PersonNode(id=producer + "#mainContact", first_name="Anne", family_name="Martin"),
        n.AddressNode(
            id=HUB + "addresses/1",
            street="3 chemin des Vignes",
            postal_code="69001",
            city="Lyon",
            country="FRA",
            latitude=Decimal("45.76"),
            longitude=Decimal("4.83"),
        ),
        n.SuppliedProductNode(
            id=HUB + "supplied_products/10",
            name="Tomates anciennes",
            description="Cagette de 500 g",
            product_type="dfc-pt:hierloom-tomato",
            quantity=n.QuantityNode(value=Decimal("500"), unit="g"),
            labels=["dfc-f:Organic-AB", "dfc-f:Vegan"],
            catalog_item_ids=[HUB + "catalog_items/10"],
        ),
        n.CatalogItemNode(
            id=HUB + "catalog_items/10",
            product_id=HUB + "supplied_products/10",
            sku="TOM-500",
            stock_limitation=12,
            offer_ids=[HUB + "offers/10"],
            managed_by=producer,
        ),
        n.OfferNode(
            id=HUB + "offers/10",
            item_id=HUB + "supplied_products/10",
            price=n.PriceNode(cents=332, vat_rate=Decimal("5.5")),
        ),
        n.SuppliedProductNode(
            id=HUB + "supplied_products/11",
            name="Jus de pomme",
            product_type="dfc-pt:fruit-juice",
            quantity=n.QuantityNode(value=Decimal("1"), unit="l"),
            catalog_item_ids=[HUB + "catalog_items/11"],
        ),
        n.CatalogItemNode(
            id=HUB + "catalog_items/11",
            product_id=HUB + "supplied_products/11",
            sku="JUS-1L",
            stock_limitation=None,
            offer_ids=[HUB + "offers/11"],
            managed_by=producer,
        ),
        n.OfferNode(
            id=HUB + "offers/11",
            item_id=HUB + "supplied_products/11",
            price=n.PriceNode(cents=395, vat_rate=Decimal("20")),
        ),
    ]


def order_nodes(order_no: int = 1, lines: int = 2) -> list[Any]:
    """A customer order with its lines, offers, products, sale session and pickup option."""
    order = f"{HUB}orders/{order_no}"
    session = HUB + "sale_sessions/3"
    records: list[Any] = [
        n.OrderNode(
            id=order,
            number=f"C-{order_no:05d}",
            created_at=datetime(2026, 3, 3, 17, 30, tzinfo=UTC),
            ordered_by=HUB + "persons/7",
            sold_by=HUB + "enterprises/2",
            sale_session_id=session,
            line_ids=[f"{order}/lines/{i}" for i in range(1, lines + 1)],
            order_status="dfc-v:Complete",
            payment_status="dfc-v:Paid",
            fulfilment_status="dfc-v:Unfulfilled",
            pickup_option_id=HUB + "pickup_options/4",
        ),
        n.PersonNode(id=HUB + "persons/7", first_name="Léa", family_name="Durand"),
    ]
    for i in range(1, lines + 1):
        offer, product = f"{HUB}offers/{i}", f"{HUB}supplied_products/{i}"
        records += [
            n.OrderLineNode(
                id=f"{order}/lines/{i}",
                quantity=Decimal(i),
                offer_id=offer,
                unit_price=n.PriceNode(cents=250 * i, vat_rate=Decimal("5.5")),
                order_id=order,
            ),
            n.OfferNode(id=offer, item_id=product, price=n.PriceNode(cents=250 * i)),
            n.SuppliedProductNode(
                id=product,
                name=f"Produit {i}",
                quantity=n.QuantityNode(value=Decimal("1"), unit="kg"),
            ),
        ]
    records += [
        n.SaleSessionNode(
            id=session,
            begin_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
            end_at=datetime(2026, 3, 4, 19, 0, tzinfo=UTC),
        ),
        n.PickupOptionNode(
            id=HUB + "pickup_options/4",
            name="Mardi 18h-19h",
            place_id=HUB + "places/4",
            sale_session_id=session,
        ),
        n.PhysicalPlaceNode(
            id=HUB + "places/4", name="Salle des fêtes", address_id=HUB + "addresses/4"
        ),
        n.AddressNode(id=HUB + "addresses/4", street="Place de la Mairie", postal_code="69002"),
    ]
    return records
