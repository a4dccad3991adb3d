"""Who may do what with account objects. Pure predicates."""

from __future__ import annotations

from typing import Any

from accounts.models import ApiToken


def can_manage_token(user: Any, token: ApiToken) -> bool:
    """Only the owner sees or revokes a personal token (admins do not: it is a credential)."""
    return bool(getattr(user, "is_authenticated", False)) and token.user_id == user.id
