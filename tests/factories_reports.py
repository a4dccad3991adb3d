"""A small cycle whose report figures are computed by hand in tests/integration/operations.

Hub "La Grange" (fee 10 % on bread and cheese, a fixed 0,50 € on eggs), two producers:
- Ferme Alpha: Pain – 500 g, 4,00 € (+0,40 € fee = 4,40 €)
- Ferme Beta: Oeufs – boîte de 6, 3,00 € (+0,50 € fee = 3,50 €); Fromage – à la coupe, sold by
  weight, 20,00 €/kg (+2,00 €/kg fee = 22,00 €/kg), 250 g estimated per item.
Orders (window 1 earlier than window 2):
- Alice (window 1, slot 09:00): 2 Pain 8,80 € + 1 Oeufs 3,50 € = 12,30 € (fee 1,30 €), paid by
  card 12,30 €, partly refunded 2,00 €; commission 1 % of 10,30 € = 0,10 € (ledger +0,12 −0,02).
- Bob (window 2, pay at pickup, unpaid): 2 Fromage packed at 600 g = 13,20 € (fee 1,20 €)
  + 1 Pain 4,40 € (fee 0,40 €) = 17,60 €; no commission yet.
- Chloé (window 1, no slot): 1 Oeufs 3,50 € (fee 0,50 €), paid in cash; commission 0,04 €.
- Denis: cancelled (5 Pain); Émile: waiting for his card payment (1 Oeufs). Neither counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from coop.models import CommissionEntry, CommissionKind
from core.db import db
from cycles.models import FeeKind
from enterprises.models import Enterprise, MembershipRole
from orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from payments.models import Payment, PaymentState, Refund, RefundKind
from tests.factories import (
    CycleOfferFactory,
    DistributionPointFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    PickupSlotFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)


@dataclass
class ReportCycle:
    hub: Enterprise
    cycle_id: int
    manager: object
    orders: dict[str, Order]


def _payment(order: Order, method: str, cents: int, provider: str = "manual") -> Payment:
    payment = Payment(
        order_id=order.id,
        provider=provider,
        method=method,
        idempotency_key=f"pay-{order.number}-{method}",
        amount_cents=cents,
        state=PaymentState.succeeded,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _commission(order: Order, kind: CommissionKind, base: int, amount: int, via: str) -> None:
    db.session.add(
        CommissionEntry(
            hub_id=order.hub_id,
            order_id=order.id,
            kind=kind,
            base_cents=base,
            amount_cents=amount,
            collected_via=via,
        )
    )


def make_report_cycle() -> ReportCycle:
    hub = HubFactory(name="La Grange")
    manager = UserFactory(full_name="Gérante Grange")
    MembershipFactory(user=manager, enterprise=hub, role=MembershipRole.manager)
    cycle = OrderCycleFactory(hub=hub, name="Semaine du 30 novembre")
    first = PickupWindowFactory(
        cycle=cycle,
        distribution_point=DistributionPointFactory(hub=hub, name="Halle"),
        starts_at=datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 11, 0, tzinfo=UTC),
    )
    second = PickupWindowFactory(
        cycle=cycle,
        distribution_point=DistributionPointFactory(hub=hub, name="Mairie"),
        starts_at=datetime(2026, 12, 5, 16, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 18, 0, tzinfo=UTC),
    )
    slot = PickupSlotFactory(
        window=first,
        starts_at=datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 8, 30, tzinfo=UTC),
    )
    alpha, beta = ProducerFactory(name="Ferme Alpha"), ProducerFactory(name="Ferme Beta")
    bread = CycleOfferFactory(
        cycle=cycle,
        variant=VariantFactory(
            product=ProductFactory(producer=alpha, name="Pain"), name="500 g", price_cents=400
        ),
        hub_fee_kind=FeeKind.percent,
        hub_fee_value=1000,
    )
    eggs = CycleOfferFactory(
        cycle=cycle,
        variant=VariantFactory(
            product=ProductFactory(producer=beta, name="Oeufs"),
            name="boîte de 6",
            price_cents=300,
        ),
        hub_fee_kind=FeeKind.fixed,
        hub_fee_value=50,
    )
    cheese = CycleOfferFactory(
        cycle=cycle,
        variant=VariantFactory(
            product=ProductFactory(producer=beta, name="Fromage"),
            name="à la coupe",
            price_cents=2000,
            sold_by_weight=True,
        ),
        hub_fee_kind=FeeKind.percent,
        hub_fee_value=1000,
    )

    def order(name: str, window, **kwargs) -> Order:
        return OrderFactory(
            cycle=cycle,
            customer=UserFactory(full_name=name),
            pickup_window=window,
            **kwargs,
        )

    alice = order(
        "Alice Arnaud",
        first,
        pickup_slot_id=slot.id,
        number="T-A",
        payment_method=PaymentMethod.card,
        payment_status=PaymentStatus.partially_refunded,
    )
    OrderLineFactory(order=alice, offer=bread, quantity=2)
    OrderLineFactory(order=alice, offer=eggs, quantity=1)
    bob = order("Bob Bernard", second, number="T-B")
    OrderLineFactory(
        order=bob,
        offer=cheese,
        quantity=2,
        hub_fee_cents=200,
        sold_by_weight=True,
        estimated_weight_g=250,
        final_weight_g=600,
        line_total_cents=1320,
    )
    OrderLineFactory(order=bob, offer=bread, quantity=1)
    chloe = order("Chloé Colin", first, number="T-C", payment_status=PaymentStatus.paid)
    OrderLineFactory(order=chloe, offer=eggs, quantity=1)
    denis = order(
        "Denis Dupont",
        first,
        number="T-D",
        status=OrderStatus.cancelled,
        cancelled_at=cycle.opens_at,
    )
    OrderLineFactory(order=denis, offer=bread, quantity=5)
    emile = order(
        "Émile Étienne",
        second,
        number="T-E",
        status=OrderStatus.pending_payment,
        payment_method=PaymentMethod.card,
    )
    OrderLineFactory(order=emile, offer=eggs, quantity=1)
    db.session.flush()

    # totals as orders.pricing would store them (the weight line's fee is per kg)
    alice.total_cents, alice.hub_fee_cents = 1230, 130
    bob.total_cents, bob.hub_fee_cents = 1760, 160
    chloe.total_cents, chloe.hub_fee_cents = 350, 50
    card = _payment(alice, "card", 1230, provider="stripe")
    db.session.add(
        Refund(
            payment_id=card.id,
            order_id=alice.id,
            amount_cents=200,
            idempotency_key="refund-T-A",
            reason="Oeufs cassés",
            kind=RefundKind.goodwill,
        )
    )
    card.refunded_cents = 200
    alice.refunded_cents = 200
    alice.commission_cents = 10
    _commission(alice, CommissionKind.charge, 1230, 12, "application_fee")
    _commission(alice, CommissionKind.reversal, -200, -2, "application_fee")
    _payment(chloe, "cash", 350)
    chloe.commission_cents = 4
    _commission(chloe, CommissionKind.charge, 350, 4, "statement")
    # the cancelled order had been paid and was refunded in full: it must not appear anywhere
    denis_card = _payment(denis, "card", 2200, provider="stripe")
    db.session.add(
        Refund(
            payment_id=denis_card.id,
            order_id=denis.id,
            amount_cents=2200,
            idempotency_key="refund-T-D",
            reason="annulée",
            kind=RefundKind.cancellation,
        )
    )
    db.session.flush()
    return ReportCycle(
        hub=hub,
        cycle_id=cycle.id,
        manager=manager,
        orders={"alice": alice, "bob": bob, "chloe": chloe, "denis": denis, "emile": emile},
    )
