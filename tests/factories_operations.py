"""Back-office test helpers: a hub with a manager, orders placed through the service."""

from __future__ import annotations

from core.timeutils import utcnow
from orders import services as order_services
from orders.models import Order, PaymentMethod
from tests.factories import MembershipFactory, UserFactory
from tests.factories_orders import Shop, make_shop


def place(
    shop: Shop,
    items: list[tuple[int, int]],
    *,
    customer=None,
    method: PaymentMethod = PaymentMethod.at_pickup,
    key: str | None = None,
    **kwargs,
) -> Order:
    """An order placed through ``orders.services.place_order`` (stock held as in real life)."""
    return order_services.place_order(
        cycle=shop.cycle,
        customer=customer if customer is not None else UserFactory(),
        items=items,
        pickup_window_id=shop.window.id,
        pickup_slot_id=shop.slot.id if shop.slot else None,
        payment_method=method,
        idempotency_key=key,
        terms_accepted=True,
        now=utcnow(),
        **kwargs,
    )


def shop_with_manager(**kwargs) -> tuple[Shop, object]:
    """``make_shop`` plus a user managing its hub."""
    shop = make_shop(**kwargs)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=shop.hub)
    return shop, manager


def weighed_offer(shop: Shop, *, per_kg_cents: int = 1200, item_g: int = 500):
    """Add a sold-by-weight offer (``item_g`` grams per item, ``per_kg_cents`` per kg) to a shop."""
    from decimal import Decimal

    from cycles.models import FeeKind
    from products.models import Unit
    from tests.factories import CycleOfferFactory, ProducerFactory, ProductFactory, VariantFactory

    product = ProductFactory(producer=ProducerFactory(), name="Tomates anciennes")
    variant = VariantFactory(
        product=product,
        name="barquette",
        unit=Unit.g,
        unit_value=Decimal(item_g),
        price_cents=per_kg_cents,
        sold_by_weight=True,
        stock=50,
    )
    return CycleOfferFactory(
        cycle=shop.cycle,
        variant=variant,
        hub_fee_kind=FeeKind.percent,
        hub_fee_value=1000,
    )


def paid_card_order(client, shop: Shop, items: list[tuple[int, int]], *, key: str) -> Order:
    """A card order paid through localstripe and a signed ``payment_intent.succeeded`` webhook
    (needs the ``stripe_app`` fixture)."""
    from core.db import db
    from payments import services as payment_services
    from payments import stripe_api
    from tests.factories_payments import event_for, sign

    order = place(shop, items, method=PaymentMethod.card, key=key)
    payment = payment_services.start_card_payment(order)
    pm = stripe_api.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    payment_services.confirm_card_payment(order, pm.id)
    intent = stripe_api.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    payload = event_for(intent, "payment_intent.succeeded", f"evt_{key}")
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={
            "Stripe-Signature": sign(payload, "whsec_test_comptoir"),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.refresh(order)
    return order
