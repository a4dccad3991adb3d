"""Use cases of a hub's sales terms: the current version, a new version, the template."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from core.db import db
from core.errors import ValidationFailed
from core.timeutils import utcnow
from enterprises.models import Enterprise
from hubs.terms.models import SalesTerms

#: the longest text a hub may save (a long CGV is ~25,000 characters)
MAX_BODY_CHARS = 60_000
#: what the template writes where the hub has not given a value (the edit page counts them)
TO_COMPLETE = "[À COMPLÉTER"


class TermsInvalid(ValidationFailed):
    code = "sales_terms_invalid"


class TermsUnchanged(ValidationFailed):
    code = "sales_terms_unchanged"
    message = _l("The text is the same as the current version: nothing was saved.")


#: the hub's details the template reads: the same details give the same text
_TEMPLATE_FIELDS = (
    "name",
    "siret",
    "address",
    "postcode",
    "city",
    "contact_email",
    "phone",
    "vat_number",
)
#: filled templates kept per app (an API checkout compares the hub's latest version with it)
_TEMPLATE_MEMO_SIZE = 512


def _template_key(hub: Enterprise) -> tuple[Any, ...]:
    return (current_app.config.get("BASE_URL", ""), *(getattr(hub, f) for f in _TEMPLATE_FIELDS))


def template_text(hub: Enterprise) -> str:
    """The platform's French template filled with the hub's details (plain text).

    Kept per app by the details it reads, so that a checkout does not render it per order;
    not kept while templates reload (development), where the file may change.
    """
    platform_url = current_app.config.get("BASE_URL", "")
    key = _template_key(hub)
    memo: dict[tuple[Any, ...], str] = current_app.extensions.setdefault(
        "comptoir_terms_template", {}
    )
    text = memo.get(key)
    if text is None:
        text = _normalise(
            render_template("hubs/terms/cgv_template.fr.txt", hub=hub, platform_url=platform_url)
        )
        if not current_app.jinja_env.auto_reload:
            if len(memo) >= _TEMPLATE_MEMO_SIZE:
                memo.clear()
            memo[key] = text
    return text


def _normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip() + "\n"


def latest(hub_id: int) -> SalesTerms | None:
    return db.session.scalar(
        select(SalesTerms).where(SalesTerms.hub_id == hub_id).order_by(SalesTerms.version.desc())
    )


def versions(hub_id: int) -> list[SalesTerms]:
    return list(
        db.session.scalars(
            select(SalesTerms)
            .where(SalesTerms.hub_id == hub_id)
            .order_by(SalesTerms.version.desc())
        )
    )


def get_version(hub_id: int, version: int) -> SalesTerms | None:
    return db.session.scalar(
        select(SalesTerms).where(SalesTerms.hub_id == hub_id, SalesTerms.version == version)
    )


def _add_version(
    hub: Enterprise, body: str, *, from_template: bool, actor_id: int | None, now: datetime
) -> SalesTerms:
    number = db.session.scalar(
        select(func.coalesce(func.max(SalesTerms.version), 0)).where(SalesTerms.hub_id == hub.id)
    )
    # the hub's current version changes: so does its updated_at (``written_current_terms``),
    # strictly, even when two versions are written at one instant (a frozen clock)
    if hub.updated_at is not None:
        hub.updated_at = max(now, hub.updated_at + timedelta(microseconds=1))
    terms = SalesTerms(
        hub_id=hub.id,
        version=int(number or 0) + 1,
        body=body,
        from_template=from_template,
        created_by_id=actor_id,
        created_at=now,
    )
    db.session.add(terms)
    db.session.flush()
    # kept under the hub's new updated_at: should this transaction roll back, no hub row will
    # ever carry that value, and the copy is never used
    _keep_current(hub, terms)
    return terms


def current_terms(hub: Enterprise, now: datetime | None = None) -> SalesTerms:
    """The version a buyer accepts now (flushes, never commits: usable inside a checkout).

    A hub that has never saved its own text gets the template filled with its details; while it
    stays on the template, a change of those details (name, address, contact) makes a new version.
    """
    found = written_current_terms(hub)
    if found is not None:
        return found
    # a new version is needed (rare): serialise per hub, then look again, so two checkouts (or
    # pages) at once write it once and both accept it
    _lock_hub(hub)
    body = template_text(hub)
    found = latest(hub.id)
    if found is not None and (not found.from_template or found.body == body):
        return found
    return _add_version(hub, body, from_template=True, actor_id=None, now=now or utcnow())


def written_current_terms(hub: Enterprise) -> SalesTerms | None:
    """The hub's current version when it is already written; None when ``current_terms`` would
    write one (the hub's first, or its details changed while it stays on the template). Reads
    only, takes no lock.

    Kept per app by the hub's ``updated_at``, which every new version moves (``_add_version``)
    as does every change of the details the template reads: an API checkout then reads no
    version at all (versions never change once written, so the copy kept is the row)."""
    kept = _kept_current().get(hub.id)
    if kept is not None and kept[0] == (hub.updated_at, *_template_key(hub)):
        return db.session.merge(kept[1], load=False)
    found = latest(hub.id)
    if found is not None and (not found.from_template or found.body == template_text(hub)):
        _keep_current(hub, found)
        return found
    return None


def _kept_current() -> dict[int, tuple[Any, SalesTerms]]:
    memo: dict[int, tuple[Any, SalesTerms]] = current_app.extensions.setdefault(
        "comptoir_current_terms", {}
    )
    return memo


def _keep_current(hub: Enterprise, terms: SalesTerms) -> None:
    memo = _kept_current()
    if len(memo) >= _TEMPLATE_MEMO_SIZE:
        memo.clear()
    memo[hub.id] = ((hub.updated_at, *_template_key(hub)), _detached_copy(terms))


def _detached_copy(terms: SalesTerms) -> SalesTerms:
    """A copy belonging to no session (``merge(load=False)`` puts it in one without a query)."""
    copy = SalesTerms(
        id=terms.id,
        hub_id=terms.hub_id,
        version=terms.version,
        body=terms.body,
        from_template=terms.from_template,
        created_by_id=terms.created_by_id,
        created_at=terms.created_at,
    )
    make_transient_to_detached(copy)
    return copy


def ensure_current_terms(hub: Enterprise) -> SalesTerms:
    """``current_terms`` for a page (shop, review, public terms): commits a version it creates.

    Two first visits at once may both try version N: the loser reads the winner's row.
    """
    found = latest(hub.id)
    terms = current_terms(hub)
    if terms is found:
        return terms
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        again = latest(hub.id)
        if again is None:  # pragma: no cover - the winner's row is committed
            raise
        return again
    return terms


def _lock_hub(hub: Enterprise) -> None:
    """Serialise version numbers per hub (the unique constraint is the backstop)."""
    db.session.execute(select(Enterprise.id).where(Enterprise.id == hub.id).with_for_update())


def save_terms(hub: Enterprise, *, body: Any, actor_id: int | None) -> SalesTerms:
    """Save the hub's own text as its next version; commit. TermsInvalid, TermsUnchanged."""
    text = _normalise(body if isinstance(body, str) else "")
    if not text.strip():
        raise TermsInvalid(fields={"body": str(_l("Write the sales terms."))})
    if len(text) > MAX_BODY_CHARS:
        limit = format_decimal(MAX_BODY_CHARS)
        raise TermsInvalid(fields={"body": str(_l("At most %(count)s characters.", count=limit))})
    _lock_hub(hub)
    found = latest(hub.id)
    if found is not None and found.body == text:
        raise TermsUnchanged(fields={"body": str(TermsUnchanged.message)})
    terms = _add_version(hub, text, from_template=False, actor_id=actor_id, now=utcnow())
    db.session.commit()
    return terms


def restore_template(hub: Enterprise, *, actor_id: int | None) -> SalesTerms:
    """Go back to the template filled with the hub's details, as the next version; commit."""
    _lock_hub(hub)
    body = template_text(hub)
    found = latest(hub.id)
    if found is not None and found.from_template and found.body == body:
        raise TermsUnchanged()
    terms = _add_version(hub, body, from_template=True, actor_id=actor_id, now=utcnow())
    db.session.commit()
    return terms


def missing_values(terms: SalesTerms) -> int:
    """How many "[À COMPLÉTER ...]" markers the text still holds (shown to the hub's managers)."""
    return terms.body.count(TO_COMPLETE)


class TermsVersionUnknown(ValidationFailed):
    code = "sales_terms_unknown"
    message = _l("These sales terms are not the hub's: reload the page and accept them again.")


def accepted_terms(hub: Enterprise, terms_id: int | None, now: datetime) -> SalesTerms:
    """The version to store on an order: the one the buyer was shown (it must be this hub's), or
    the hub's current version when the caller did not say (API, older forms). Flushes only."""
    if terms_id is None:
        return current_terms(hub, now)
    return _shown_terms(hub, terms_id)


def written_accepted_terms(hub: Enterprise, terms_id: int | None) -> SalesTerms | None:
    """``accepted_terms`` when it would only read; None when it would write the hub's current
    version (checkout reads before its item locks and writes, if needed, after them)."""
    if terms_id is None:
        return written_current_terms(hub)
    return _shown_terms(hub, terms_id)


def _shown_terms(hub: Enterprise, terms_id: int) -> SalesTerms:
    terms = db.session.get(SalesTerms, terms_id)
    if terms is None or terms.hub_id != hub.id:
        raise TermsVersionUnknown()
    return terms
