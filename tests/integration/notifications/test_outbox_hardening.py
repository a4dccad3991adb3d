"""One bad e-mail never stops the others (issue 17.1), and a mail outage loses nothing for three
days (17.10): each message is built with sanitised headers, sent and committed on its own; a
message that cannot be built or is refused for good is failed with its reason; a failing server
is retried with backoff up to a ceiling, then the platform admins are told."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from core.timeutils import utcnow
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import (
    FAILURE_ALERT_KIND,
    GIVE_UP_AFTER,
    MAX_RETRY_DELAY,
    deliver_pending,
    queue_email,
    smtp_pause,
)
from tests.factories import UserFactory
from tests.support.smtp import SmtpSink

T0 = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # a Friday evening: the relay goes down


@pytest.fixture
def outbox(app, committed) -> Iterator:
    smtp_pause.end()
    yield app
    smtp_pause.end()
    app.config.update(MAIL_SERVER="", MAIL_PORT=25)


@pytest.fixture
def sink(app) -> Iterator[SmtpSink]:
    server = SmtpSink(
        refuse={"gone@example.org": "550 No such user", "full@example.org": "452 Mailbox full"}
    )
    app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port)
    yield server
    server.stop()


def _queue(to: str, subject: str = "Bonjour", kind: str = "test") -> int:
    message = OutboundEmail(to_email=to, subject=subject, body_text="Corps du message", kind=kind)
    db.session.add(message)
    db.session.commit()
    return message.id


def _get(message_id: int) -> OutboundEmail:
    db.session.expire_all()
    return db.session.get(OutboundEmail, message_id)


def _send(app) -> str:
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- 17.1


def test_a_line_break_in_a_subject_cannot_add_a_header_and_the_message_goes(outbox, sink):
    # a support subject and an enterprise name typed with line breaks reach the Subject
    queue_email(
        to="camille@example.org",
        template="emails/coop/support_answer",
        locale="fr",
        support_request=SimpleNamespace(subject="Panier\rBcc: victim@example.org", answer="Oui"),
        author=SimpleNamespace(full_name="Camille", email="camille@example.org"),
        enterprise=SimpleNamespace(name="Ferme\r\nX"),
        link="http://comptoir.test/support",
    )
    db.session.commit()

    assert "sent 1 e-mail(s)" in _send(outbox)

    [mail] = sink.messages
    assert mail["To"] == "camille@example.org"
    assert "Panier Bcc: victim@example.org" in mail["Subject"]
    assert "\r" not in mail["Subject"]
    assert "\n" not in mail["Subject"]
    assert mail["Bcc"] is None
    assert sink.envelopes == [["camille@example.org"]]


def test_a_message_that_cannot_be_built_is_failed_and_never_blocks_or_repeats_the_others(
    outbox, sink
):
    first = _queue("ana@example.org", "Votre commande")
    bad = _queue("bob@example.org\r\nBcc: victim@example.org", "Bienvenue")
    odd = _queue("chloe@example.org", "Commande chez Ferme\r\nBcc: victim@example.org")
    last = _queue("dan@example.org", "Réinitialisation du mot de passe")

    assert "sent 3 e-mail(s)" in _send(outbox)
    assert "sent 0 e-mail(s)" in _send(outbox)  # the next run sends nothing again

    assert [m["To"] for m in sink.messages] == [
        "ana@example.org",
        "chloe@example.org",
        "dan@example.org",
    ]
    assert "victim@example.org" not in str(sink.envelopes)
    for message_id in (first, odd, last):
        assert _get(message_id).status is EmailStatus.sent
    failed = _get(bad)
    assert failed.status is EmailStatus.failed
    assert "invalid recipient address" in failed.last_error
    assert failed.attempts == 1


class Crash(BaseException):
    """The process dies (killed, out of memory) in the middle of a run."""


def test_messages_sent_before_a_crash_are_not_sent_again(outbox, sink, monkeypatch):
    ids = [_queue(f"guest{n}@example.org", f"Commande {n}") for n in range(3)]
    real_send = smtplib.SMTP.send_message
    calls = []

    def crash_on_second(self, msg, *args, **kwargs):
        calls.append(msg["To"])
        if len(calls) == 2:
            raise Crash
        return real_send(self, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", crash_on_second)
    with pytest.raises(Crash):
        deliver_pending()
    monkeypatch.setattr(smtplib.SMTP, "send_message", real_send)
    db.session.remove()

    assert [m["To"] for m in sink.messages] == ["guest0@example.org"]
    assert _get(ids[0]).status is EmailStatus.sent
    assert _get(ids[1]).status is EmailStatus.pending

    assert "sent 2 e-mail(s)" in _send(outbox)
    assert [m["To"] for m in sink.messages] == [
        "guest0@example.org",
        "guest1@example.org",
        "guest2@example.org",
    ]


def test_a_recipient_refused_for_good_is_failed_a_full_mailbox_is_retried(outbox, sink):
    gone = _queue("gone@example.org")
    full = _queue("full@example.org")
    fine = _queue("fine@example.org")

    assert "sent 1 e-mail(s)" in _send(outbox)

    assert [m["To"] for m in sink.messages] == ["fine@example.org"]
    assert _get(fine).status is EmailStatus.sent
    refused = _get(gone)
    assert refused.status is EmailStatus.failed
    assert "550" in refused.last_error
    later = _get(full)
    assert later.status is EmailStatus.pending
    assert "452" in later.last_error
    assert later.next_attempt_at > utcnow()


# --------------------------------------------------------------------------- 17.10


def test_an_outage_is_retried_with_backoff_for_three_days_then_admins_are_told(outbox):
    UserFactory(email="admin@example.org", is_admin=True, locale="en")
    db.session.commit()
    outbox.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())

    with time_machine.travel(T0, tick=False) as clock:
        confirmation = _queue("guest@example.org", "Your order C-1042", kind="order_confirmation")
        waits = []
        still_pending_at = []
        while True:
            deliver_pending()
            message = _get(confirmation)
            if message.status is not EmailStatus.pending:
                break
            waits.append(message.next_attempt_at - utcnow())
            still_pending_at.append(utcnow() - T0)
            clock.move_to(message.next_attempt_at)
        given_up = utcnow()

        # not dropped after a few hours of outage: still retried close to three days later
        assert still_pending_at[-1] >= GIVE_UP_AFTER - MAX_RETRY_DELAY
        assert waits[:3] == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
        assert max(waits) == MAX_RETRY_DELAY
        assert GIVE_UP_AFTER <= given_up - T0 < GIVE_UP_AFTER + MAX_RETRY_DELAY
        assert message.status is EmailStatus.failed
        assert "still failing after 3 days" in message.last_error

        # the admins' alert waits in the outbox while the relay is down, queued once
        _send(outbox)
        _send(outbox)
        alerts = list(
            db.session.scalars(
                select(OutboundEmail).where(OutboundEmail.kind == FAILURE_ALERT_KIND)
            )
        )
        assert [(a.to_email, a.status) for a in alerts] == [
            ("admin@example.org", EmailStatus.pending)
        ]

        # the relay is back: the alert goes, listing the lost confirmation, and only once
        server = SmtpSink()
        try:
            outbox.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port)
            clock.move_to(given_up + MAX_RETRY_DELAY)
            _send(outbox)
            _send(outbox)
            [mail] = server.messages
        finally:
            server.stop()
    assert mail["To"] == "admin@example.org"
    assert mail["Subject"] == "Comptoir: 1 e-mail could not be delivered"
    text = mail.get_content()
    assert "guest@example.org" in text
    assert "order_confirmation" in text
    assert "Your order C-1042" in text
    assert "still failing after 3 days" in text


def test_flask_mail_failed_lists_the_given_up_messages_with_their_reason(outbox, sink):
    _queue("gone@example.org", "Votre commande C-7")
    _queue("fine@example.org")
    _send(outbox)

    listing = outbox.test_cli_runner().invoke(args=["mail", "failed"]).output

    assert "gone@example.org" in listing
    assert "550 No such user" in listing
    assert "fine@example.org" not in listing
