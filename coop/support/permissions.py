"""Who asks the cooperative for help and who answers (pure predicates)."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from enterprises.permissions import can_manage_enterprise, is_admin


def can_ask_support(user: Any, enterprise: Enterprise) -> bool:
    """An enterprise's managers (and platform admins) see and open its requests."""
    return can_manage_enterprise(user, enterprise)


def can_answer_support(user: Any) -> bool:
    return is_admin(user)
