"""hubs' part of the GDPR export and of the account deletion (see accounts.gdpr)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from accounts import gdpr
from core.db import db
from enterprises.models import Enterprise
from hubs.models import HubFollower

if TYPE_CHECKING:
    from accounts.models import User


def export_follows(user: User) -> list[dict[str, Any]]:
    follows = db.session.execute(
        select(HubFollower, Enterprise)
        .join(Enterprise, Enterprise.id == HubFollower.hub_id)
        .where(HubFollower.user_id == user.id)
    ).all()
    return [
        {"hub": ent.name, "since": f.created_at.isoformat() if f.created_at else None}
        for f, ent in follows
    ]


def erase_follows(user: User) -> None:
    db.session.execute(delete(HubFollower).where(HubFollower.user_id == user.id))


gdpr.register("followed_hubs", priority=50, export=export_follows, erase=erase_follows)
