"""Rate limits on the actions that send e-mail or reach a person (sign-up, confirmation re-sends,
password resets, invitations, support requests, guest order links).

Each use is a ``RateLimitHit`` row per key (``ip:<address>``, ``email:<address>``,
``user:<id>``), counted over a sliding window. The rows are in the application's database, so
every gunicorn worker and every app server sees the same counts (there is no Redis here), and the
tests see them in their rolled-back transaction. Concurrency: the hit is inserted and committed
*before* counting; the k-th hit to commit counts at least k rows, so of N simultaneous requests
at most ``count`` get through, whatever the timing (no lock needed). A refused request deletes
its hits, so that hammering a limit does not prolong it. ``docs/security.md`` says why this
rather than Flask-Limiter.

``consume`` commits (the hit must be visible to other processes before the action runs): call it
first in a top-level service, before anything else is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from accounts.models import RateLimitHit
from core.db import db, on_postgresql
from core.errors import DomainError
from core.timeutils import utcnow

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Limit:
    """At most ``count`` uses per ``seconds`` for one value of ``kind`` (ip, email or user)."""

    kind: str
    count: int
    seconds: int


#: the defaults; ``RATE_LIMITS`` in the config replaces an action's list
LIMITS: dict[str, tuple[Limit, ...]] = {
    "signup": (Limit("ip", 20, HOUR), Limit("email", 3, HOUR)),
    "confirmation_resend": (Limit("ip", 20, HOUR), Limit("email", 3, HOUR)),
    "password_reset": (Limit("ip", 20, HOUR), Limit("email", 3, HOUR)),
    "guest_order_links": (Limit("ip", 20, HOUR), Limit("email", 3, HOUR)),
    "invitation": (Limit("user", 30, DAY), Limit("ip", 60, DAY), Limit("email", 3, DAY)),
    "support_request": (Limit("user", 5, HOUR), Limit("ip", 20, HOUR)),
    "hub_request": (Limit("ip", 5, HOUR), Limit("email", 3, DAY)),
}


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    message = _l("Too many requests. Please wait a moment before trying again.")

    def __init__(self, retry_after_seconds: int = 60) -> None:
        minutes = max(1, -(-retry_after_seconds // 60))
        super().__init__(
            _l(
                "Too many requests in a short time. Try again in %(minutes)s minutes.",
                minutes=minutes,
            )
        )
        self.retry_after_seconds = max(1, int(retry_after_seconds))


def client_ip() -> str:
    """The caller's address, for the views to pass to the services (behind a reverse proxy the
    app is wrapped in werkzeug's ProxyFix, see TRUSTED_PROXIES, so this is the client's)."""
    return request.remote_addr or "unknown"


def limits_for(action: str) -> tuple[Limit, ...]:
    configured = (current_app.config.get("RATE_LIMITS") or {}).get(action)
    if configured is not None:
        return tuple(Limit(*rule) if not isinstance(rule, Limit) else rule for rule in configured)
    return LIMITS[action]


def consume(
    action: str,
    *,
    ip: str | None = None,
    email: str | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Count one use of ``action`` for each key given; raise RateLimited (nothing counted) when
    any key is over its limit. Commits."""
    now = now or utcnow()
    values = {
        "ip": (ip or "unknown")[:64] if ip is not None else None,
        "email": (email or "").strip().lower()[:254] or None,
        "user": str(user_id) if user_id is not None else None,
    }
    rules = [
        (rule, f"{rule.kind}:{values[rule.kind]}")
        for rule in limits_for(action)
        if values.get(rule.kind)
    ]
    if not rules:
        return
    if on_postgresql():
        # one transaction at a time per key (until its commit): the count it reads includes
        # every use let through before it, so exactly the limit gets through a burst
        for key in sorted({key for _rule, key in rules}):
            db.session.execute(
                select(func.pg_advisory_xact_lock(func.hashtext(f"ratelimit:{action}:{key}")))
            )
    retry = 0
    for rule, key in rules:
        since = now - timedelta(seconds=rule.seconds)
        count, oldest = db.session.execute(
            select(func.count(), func.min(RateLimitHit.created_at)).where(
                RateLimitHit.action == action,
                RateLimitHit.key == key,
                RateLimitHit.created_at > since,
            )
        ).one()
        if count + 1 > rule.count:
            wait = (
                (oldest + timedelta(seconds=rule.seconds) - now).total_seconds() if oldest else 60
            )
            retry = max(retry, int(wait) + 1)
    if retry:
        db.session.rollback()  # releases the locks; a refused use is not counted
        raise RateLimited(retry_after_seconds=retry)
    db.session.add_all(RateLimitHit(action=action, key=key, created_at=now) for _rule, key in rules)
    db.session.commit()


def purge(older_than: timedelta = timedelta(days=2), now: datetime | None = None) -> int:
    """Delete hits older than any window (run daily with ``flask users purge-login-attempts``)."""
    result = db.session.execute(
        delete(RateLimitHit).where(RateLimitHit.created_at < (now or utcnow()) - older_than)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
