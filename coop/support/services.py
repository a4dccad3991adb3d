"""Support requests: a manager asks the cooperative for help, a platform admin answers.

Rules: a request belongs to an enterprise and its author; subject and message are required
(trimmed, subject 200 characters at most). An answer sets the status to "answered" and queues an
e-mail to the author in the author's language (in the same transaction: sent if and only if the
answer is saved). Answering again replaces the answer and e-mails the new one.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts import ratelimit
from accounts.models import User
from accounts.services import admin_contacts
from coop.models import SupportRequest
from core.db import db
from core.errors import DomainError
from core.timeutils import utcnow
from enterprises.models import Enterprise
from notifications.services import queue_email

SUBJECT_MAX = 200
BODY_MAX = 20_000


class EmptyRequest(DomainError):
    code = "empty_request"
    status = 422
    message = _l("Give a subject and a message.")


class EmptyAnswer(DomainError):
    code = "empty_answer"
    status = 422
    message = _l("Write an answer.")


def requests_of(enterprise_id: int) -> list[SupportRequest]:
    return list(
        db.session.scalars(
            select(SupportRequest)
            .where(SupportRequest.enterprise_id == enterprise_id)
            .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
        )
    )


def all_requests(status: str | None = None) -> list[tuple[SupportRequest, Enterprise, User | None]]:
    """Every request with its enterprise and author (open ones first, then newest first)."""
    query = (
        select(SupportRequest, Enterprise, User)
        .join(Enterprise, Enterprise.id == SupportRequest.enterprise_id)
        .outerjoin(User, User.id == SupportRequest.author_id)
    )
    if status in ("open", "answered"):
        query = query.where(SupportRequest.status == status)
    query = query.order_by(
        (SupportRequest.status == "answered").asc(),
        SupportRequest.created_at.desc(),
        SupportRequest.id.desc(),
    )
    return [(r, e, u) for r, e, u in db.session.execute(query).all()]


def open_request(
    enterprise: Enterprise, *, author: User, subject: str, body: str, ip: str | None = None
) -> SupportRequest:
    """Record a support request from a manager of the enterprise; commit once (after the rate
    limit's own commit).

    Every platform admin is e-mailed the request (in the same transaction). Raises
    EmptyRequest when the subject or the message is blank, RateLimited (per author and per
    address: ``accounts.ratelimit``).
    """
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise EmptyRequest()
    ratelimit.consume("support_request", ip=ip, user_id=author.id)
    request = SupportRequest(
        enterprise_id=enterprise.id,
        author_id=author.id,
        subject=subject[:SUBJECT_MAX],
        body=body[:BODY_MAX],
        status="open",
        created_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    for email, locale in admin_contacts():
        queue_email(
            to=email,
            template="emails/coop/support_request",
            locale=locale,
            kind="support_request",
            support_request=request,
            enterprise=enterprise,
            author=author,
            link=_link("support.answer", request_id=request.id),
        )
    db.session.commit()
    return request


def author_of(request: SupportRequest) -> User | None:
    return db.session.get(User, request.author_id) if request.author_id else None


def _link(endpoint: str, **values: object) -> str:
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{current_app.config['BASE_URL']}{path}"


def answer_request(request: SupportRequest, *, answer: str, actor: User) -> SupportRequest:
    """Answer a request (status "answered") and queue the e-mail to its author; commit once.

    Locks the request row, so two admins answering at once give two ordered answers. Raises
    EmptyAnswer for a blank answer. No e-mail when the author's account is gone.
    """
    text = (answer or "").strip()
    if not text:
        raise EmptyAnswer()
    locked = db.session.get(
        SupportRequest, request.id, with_for_update=True, populate_existing=True
    )
    assert locked is not None
    now = utcnow()
    locked.answer = text[:BODY_MAX]
    locked.status = "answered"
    locked.answered_by_id = actor.id
    locked.answered_at = now
    author = db.session.get(User, locked.author_id) if locked.author_id else None
    if author is not None and author.email and author.deleted_at is None:
        enterprise = db.session.get(Enterprise, locked.enterprise_id)
        languages = current_app.config.get("LANGUAGES", ["fr", "en"])
        locale = author.locale if author.locale in languages else "fr"
        queue_email(
            to=author.email,
            template="emails/coop/support_answer",
            locale=locale,
            kind="support_answer",
            dedupe_key=f"support_answer:request={locked.id}:at={now.isoformat()}",
            support_request=locked,
            enterprise=enterprise,
            author=author,
            link=_link("support.index", enterprise_id=locked.enterprise_id),
        )
    db.session.commit()
    return locked
