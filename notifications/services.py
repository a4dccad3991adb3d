"""The e-mail outbox: queue in the caller's transaction, deliver after commit, retry on failure."""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from functools import partial
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from core.db import db, on_postgresql
from core.timeutils import utcnow
from notifications.models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)


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
        # fits the column whatever the names in it (a long hub + cycle name must not fail the
        # transaction that queues the message)
        subject=header_text(first.removeprefix("Subject:"))[:250],
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


#: a message that fails is retried, with a growing delay, until it is this old (a relay down for a
#: long weekend loses nothing); then it is marked failed and the platform admins are told
GIVE_UP_AFTER = timedelta(days=3)
#: copies of sent and given-up e-mails are kept this long (support: "did my confirmation
#: leave?"), then deleted by the daily ``flask mail purge``; messages still to send are kept
KEEP_COPIES_FOR = timedelta(days=90)
#: the longest wait between two attempts (2, 4, 8 ... minutes, then every hour)
MAX_RETRY_DELAY = timedelta(hours=1)
#: the digest that tells the platform admins which messages could not be delivered
FAILURE_ALERT_KIND = "mail_failures"
#: at most this many failed messages are listed in one alert (the count is always given)
FAILURE_ALERT_LIST = 50

# every control character (CR, LF, TAB, NUL, ...) and the Unicode line separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# one mailbox, nothing else: no display name, no list, no comment, no white space
_ADDRESS = re.compile(r"[^\s@<>,;:()\[\]\\\"]+@[^\s@<>,;:()\[\]\\\"]+")


class Undeliverable(ValueError):
    """A message that can never be sent as it is (retrying would not help)."""


def header_text(value: str) -> str:
    """``value`` made safe for a header: control characters and line breaks become one space.

    A user's own name, an enterprise, hub or cycle name and a support subject all reach the
    Subject: a line break there would end the header (header injection) or make the message
    impossible to build."""
    return " ".join(_CONTROL.sub(" ", value).split())


def _address(value: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise Undeliverable(f"invalid recipient address {value!r}")
    return value


def _build(message: OutboundEmail) -> EmailMessage:
    """The message as sent; every header value is sanitised here, the one place that builds
    messages. Raises ``Undeliverable`` when it cannot be built."""
    try:
        mail = EmailMessage()
        mail["Subject"] = header_text(message.subject)
        mail["From"] = header_text(current_app.config["MAIL_DEFAULT_SENDER"])
        mail["To"] = _address(message.to_email)
        mail["Message-ID"] = make_msgid(domain="comptoir")
        mail.set_content(message.body_text)
        if message.body_html:
            mail.add_alternative(message.body_html, subtype="html")
    except Undeliverable:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the content, it must not stop the others
        raise Undeliverable(f"cannot be built: {exc}") from exc
    return mail


def deliver_pending(limit: int = 100) -> int:
    """Send up to ``limit`` due messages; return how many were sent.

    One message at a time: it is locked (SKIP LOCKED on PostgreSQL, so concurrent senders never
    take the same one), sent, and its new state committed before the next, so a message that was
    sent is never sent again by a later run, whatever happens to the others. A message that
    cannot be built or that the server refuses for good is marked failed with the reason; one
    that fails for a while (server unreachable, 4xx answer) is retried with a growing delay until
    it is ``GIVE_UP_AFTER`` old. Without MAIL_SERVER nothing is sent (messages wait).
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    now = utcnow()
    sent = 0
    smtp: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            message = _next_due(now)
            if message is None:
                break
            try:
                mail = _build(message)
            except Undeliverable as exc:
                _give_up(message, str(exc))
                db.session.commit()
                continue
            if smtp is None:
                try:
                    smtp = _connect(config)
                except (OSError, smtplib.SMTPException) as exc:
                    smtp_pause.start()
                    _retry_later(message, exc)
                    db.session.commit()
                    _server_unavailable(now, exc, limit)
                    break
                smtp_pause.end()
            try:
                # the envelope goes to the one stored address, never to addresses read back
                # from the headers
                smtp.send_message(mail, to_addrs=[message.to_email])
            except smtplib.SMTPRecipientsRefused as exc:
                [(code, reply)] = exc.recipients.values()  # one recipient per message
                _refused(message, code, reply)
            except smtplib.SMTPResponseException as exc:
                _refused(message, exc.smtp_code, exc.smtp_error)
            except smtplib.SMTPNotSupportedError as exc:
                # e.g. a non-ASCII address and a server without SMTPUTF8: retrying won't help
                _give_up(message, f"cannot be sent: {exc}")
            except (smtplib.SMTPException, OSError) as exc:
                # the connection is lost: this message waits, the next one reconnects
                _retry_later(message, exc)
                _close(smtp)
                smtp = None
            except Exception as exc:  # noqa: BLE001 - the content could not be sent
                _give_up(message, f"cannot be sent: {exc}")
                _close(smtp)
                smtp = None
            else:
                message.status = EmailStatus.sent
                message.sent_at = utcnow()
                message.attempts += 1
                sent += 1
            db.session.commit()
        db.session.commit()
    except BaseException:
        db.session.rollback()  # only the message in hand: the others' states are committed
        raise
    finally:
        _close(smtp)
    return sent


def _next_due(now: datetime) -> OutboundEmail | None:
    return db.session.scalar(
        select(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.pending, OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _server_unavailable(now: datetime, exc: Exception, limit: int) -> None:
    """The server cannot be reached: every due message records the attempt (and its next one)."""
    rows = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.status == EmailStatus.pending, OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    for message in rows:
        _retry_later(message, exc)
    db.session.commit()


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


def _refused(message: OutboundEmail, code: int, reply: bytes | str) -> None:
    """The server answered with an error: 5xx is for good, 4xx may pass."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    reason = f"{code} {text}"
    if code >= 500:
        _give_up(message, f"refused by the mail server: {reason}")
    else:
        _retry_later(message, smtplib.SMTPException(reason))


def _retry_later(message: OutboundEmail, exc: Exception) -> None:
    """A failure that may pass: try again later (2, 4, 8 ... minutes, at most an hour apart),
    until the message is ``GIVE_UP_AFTER`` old."""
    now = utcnow()
    message.attempts += 1
    message.last_error = str(exc)[:500]
    log.warning(
        "e-mail %s to %s failed (attempt %s): %s",
        message.id,
        message.to_email,
        message.attempts,
        exc,
    )
    if now - message.created_at >= GIVE_UP_AFTER:
        _give_up(message, f"still failing after {GIVE_UP_AFTER.days} days: {exc}", tried=True)
        return
    delay = timedelta(minutes=2 ** min(message.attempts, 10))
    message.next_attempt_at = now + min(delay, MAX_RETRY_DELAY)


def _give_up(message: OutboundEmail, reason: str, *, tried: bool = False) -> None:
    """The message will not be sent: failed, with its reason; ``next_attempt_at`` keeps when it
    was given up (the admins' alert lists the messages given up since the previous one)."""
    if not tried:
        message.attempts += 1
    message.status = EmailStatus.failed
    message.last_error = reason[:500]
    message.next_attempt_at = utcnow()
    log.error(
        "e-mail %s (%s) to %s given up: %s", message.id, message.kind, message.to_email, reason
    )


ALERT_RECIPIENTS = "notifications.alert_recipients"
AlertRecipients = Callable[[], list[tuple[str, str]]]


def alert_admins_of_failures() -> int:
    """Queue, for each platform admin, one e-mail listing the messages given up since the
    previous alert. While an alert still waits to be sent (the relay is down), no other is
    queued: the next one, once it has gone, lists everything given up meanwhile. Returns how
    many alerts were queued. Alerts themselves are never alerted about.

    Who the admins are is the accounts domain's knowledge, above this one: it registers a
    provider of ``(e-mail, locale)`` pairs at start-up (``ALERT_RECIPIENTS``)."""
    alerts = select(OutboundEmail).where(OutboundEmail.kind == FAILURE_ALERT_KIND)
    if db.session.scalar(alerts.where(OutboundEmail.status == EmailStatus.pending).limit(1)):
        return 0
    since = db.session.scalar(
        select(func.max(OutboundEmail.created_at)).where(OutboundEmail.kind == FAILURE_ALERT_KIND)
    )
    failed = select(OutboundEmail).where(
        OutboundEmail.status == EmailStatus.failed, OutboundEmail.kind != FAILURE_ALERT_KIND
    )
    if since is not None:
        failed = failed.where(OutboundEmail.next_attempt_at > since)
    count = db.session.scalar(select(func.count()).select_from(failed.subquery()))
    if not count:
        return 0
    listed = list(db.session.scalars(failed.order_by(OutboundEmail.id).limit(FAILURE_ALERT_LIST)))
    provider: AlertRecipients | None = current_app.extensions.get(ALERT_RECIPIENTS)
    admins = provider() if provider is not None else []
    for email, locale in admins:
        queue_email(
            to=email,
            template="emails/notifications/delivery_failures",
            locale=locale,
            kind=FAILURE_ALERT_KIND,
            count=count,
            messages=listed,
        )
    db.session.commit()
    return len(admins)


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


def purge_old_copies(now: datetime | None = None, older_than: timedelta = KEEP_COPIES_FOR) -> int:
    """Delete the copies of messages sent or given up more than ``older_than`` ago (personal
    data kept no longer than needed: docs/deploy.md, the privacy page). Returns how many."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(
        delete(OutboundEmail).where(
            OutboundEmail.status.in_((EmailStatus.sent, EmailStatus.failed)),
            OutboundEmail.created_at < cutoff,
        )
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
