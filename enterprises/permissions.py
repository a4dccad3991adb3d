"""Who may do what with an enterprise. Pure predicates; views call ``core.security.require``."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.db import db
from enterprises.models import Enterprise, Membership, MembershipRole


def _is_user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user: Any) -> bool:
    return _is_user(user) and bool(user.is_admin)


def managed_enterprise_ids(user: Any) -> set[int]:
    """Ids of the enterprises the user manages (one query per request, cached in ``g``)."""
    if not _is_user(user):
        return set()
    cache: dict[int, set[int]] | None = (
        g.setdefault("managed_ids", {}) if has_app_context() else None
    )
    if cache is not None and user.id in cache:
        return cache[user.id]
    found = set(
        db.session.scalars(select(Membership.enterprise_id).where(Membership.user_id == user.id))
    )
    if cache is not None:
        cache[user.id] = found
    return found


def forget_managed_cache(user: Any) -> None:
    """Call after changing memberships within the same request."""
    if has_app_context():
        g.get("managed_ids", {}).pop(user.id, None)


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


@event.listens_for(Session, "after_flush")
def _memberships_changed(session: Session, flush_context: Any) -> None:
    """A flushed membership change invalidates the request's cache of managed enterprises."""
    changed = (*session.new, *session.deleted, *session.dirty)
    if has_app_context() and any(isinstance(obj, Membership) for obj in changed):
        g.pop("managed_ids", None)


def is_owner(user: Any, enterprise: Enterprise) -> bool:
    if not _is_user(user):
        return False
    role = db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.enterprise_id == enterprise.id
        )
    )
    return role == MembershipRole.owner


def can_manage_team(user: Any, enterprise: Enterprise) -> bool:
    """Owners (and platform admins) invite, remove and promote managers."""
    return is_admin(user) or is_owner(user, enterprise)


def can_remove_member(user: Any, membership: Membership) -> bool:
    """Owners and admins remove anybody; a manager may leave by removing themself."""
    if _is_user(user) and membership.user_id == user.id:
        return True
    return can_manage_team(user, membership.enterprise)


def can_list_all_enterprises(user: Any) -> bool:
    return is_admin(user)
