"""factory_boy factories on the current ``db.session`` (looked up lazily: tests swap it)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from accounts.models import User
from accounts.passwords import hash_password
from core.db import db
from core.timeutils import utcnow
from cycles.models import CycleOffer, FeeKind, OrderCycle, PickupSlot, PickupWindow
from enterprises.models import Enterprise, Membership, MembershipRole
from hubs.models import DistributionPoint, LinkSide, LinkStatus, ProducerHubLink
from orders.models import Order, OrderLine, OrderStatus, PaymentMethod, PaymentStatus
from products.models import Product, Unit, Variant
from tests.clock import local_at

PASSWORD = "correct horse battery"  # noqa: S105 - test accounts only
_PASSWORD_HASH = hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Camille Martin {n}")
    password_hash = _PASSWORD_HASH
    locale = "fr"
    email_confirmed_at = factory.LazyFunction(utcnow)


class EnterpriseFactory(Base):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"Ferme {n}")
    slug = factory.Sequence(lambda n: f"ferme-{n}")
    is_producer = True
    is_hub = False
    address = "1 rue de la Mairie"
    postcode = "35000"
    city = "Rennes"
    department = "35"
    latitude = Decimal("48.111500")
    longitude = Decimal("-1.680000")
    contact_email = factory.Sequence(lambda n: f"contact{n}@ferme.example")


class ProducerFactory(EnterpriseFactory):
    is_producer = True
    is_hub = False


class HubFactory(EnterpriseFactory):
    name = factory.Sequence(lambda n: f"Tiers-lieu {n}")
    slug = factory.Sequence(lambda n: f"tiers-lieu-{n}")
    is_producer = False
    is_hub = True


class MembershipFactory(Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = MembershipRole.owner


class ProductFactory(Base):
    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Tomates {n}")
    product_type = "dfc-pt:tomato"
    vat_rate_bp = 550


class VariantFactory(Base):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    producer_id = factory.LazyAttribute(lambda o: o.product.producer_id or o.product.producer.id)
    name = "1 kg"
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    unit = Unit.kg
    unit_value = Decimal("1")
    price_cents = 450
    stock = 100


class DistributionPointFactory(Base):
    class Meta:
        model = DistributionPoint

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Point de retrait {n}")
    address = "2 place de l'Église"
    postcode = "35000"
    city = "Rennes"


class ProducerHubLinkFactory(Base):
    class Meta:
        model = ProducerHubLink

    producer = factory.SubFactory(ProducerFactory)
    hub = factory.SubFactory(HubFactory)
    status = LinkStatus.accepted
    requested_by = LinkSide.hub
    decided_at = factory.LazyFunction(utcnow)


class OrderCycleFactory(Base):
    """An open, published cycle: opened a day ago, closing at noon (Paris) in two days.

    Built from one ``now`` (a parameter, the current time by default); the close is at a fixed
    wall-clock time, so what follows it (the pickup the next day, the reminders the evening
    before) does not depend on the time of day the test runs at (see ``tests/clock.py``).
    """

    class Meta:
        model = OrderCycle

    class Params:
        now = factory.LazyFunction(utcnow)

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Semaine {n}")
    opens_at = factory.LazyAttribute(lambda o: o.now - timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: local_at(2, "12:00", now=o.now))
    published = True


class PickupWindowFactory(Base):
    class Meta:
        model = PickupWindow

    cycle = factory.SubFactory(OrderCycleFactory)
    distribution_point = factory.SubFactory(
        DistributionPointFactory, hub=factory.SelfAttribute("..cycle.hub")
    )
    # the day after the close, 17:00-19:00 Paris time
    starts_at = factory.LazyAttribute(lambda o: local_at(1, "17:00", now=o.cycle.closes_at))
    ends_at = factory.LazyAttribute(lambda o: local_at(1, "19:00", now=o.cycle.closes_at))


class PickupSlotFactory(Base):
    class Meta:
        model = PickupSlot

    window = factory.SubFactory(PickupWindowFactory)
    starts_at = factory.LazyAttribute(lambda o: o.window.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.window.starts_at + timedelta(minutes=30))
    capacity = 10


class CycleOfferFactory(Base):
    class Meta:
        model = CycleOffer

    cycle = factory.SubFactory(OrderCycleFactory)
    variant = factory.SubFactory(VariantFactory)
    producer_id = factory.LazyAttribute(lambda o: o.variant.producer_id)
    stock_cap = None
    remaining = factory.LazyAttribute(lambda o: o.stock_cap)
    hub_fee_kind = FeeKind.percent
    hub_fee_value = 1000


class OrderFactory(Base):
    """A confirmed pay-at-pickup order; add lines with OrderLineFactory(order=...)."""

    class Meta:
        model = Order

    cycle = factory.SubFactory(OrderCycleFactory)
    hub_id = factory.LazyAttribute(lambda o: o.cycle.hub_id or o.cycle.hub.id)
    customer = factory.SubFactory(UserFactory)
    customer_name = factory.LazyAttribute(lambda o: o.customer.full_name if o.customer else "")
    customer_email = factory.LazyAttribute(lambda o: o.customer.email if o.customer else "")
    pickup_window = factory.SubFactory(PickupWindowFactory, cycle=factory.SelfAttribute("..cycle"))
    number = factory.Sequence(lambda n: f"T-{n:06d}")
    status = OrderStatus.confirmed
    payment_method = PaymentMethod.at_pickup
    payment_status = PaymentStatus.unpaid
    total_cents = 0


class OrderLineFactory(Base):
    """A line priced from its offer (hub fee included); updates the order's total."""

    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    offer = factory.SubFactory(CycleOfferFactory, cycle=factory.SelfAttribute("..order.cycle"))
    variant_id = factory.LazyAttribute(lambda o: o.offer.variant_id or o.offer.variant.id)
    producer_id = factory.LazyAttribute(lambda o: o.offer.producer_id)
    product_name = factory.LazyAttribute(lambda o: o.offer.variant.product.name)
    variant_name = factory.LazyAttribute(lambda o: o.offer.variant.name)
    sku = factory.LazyAttribute(lambda o: o.offer.variant.sku)
    quantity = 1
    producer_price_cents = factory.LazyAttribute(lambda o: o.offer.variant.price_cents)
    hub_fee_cents = factory.LazyAttribute(
        lambda o: (
            (o.producer_price_cents * o.offer.hub_fee_value + 5000) // 10000
            if o.offer.hub_fee_kind == FeeKind.percent
            else o.offer.hub_fee_value
        )
    )
    unit_price_cents = factory.LazyAttribute(lambda o: o.producer_price_cents + o.hub_fee_cents)
    vat_rate_bp = factory.LazyAttribute(lambda o: o.offer.variant.product.vat_rate_bp)
    line_total_cents = factory.LazyAttribute(lambda o: o.unit_price_cents * o.quantity)

    @factory.post_generation
    def add_to_total(obj, create, extracted, **kwargs):  # noqa: N805
        obj.order.total_cents += obj.line_total_cents
        obj.order.hub_fee_cents += obj.hub_fee_cents * obj.quantity
