"""What the DFC layer keeps of its own: orders received from other platforms, the accounts that
OpenID Connect subjects map to, and outbound webhooks (subscriptions and their deliveries)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow

if TYPE_CHECKING:
    from accounts.models import User
    from enterprises.models import Enterprise


class ReceivedStatus(StrEnum):
    """A received order's state, as DFC's order states (``dfc-v:Held`` ...). Stored names."""

    #: the sender may still change it (``dfc-v:Held``; ``Draft`` is read as held)
    held = "held"
    #: the sender finalised it (``dfc-v:Complete``): no more changes from the sender
    complete = "complete"
    #: cancelled by the sender or the producer: the stock was given back
    cancelled = "cancelled"


class FulfilmentState(StrEnum):
    """DFC's fulfilment states. Stored names."""

    unfulfilled = "unfulfilled"
    fulfilled = "fulfilled"
    cancelled = "cancelled"


class ReceivedOrder(Model):
    """An order another platform sent for a producer's products (an OFN hub's backorder).

    Its stock is taken from the variants under checkout's locks (``orders.stock``); prices are
    the producer's own at the time the line was written, never the sender's.
    """

    __tablename__ = "dfc_received_orders"
    __table_args__ = (
        CheckConstraint("total_cents >= 0", name="total_not_negative"),
        Index("ix_dfc_received_orders_producer_created", "producer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    #: who sent it: the platform's name (OIDC client) or the API token's name
    platform: Mapped[str] = mapped_column(String(120), default="")
    #: the account whose token sent it (kept after the account is gone: the producer's record)
    sender_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: ``dfc-b:orderedBy``: the buyer as the sender names it (an OFN enterprise URL)
    ordered_by: Mapped[str] = mapped_column(String(500), default="")
    #: the Order ``@id`` the sender gave (ours for an OFN-style POST to the collection)
    sender_order_id: Mapped[str] = mapped_column(String(500), default="")
    #: the sender's SaleSession (``dfc-b:belongsTo``) ``@id``
    sale_session_id: Mapped[str] = mapped_column(String(500), default="")
    #: sha256 of the sender and its ids: a replay finds this order (see interop.received)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[ReceivedStatus] = mapped_column(
        Enum(ReceivedStatus, native_enum=False, length=20), default=ReceivedStatus.held
    )
    fulfilment: Mapped[FulfilmentState] = mapped_column(
        Enum(FulfilmentState, native_enum=False, length=20), default=FulfilmentState.unfulfilled
    )
    total_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]

    producer: Mapped[Enterprise] = relationship()
    sender: Mapped[User | None] = relationship()
    lines: Mapped[list[ReceivedOrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="ReceivedOrderLine.id"
    )


class ReceivedOrderLine(Model):
    __tablename__ = "dfc_received_order_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("line_total_cents >= 0", name="line_total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("dfc_received_orders.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="SET NULL"), index=True
    )
    #: the OrderLine ``@id`` the sender gave first
    sender_line_id: Mapped[str] = mapped_column(String(500), default="")
    product_name: Mapped[str] = mapped_column(String(150))
    variant_name: Mapped[str] = mapped_column(String(120))
    sku: Mapped[str] = mapped_column(String(64), default="")
    #: 0 once the sender removed the item (the line stays, so its @id stays valid)
    quantity: Mapped[int]
    #: per unit (per kg when sold by weight), VAT included: the producer's price
    unit_price_cents: Mapped[int]
    vat_rate_bp: Mapped[int]
    sold_by_weight: Mapped[bool] = mapped_column(default=False)
    estimated_weight_g: Mapped[int | None]
    line_total_cents: Mapped[int]

    order: Mapped[ReceivedOrder] = relationship(back_populates="lines")


class OidcIdentity(Model):
    """An OpenID Connect subject (``iss`` + ``sub``) known to be one of our accounts: made the
    first time a token of that subject comes with the account's verified e-mail address."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class WebhookSubscription(Model):
    """A URL that receives signed POSTs when something happens to an enterprise's orders or
    catalogue (``enterprise_id`` NULL: every enterprise, made by a platform admin)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    #: the shared secret the signature is made with (shown once to whoever subscribes)
    secret: Mapped[str] = mapped_column(String(100))
    #: space-separated event names (interop.webhooks.EVENTS); empty: every event
    events: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events.split())


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"  # given up after the last attempt


class WebhookDelivery(Model):
    """One event for one subscriber: the outbox of webhooks (written after the change's
    commit, delivered at once and retried with backoff by ``flask webhooks send``)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    #: the JSON body, exactly as signed and sent
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=10), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship()
