"""Who chooses and pays an enterprise's contribution, who records transfers (pure predicates)."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from enterprises.permissions import can_manage_enterprise, is_admin


def can_manage_contribution(user: Any, enterprise: Enterprise) -> bool:
    """The enterprise's managers and platform admins; never another enterprise's managers."""
    return can_manage_enterprise(user, enterprise)


def can_administer_contributions(user: Any) -> bool:
    """The overview of every contribution and recording bank transfers: platform admins."""
    return is_admin(user)
