"""Enterprises (producers, hubs, or both) and who manages them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow

if TYPE_CHECKING:
    from accounts.models import User


#: the manual means a hub may accept at pickup (payments.services.MANUAL_METHODS records them)
MANUAL_MEANS = ("cash", "cheque", "card_on_site", "transfer")


class HubKind(StrEnum):
    """What kind of place runs the hub (shown on its page; used by territorial figures)."""

    tiers_lieu = "tiers_lieu"
    shop = "shop"
    farm = "farm"
    cafe = "cafe"
    association = "association"
    other = "other"


class Enterprise(Model):
    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("is_producer OR is_hub", name="producer_or_hub"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"
        ),
        CheckConstraint("default_margin_bp BETWEEN 0 AND 10000", name="default_margin_range"),
        CheckConstraint("min_order_cents >= 0", name="min_order_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    is_producer: Mapped[bool] = mapped_column(default=False)
    is_hub: Mapped[bool] = mapped_column(default=False)
    hub_kind: Mapped[HubKind | None] = mapped_column(Enum(HubKind, native_enum=False, length=20))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    #: French department code derived from the postcode ("35", "2A", "974"); territorial figures
    department: Mapped[str] = mapped_column(String(3), default="", index=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    #: path relative to UPLOAD_FOLDER
    logo_path: Mapped[str] = mapped_column(String(200), default="")
    #: hub settings
    allows_pay_at_pickup: Mapped[bool] = mapped_column(default=True)
    allows_online_payment: Mapped[bool] = mapped_column(default=True)
    allows_order_changes: Mapped[bool] = mapped_column(default=True)
    #: manual means accepted at pickup, comma-separated among payments.MANUAL_METHODS
    manual_payment_means: Mapped[str] = mapped_column(String(60), default="cash,cheque")
    #: the hub fee (basis points of the producer price) given to a new offer without one
    default_margin_bp: Mapped[int] = mapped_column(default=0)
    #: an order below this total (cents) is refused at checkout; 0 = no minimum
    min_order_cents: Mapped[int] = mapped_column(default=0)
    #: Stripe Connect account of the hub ("acct_..."); card payments go there when set
    stripe_account_id: Mapped[str] = mapped_column(String(64), default="")
    #: the account's state as Stripe last told it (``account.updated``; docs/payments.md)
    stripe_details_submitted: Mapped[bool] = mapped_column(default=False)
    stripe_charges_enabled: Mapped[bool] = mapped_column(default=False)
    stripe_payouts_enabled: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan"
    )

    @property
    def card_payment_ready(self) -> bool:
        """Card payment may be offered: switched on, and a connected account takes charges.

        A hub with no connected account keeps the platform's account (docs/payments.md).
        """
        if not self.allows_online_payment:
            return False
        return not self.stripe_account_id or self.stripe_charges_enabled

    @property
    def manual_means(self) -> list[str]:
        return [m for m in self.manual_payment_means.split(",") if m]

    @property
    def roles_label(self) -> str:
        return "+".join(r for r, on in (("producer", self.is_producer), ("hub", self.is_hub)) if on)

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.name!r} {self.roles_label}>"


class MembershipRole(StrEnum):
    owner = "owner"
    manager = "manager"


class Membership(Model):
    """A user manages an enterprise."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(
        Enum(MembershipRole, native_enum=False, length=20), default=MembershipRole.manager
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    enterprise: Mapped[Enterprise] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} enterprise={self.enterprise_id} {self.role}>"


class Invitation(Model):
    """An e-mailed invitation to manage an enterprise; the token's hash only is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    enterprise: Mapped[Enterprise] = relationship()
