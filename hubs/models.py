"""Hubs: distribution points, producer permissions, followers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow
from enterprises.geo import Postcode as Postcode  # the table lives below enterprises

if TYPE_CHECKING:
    from enterprises.models import Enterprise


class DistributionPoint(Model):
    """A place where citizens collect their orders."""

    __tablename__ = "distribution_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(3), default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    access_instructions: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hub: Mapped[Enterprise] = relationship()

    def __repr__(self) -> str:
        return f"<DistributionPoint {self.id} {self.name!r} hub={self.hub_id}>"


class LinkStatus(StrEnum):
    requested = "requested"
    accepted = "accepted"
    refused = "refused"
    withdrawn = "withdrawn"


class LinkSide(StrEnum):
    producer = "producer"
    hub = "hub"


class ProducerHubLink(Model):
    """A producer's permission for a hub to sell its products.

    Requested by either side, accepted by the other; the producer can withdraw it.
    """

    __tablename__ = "producer_hub_links"
    __table_args__ = (
        UniqueConstraint("producer_id", "hub_id"),
        CheckConstraint("producer_id <> hub_id", name="not_self"),
        CheckConstraint(
            "default_margin_bp IS NULL OR default_margin_bp BETWEEN 0 AND 10000",
            name="link_default_margin_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    hub_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[LinkStatus] = mapped_column(
        Enum(LinkStatus, native_enum=False, length=20), default=LinkStatus.requested
    )
    requested_by: Mapped[LinkSide] = mapped_column(Enum(LinkSide, native_enum=False, length=10))
    message: Mapped[str] = mapped_column(Text, default="")
    #: the hub's fee on this producer's new offers (basis points); None = the hub's default
    default_margin_bp: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    producer: Mapped[Enterprise] = relationship(foreign_keys=[producer_id])
    hub: Mapped[Enterprise] = relationship(foreign_keys=[hub_id])


class HubFollower(Model):
    """A citizen who wants an e-mail when the hub opens a cycle."""

    __tablename__ = "hub_followers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    hub_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HubRequest(Model):
    """A visitor with no hub nearby asks for one (``hubs.services.request_hub``).

    Seen by the platform admins; deleted after ``REQUEST_RETENTION_DAYS`` (``flask hubs
    purge-requests``, daily). The e-mail is optional: a request may be anonymous.
    """

    __tablename__ = "hub_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    place: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<HubRequest {self.id} {self.place!r}>"
