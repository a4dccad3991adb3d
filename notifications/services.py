"""The e-mail outbox: queue in the caller's transaction, deliver after commit, retry on failure."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from functools import partial
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from core.db import db, on_postgresql
from core.timeutils import utcnow
from notifications.models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def queue_email(
    *,
    to: str,
    template: str,
    locale: str = "fr",
    kind: str = "",
    dedupe_key: str | None = None,
    **context: object,
) -> int | None:
    """Render ``templates/<template>.txt`` (and ``.html`` if present) in ``locale`` and queue it.

    The first line of the text template is ``Subject: ...``. Only writes in the caller's
    transaction: the caller commits, so the message exists if and only if the change that caused
    it was committed. Returns the message id; with a ``dedupe_key`` already queued (now or by a
    concurrent transaction), nothing is added and None is returned (send once).
    """
    with force_locale(locale):
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context) if _has_html(template) else ""
    if has_request_context():
        g.emails_queued = True  # delivered right after the response (see init_app)
    first, _, body = text.partition("\n")
    values = dict(
        to_email=to,
        subject=first.removeprefix("Subject:").strip(),
        body_text=body.lstrip("\n"),
        body_html=html,
        kind=kind,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        message = OutboundEmail(**values)
        db.session.add(message)
        db.session.flush()
        return message.id
    # one statement, whoever wins a race: checkout queues a confirmation per order (no SELECT
    # then SAVEPOINT round trips on the hottest path)
    insert = _dialect_insert()(OutboundEmail).values(**values)
    return db.session.scalar(
        insert.on_conflict_do_nothing(index_elements=[OutboundEmail.dedupe_key]).returning(
            OutboundEmail.id
        )
    )


def _dialect_insert() -> Callable[..., Any]:
    if on_postgresql():
        return postgresql.insert
    return sqlite.insert


def _has_html(template: str) -> bool:
    """Whether ``<template>.html`` exists (looked up once per app: a miss walks every loader)."""
    known: dict[str, bool] = current_app.extensions.setdefault("comptoir_email_html", {})
    if template not in known:
        try:
            current_app.jinja_env.get_template(f"{template}.html")
            known[template] = True
        except TemplateNotFound:
            known[template] = False
    return known[template]


def _build(message: OutboundEmail) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.to_email
    mail["Message-ID"] = make_msgid(domain="comptoir")
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


def deliver_pending(limit: int = 100) -> int:
    """Send due messages; a failure is recorded and retried later with a growing delay.

    Each message is locked (SKIP LOCKED on PostgreSQL) so that several workers never send the same
    message twice. Returns the number sent. Without MAIL_SERVER nothing is sent (messages wait).
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    now = utcnow()
    query = (
        select(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.pending, OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    messages = list(db.session.scalars(query))
    if not messages:
        db.session.commit()
        return 0
    sent = 0
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    except OSError as exc:
        smtp_pause.start()
        for message in messages:
            _failed(message, exc)
        db.session.commit()
        return 0
    smtp_pause.end()
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in messages:
            try:
                smtp.send_message(_build(message))
            except (smtplib.SMTPException, OSError) as exc:
                _failed(message, exc)
                continue
            message.status = EmailStatus.sent
            message.sent_at = utcnow()
            message.attempts += 1
            sent += 1
    db.session.commit()
    return sent


class _SmtpPause:
    """In this process only, after the mail server was unreachable: skip immediate delivery
    for ``SMTP_PAUSE`` (a hint that saves worker threads, not state: the outbox is the truth)."""

    #: how long immediate delivery is left to `flask mail send` after a failed connection
    SMTP_PAUSE = timedelta(minutes=1)

    def __init__(self) -> None:
        self.until: datetime | None = None

    def start(self) -> None:
        self.until = utcnow() + self.SMTP_PAUSE

    def end(self) -> None:
        self.until = None

    def active(self) -> bool:
        return self.until is not None and utcnow() < self.until


smtp_pause = _SmtpPause()


def _failed(message: OutboundEmail, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = str(exc)[:500]
    log.warning(
        "e-mail %s to %s failed (attempt %s): %s",
        message.id,
        message.to_email,
        message.attempts,
        exc,
    )
    if message.attempts >= MAX_ATTEMPTS:
        message.status = EmailStatus.failed
    else:
        message.next_attempt_at = utcnow() + timedelta(minutes=2**message.attempts)


def deliver_after_request() -> None:
    """Best-effort immediate delivery once a response has gone; failures wait for the cron job.

    After the mail server could not be reached, immediate delivery is skipped in this process
    for a minute: during an outage each request would otherwise hold a worker thread for
    the connection timeout, and ``flask mail send`` retries the messages anyway.
    """
    if smtp_pause.active():
        return
    try:
        deliver_pending(limit=20)
    except Exception:  # noqa: BLE001 - never break the user's request over an e-mail
        db.session.rollback()
        log.exception("immediate e-mail delivery failed; `flask mail send` will retry")


def _deliver_after_response(app: Flask) -> None:
    # runs when the server closes the response: the request's contexts are gone
    with app.app_context():
        deliver_after_request()


def init_app(app: Flask) -> None:
    """After a successful request that queued e-mails, send them once the response has gone
    (``call_on_close``): the user's page or API answer never waits for the mail server."""

    @app.after_request
    def _deliver(response: Response) -> Response:
        if g.pop("emails_queued", False) and response.status_code < 400:
            response.call_on_close(partial(_deliver_after_response, app))
        return response
