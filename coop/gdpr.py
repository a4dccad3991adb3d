"""coop's part of the GDPR export (see accounts.gdpr): the contribution choices. The deletion
keeps them (they are the enterprise's accounting, not the person's contact data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from accounts import gdpr
from coop.models import ContributionPledge
from core.db import db

if TYPE_CHECKING:
    from accounts.models import User


def export_pledges(user: User) -> list[dict[str, Any]]:
    pledges = db.session.scalars(
        select(ContributionPledge)
        .where(ContributionPledge.chosen_by_id == user.id)
        .order_by(ContributionPledge.id)
    ).all()
    return [
        {
            "enterprise_id": p.enterprise_id,
            "amount_cents": p.amount_cents,
            "rhythm": str(p.rhythm),
            "chosen_at": p.created_at.isoformat() if p.created_at else None,
        }
        for p in pledges
    ]


gdpr.register("contribution_choices", priority=40, export=export_pledges)
