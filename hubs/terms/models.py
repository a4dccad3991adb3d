"""A hub's sales terms (conditions générales de vente), one row per saved version."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.timeutils import utcnow

if TYPE_CHECKING:
    from enterprises.models import Enterprise


class SalesTerms(Model):
    """One version of a hub's sales terms. Never edited: a save adds the next version.

    ``from_template``: the text is the platform's French template filled with the hub's details
    (the hub has not written its own). Orders reference the version the buyer accepted.
    """

    __tablename__ = "sales_terms"
    __table_args__ = (
        UniqueConstraint("hub_id", "version", name="uq_sales_terms_hub_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    from_template: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hub: Mapped[Enterprise] = relationship()

    def __repr__(self) -> str:
        return f"<SalesTerms hub={self.hub_id} v{self.version}>"
