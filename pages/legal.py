"""The platform's legal notice and privacy policy: what they show, read from the configuration
and from the rules the code applies (retention periods), so that the pages cannot drift from them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from accounts import ratelimit, sessions
from accounts.services import purge_login_attempts
from core.config import LEGAL_SETTINGS
from hubs.services import REQUEST_RETENTION_DAYS
from orders.permissions import LINK_DAYS_AFTER_PICKUP

#: what the legal notice must say (LCEN article 6 III): a missing one is flagged to the operator
REQUIRED = (
    "LEGAL_OPERATOR",
    "LEGAL_FORM",
    "LEGAL_ADDRESS",
    "LEGAL_SIRET",
    "LEGAL_PUBLICATION_DIRECTOR",
    "LEGAL_CONTACT_EMAIL",
    "LEGAL_HOST",
    "LEGAL_HOST_ADDRESS",
)

LABELS: dict[str, Any] = {
    "LEGAL_OPERATOR": _l("Operator"),
    "LEGAL_FORM": _l("Legal form and share capital"),
    "LEGAL_ADDRESS": _l("Registered office"),
    "LEGAL_SIRET": _l("SIRET"),
    "LEGAL_VAT_NUMBER": _l("VAT number"),
    "LEGAL_PUBLICATION_DIRECTOR": _l("Director of publication"),
    "LEGAL_CONTACT_EMAIL": _l("Contact e-mail"),
    "LEGAL_PHONE": _l("Phone"),
    "LEGAL_HOST": _l("Host"),
    "LEGAL_HOST_ADDRESS": _l("Host's address"),
    "LEGAL_HOST_PHONE": _l("Host's phone"),
}


@dataclass(frozen=True)
class Entry:
    setting: str
    label: Any
    value: str
    required: bool


def notice_entries(config: dict[str, Any]) -> list[Entry]:
    """The legal notice's lines in order; an optional value left empty is left out."""
    entries = []
    for setting in LEGAL_SETTINGS:
        if setting not in LABELS:
            continue
        value = str(config.get(setting) or "").strip()
        required = setting in REQUIRED
        if value or required:
            entries.append(Entry(setting, LABELS[setting], value, required))
    return entries


def missing_settings(config: dict[str, Any]) -> list[str]:
    """The required settings left empty (each page that uses them names them to the operator)."""
    return [s for s in REQUIRED if not str(config.get(s) or "").strip()]


@dataclass(frozen=True)
class Retention:
    """The periods the code applies (read from the code, not restated by hand)."""

    login_attempts_days: int
    rate_limit_days: int
    session_days: int
    guest_link_days_after_pickup: int
    payment_hold_minutes: int
    mail_retry_days: int
    mail_copy_days: int
    hub_request_days: int


def _default_days(func: Any, name: str) -> int:
    """The default ``timedelta`` of a purge function's parameter, in days."""
    return int(inspect.signature(func).parameters[name].default.days)


def retention(config: dict[str, Any]) -> Retention:
    from notifications.services import GIVE_UP_AFTER, KEEP_COPIES_FOR

    return Retention(
        login_attempts_days=_default_days(purge_login_attempts, "older_than"),
        rate_limit_days=_default_days(ratelimit.purge, "older_than"),
        session_days=int(config.get("SESSION_MAX_AGE_DAYS", sessions.DEFAULT_MAX_AGE_DAYS)),
        guest_link_days_after_pickup=LINK_DAYS_AFTER_PICKUP,
        payment_hold_minutes=int(config.get("PAYMENT_HOLD_MINUTES", 30)),
        mail_retry_days=GIVE_UP_AFTER.days,
        mail_copy_days=KEEP_COPIES_FOR.days,
        hub_request_days=REQUEST_RETENTION_DAYS,
    )
