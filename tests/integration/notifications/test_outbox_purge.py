"""Copies of sent e-mails are personal data: the daily purge deletes them after 90 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.db import db
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import KEEP_COPIES_FOR, purge_old_copies

NOW = datetime(2027, 3, 27, 22, 30, tzinfo=UTC)


def _mail(subject: str, status: EmailStatus, age: timedelta) -> None:
    at = NOW - age
    db.session.add(
        OutboundEmail(
            to_email="lea@example.org",
            subject=subject,
            body_text="Bonjour",
            status=status,
            created_at=at,
            next_attempt_at=at,
            sent_at=at if status is EmailStatus.sent else None,
        )
    )


def test_purge_deletes_old_copies_and_keeps_recent_ones_and_messages_to_send(db_session):
    day = timedelta(days=1)
    _mail("old sent", EmailStatus.sent, KEEP_COPIES_FOR + day)
    _mail("old given up", EmailStatus.failed, KEEP_COPIES_FOR + day)
    _mail("recent sent", EmailStatus.sent, KEEP_COPIES_FOR - day)
    _mail("old still to send", EmailStatus.pending, KEEP_COPIES_FOR + day)
    db.session.commit()

    assert purge_old_copies(NOW) == 2
    left = set(db.session.scalars(select(OutboundEmail.subject)))
    assert left == {"recent sent", "old still to send"}
    assert purge_old_copies(NOW) == 0


def test_the_privacy_page_gives_the_period_the_purge_uses(client):
    from tests.i18n import in_language

    page = in_language(client, "fr").get("/privacy").get_data(as_text=True)
    assert f"pendant {KEEP_COPIES_FOR.days} jours" in page
    assert "pas encore d'effacement automatique des autres copies" not in page
