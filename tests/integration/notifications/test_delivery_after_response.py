"""E-mails queued by a request are sent once its response has gone, and an unreachable mail
server is left alone for a while instead of being tried on every request."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from core.db import db
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import smtp_pause
from tests.factories import UserFactory
from tests.support.smtp import SmtpSink


@pytest.fixture
def web(app, committed) -> Iterator:
    smtp_pause.end()
    yield app.test_client()
    smtp_pause.end()
    app.config.update(MAIL_SERVER="", MAIL_PORT=25)


def _messages(to: str) -> list[OutboundEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_email == to)))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_email_goes_once_the_response_is_closed_not_before(app, web):
    UserFactory(email="camille@example.org")
    db.session.commit()
    sink = SmtpSink()
    try:
        app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
        response = web.post("/password/forgot", data={"email": "camille@example.org"})
        assert response.status_code == 200
        # the whole answer is there while the message still waits in the outbox
        assert response.get_data()
        [message] = _messages("camille@example.org")
        assert message.status is EmailStatus.pending
        assert sink.messages == []

        response.close()  # what the server does once the response has gone
        mail = sink.wait_for(lambda m: m["To"] == "camille@example.org")
        assert mail["Subject"]
        [message] = _messages("camille@example.org")
        assert message.status is EmailStatus.sent
    finally:
        sink.stop()


def test_an_unreachable_mail_server_is_not_tried_again_for_a_while(app, web):
    UserFactory(email="camille@example.org")
    UserFactory(email="yann@example.org")
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())

    first = web.post("/password/forgot", data={"email": "camille@example.org"}, buffered=True)
    assert first.status_code == 200
    [tried] = _messages("camille@example.org")
    assert tried.status is EmailStatus.pending
    assert tried.attempts == 1  # tried after the response, failed, kept for the cron job
    assert tried.last_error
    assert smtp_pause.active()

    second = web.post("/password/forgot", data={"email": "yann@example.org"}, buffered=True)
    assert second.status_code == 200
    [waiting] = _messages("yann@example.org")
    assert waiting.status is EmailStatus.pending
    assert waiting.attempts == 0  # not tried: the server was down a moment ago

    # once the server is back, the cron job sends both, and requests deliver again
    sink = SmtpSink()
    try:
        app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
        tried.next_attempt_at = waiting.next_attempt_at
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["mail", "send"])
        assert "sent 2 e-mail(s)" in result.output
        assert not smtp_pause.active()
    finally:
        sink.stop()
