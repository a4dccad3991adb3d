"""Who sees statements and the commission ledger (pure predicates)."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from enterprises.permissions import can_manage_enterprise, can_manage_hub, is_admin


def can_see_statements(user: Any, enterprise: Enterprise) -> bool:
    """An enterprise's managers and platform admins; never another enterprise's managers."""
    return can_manage_enterprise(user, enterprise)


def can_see_hub_ledger(user: Any, hub: Enterprise) -> bool:
    """The commission ledger of a hub: its managers and platform admins."""
    return can_manage_hub(user, hub)


def can_run_platform(user: Any) -> bool:
    """Platform administration (whole ledger, every statement, running costs)."""
    return is_admin(user)
