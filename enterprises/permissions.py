"""Who may do what with an enterprise. Pure predicates; views call ``core.security.require``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import db
from enterprises.models import Enterprise, Membership


def _is_user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user: Any) -> bool:
    return _is_user(user) and bool(user.is_admin)


def managed_enterprise_ids(user: Any) -> set[int]:
    """Ids of the enterprises the user manages (cached on the user object for the request)."""
    if not _is_user(user):
        return set()
    cached = getattr(user, "_managed_ids", None)
    if cached is None:
        cached = set(
            db.session.scalars(
                select(Membership.enterprise_id).where(Membership.user_id == user.id)
            )
        )
        user._managed_ids = cached
    return cached


def forget_managed_cache(user: Any) -> None:
    if hasattr(user, "_managed_ids"):
        del user._managed_ids


def can_manage_enterprise(user: Any, enterprise: Enterprise | int) -> bool:
    enterprise_id = enterprise if isinstance(enterprise, int) else enterprise.id
    return is_admin(user) or enterprise_id in managed_enterprise_ids(user)


def can_manage_producer(user: Any, enterprise: Enterprise) -> bool:
    return enterprise.is_producer and can_manage_enterprise(user, enterprise)


def can_manage_hub(user: Any, enterprise: Enterprise) -> bool:
    return enterprise.is_hub and can_manage_enterprise(user, enterprise)


def can_create_enterprise(user: Any) -> bool:
    return _is_user(user) and user.email_confirmed_at is not None


def can_view_enterprise(user: Any, enterprise: Enterprise) -> bool:
    return enterprise.is_active or can_manage_enterprise(user, enterprise)
