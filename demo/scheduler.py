"""The scheduled jobs of a local development instance, run in the background by ``make run``.

In production cron runs the jobs of the README's table (``flask mail send`` every minute,
``flask orders release-expired`` and ``flask operations tick`` every five minutes,
``flask cycles roll`` hourly, ``flask billing statements`` monthly, the purges daily).
``make run`` starts ``flask demo jobs`` next to the web server instead, so that confirmation and
reset e-mails, the weekly roll, cycle notices, producers' lists and statements happen while one
clicks through the demo; it stops with ``make run`` (Ctrl+C). Development only
(``core.config.is_development``).

E-mails: with a ``MAIL_SERVER`` (e.g. a local MailHog / ``python -m aiosmtpd -n``) they are sent
to it; without one they are written on the console and marked sent, and every message can be
read at ``/dev/outbox`` (``demo.views``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from core.db import db
from core.timeutils import utcnow
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import alert_admins_of_failures, deliver_pending

MAIL_EVERY = timedelta(minutes=1)
TICK_EVERY = timedelta(minutes=5)
RELEASE_EVERY = timedelta(minutes=5)
ROLL_EVERY = timedelta(hours=1)
STATEMENTS_EVERY = timedelta(hours=6)
PURGE_EVERY = timedelta(days=1)


def print_pending(write: Callable[[str], None], limit: int = 100) -> int:
    """Write the due messages on the console and mark them sent (no mail server in
    development); commits. Returns how many were written."""
    now = utcnow()
    messages = list(
        db.session.scalars(
            select(OutboundEmail)
            .where(
                OutboundEmail.status == EmailStatus.pending, OutboundEmail.next_attempt_at <= now
            )
            .order_by(OutboundEmail.id)
            .limit(limit)
        )
    )
    for message in messages:
        write(
            f"\n----- e-mail {message.id} ({message.kind or 'mail'}) -----\n"
            f"To: {message.to_email}\nSubject: {message.subject}\n\n{message.body_text}\n"
            f"----- /dev/outbox/{message.id} -----"
        )
        message.status = EmailStatus.sent
        message.sent_at = now
        message.attempts += 1
    db.session.commit()
    return len(messages)


def send_mail(write: Callable[[str], None]) -> int:
    if current_app.config.get("MAIL_SERVER"):
        sent = deliver_pending()
        alert_admins_of_failures()
        return sent
    return print_pending(write)


def tick(now: datetime) -> str:
    from operations.jobs import run_tick

    counts = run_tick(now)
    return (
        f"open notices {counts.open_notices}, producer lists {counts.producer_lists}, "
        f"pickup reminders {counts.pickup_reminders}, "
        f"closing reminders {counts.closing_reminders}"
    )


def release_expired(now: datetime) -> int:
    from orders.services import release_expired_holds

    return release_expired_holds(now)


def roll() -> int:
    from cycles.services import roll_weekly_cycles

    return len(roll_weekly_cycles())


def statements(now: datetime) -> int:
    from coop.billing.statements import build_statements, last_ended_month

    return len(build_statements(last_ended_month(now), now))


def purge(now: datetime) -> str:
    """The daily purges; says something only when they deleted something."""
    from accounts.services import purge_login_attempts
    from hubs.services import purge_hub_requests
    from notifications.services import purge_old_copies

    counts = (purge_login_attempts(), purge_old_copies(now), purge_hub_requests(now=now))
    if not any(counts):
        return ""
    return "login attempts {}, e-mail copies {}, hub requests {}".format(*counts)


@dataclass
class Schedule:
    """When each job last ran (they all run at the first pass)."""

    last: dict[str, datetime] = field(default_factory=dict)

    def due(self, name: str, every: timedelta, now: datetime) -> bool:
        previous = self.last.get(name)
        if previous is not None and now - previous < every:
            return False
        self.last[name] = now
        return True


def run_once(schedule: Schedule, now: datetime, write: Callable[[str], None]) -> list[str]:
    """One pass: the jobs that are due. A failing job is reported and rolled back, never stops
    the others. Returns what was done (for the console)."""
    done: list[str] = []
    jobs: list[tuple[str, timedelta, Callable[[], object]]] = [
        ("release-expired", RELEASE_EVERY, lambda: release_expired(now)),
        ("roll", ROLL_EVERY, lambda: roll()),
        ("tick", TICK_EVERY, lambda: tick(now)),
        ("statements", STATEMENTS_EVERY, lambda: statements(now)),
        ("purge", PURGE_EVERY, lambda: purge(now)),
        ("mail", MAIL_EVERY, lambda: send_mail(write)),  # last: sends what the others queued
    ]
    for name, every, job in jobs:
        if not schedule.due(name, every, now):
            continue
        try:
            result = job()
        except Exception as exc:  # noqa: BLE001 - a development loop reports and goes on
            db.session.rollback()
            done.append(f"{name}: failed ({exc})")
        else:
            if result:
                done.append(f"{name}: {result}")
    return done


def run_forever(write: Callable[[str], None], *, pause: float = 20.0) -> None:
    schedule = Schedule()
    while True:
        for line in run_once(schedule, utcnow(), write):
            write(f"[jobs] {line}")
        time.sleep(pause)
