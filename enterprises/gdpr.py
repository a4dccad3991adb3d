"""enterprises' part of the GDPR export and of the account deletion (see accounts.gdpr)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update

from accounts import gdpr
from core.db import db
from enterprises.models import Enterprise, Membership

if TYPE_CHECKING:
    from accounts.models import User


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_memberships(user: User) -> list[dict[str, Any]]:
    memberships = db.session.execute(
        select(Membership, Enterprise)
        .join(Enterprise, Enterprise.id == Membership.enterprise_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.id)
    ).all()
    return [
        {
            "enterprise_id": ent.id,
            "enterprise": ent.name,
            "slug": ent.slug,
            "role": str(m.role),
            "since": _iso(m.created_at),
        }
        for m, ent in memberships
    ]


def erase_memberships(user: User) -> dict[str, Any]:
    """Remove the user's memberships; an enterprise left without any manager is deactivated
    (hidden) so that nobody is left in charge of a public shop."""
    managed = list(
        db.session.scalars(select(Membership.enterprise_id).where(Membership.user_id == user.id))
    )
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    orphaned = []
    for enterprise_id in managed:
        left = db.session.scalar(
            select(func.count()).where(Membership.enterprise_id == enterprise_id)
        )
        if not left:
            orphaned.append(enterprise_id)
    if orphaned:
        db.session.execute(
            update(Enterprise).where(Enterprise.id.in_(orphaned)).values(is_active=False)
        )
    return {"enterprises_left_without_manager": orphaned}


gdpr.register("memberships", priority=10, export=export_memberships, erase=erase_memberships)
