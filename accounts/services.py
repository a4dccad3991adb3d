"""Account use cases: sign up, e-mail confirmation, log in (rate-limited), password reset,
profile, personal API tokens, personal data export and account deletion.

Logins are recorded server-side (``accounts.sessions``); the actions that send e-mail are
rate-limited per address and per e-mail (``accounts.ratelimit``).

Every top-level function commits once; e-mails are queued in the same transaction through
``notifications.services.queue_email`` and delivered after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from accounts import gdpr, ratelimit, sessions
from accounts.api_auth import hash_token, new_token_value
from accounts.errors import (
    EmailNotConfirmed,
    EmailTaken,
    InvalidCredentials,
    InvalidTokenScope,
    LinkExpired,
    LinkInvalid,
    SameEmail,
    TooManyApiTokens,
    TooManyAttempts,
    WeakPassword,
    WrongPassword,
)
from accounts.models import ApiToken, LoginAttempt, UsedToken, User
from accounts.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from accounts.signals import email_proven
from accounts.tokens import (
    CHANGE_EMAIL,
    CONFIRM_EMAIL,
    RESET_PASSWORD,
    TokenExpired,
    TokenInvalid,
    make_token,
    read_token,
    token_digest,
)
from core.db import db
from core.timeutils import utcnow
from notifications.services import queue_email

LANGUAGES = ("fr", "en")
TOKEN_SCOPES = ("read", "write")
MAX_ACTIVE_TOKENS = 20
#: what the hubs see on the orders of a deleted account (stored data, in the platform's language)
DELETED_CUSTOMER_NAME = "Compte supprimé"
#: a hash that never verifies: the dummy compared against when the e-mail is unknown
_DUMMY_HASH = hash_password("comptoir-timing-equaliser-not-a-password")


def admin_contacts() -> list[tuple[str, str]]:
    """The platform admins' ``(e-mail, locale)``: who hears of e-mails given up (notifications
    asks through the provider ``app.py`` registers)."""
    rows = db.session.execute(
        select(User.email, User.locale).where(User.is_admin.is_(True)).order_by(User.id)
    )
    return [(email, locale or "fr") for email, locale in rows]


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link for e-mails, on the configured public address (never the Host header)."""
    return current_app.config["BASE_URL"] + url_for(endpoint, _external=False, **values)


def check_password_strength(password: str, *, email: str = "") -> None:
    """At least MIN_LENGTH characters, not only one repeated character, not the e-mail address.

    Raises WeakPassword (field ``password``).
    """
    lowered = (password or "").lower()
    local_part = normalize_email(email).split("@")[0]
    if (
        len(password or "") < MIN_LENGTH
        or len(set(lowered)) < 3
        or (email and lowered in {normalize_email(email), local_part})
    ):
        raise WeakPassword(fields={"password": str(WeakPassword.message)})


# --------------------------------------------------------------------------- sign up, confirm


def register_user(
    *,
    email: str,
    password: str,
    full_name: str,
    locale: str = "fr",
    next_url: str = "",
    ip: str | None = None,
) -> User | None:
    """Create an unconfirmed account and e-mail the confirmation link (which leads on to
    ``next_url``, a path on this site, once confirmed).

    An address that already has an account gets no new account and no error (the answer must
    not tell whether an address is registered): its owner is e-mailed instead, the confirmation
    link again if it was never confirmed, else a notice with the login and reset links; returns
    None then. The unique constraint on ``users.email`` decides. Raises WeakPassword, and
    RateLimited (per address and per e-mail).
    """
    email = normalize_email(email)
    ratelimit.consume("signup", ip=ip, email=email)
    check_password_strength(password, email=email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        locale=locale if locale in LANGUAGES else "fr",
        password_changed_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        _tell_owner_of_signup_attempt(email, next_url)
        db.session.commit()
        return None
    _queue_confirmation(user, next_url)
    db.session.commit()
    return user


def _tell_owner_of_signup_attempt(email: str, next_url: str) -> None:
    owner = find_live_user(email)
    if owner is None:
        return  # taken by an anonymised account's placeholder: never a real mailbox
    if owner.email_confirmed_at is None:
        _queue_confirmation(owner, next_url)
        return
    queue_email(
        to=owner.email,
        template="emails/accounts/signup_existing",
        locale=owner.locale,
        kind="signup_existing",
        dedupe_key=f"signup-existing:{owner.id}:{_ten_minute_bucket()}",
        user=owner,
        login_link=_link("accounts.login", email=owner.email),
        reset_link=_link("accounts.forgot_password"),
    )


def _ten_minute_bucket() -> int:
    return int(utcnow().timestamp() // 600)


def _queue_confirmation(user: User, next_url: str = "") -> None:
    token = make_token(CONFIRM_EMAIL, {"uid": user.id, "email": user.email})
    # the link's ``next`` is checked again when used (accounts.views.confirm_email)
    link = _link("accounts.confirm_email", token=token, **({"next": next_url} if next_url else {}))
    queue_email(
        to=user.email,
        template="emails/accounts/confirm_email",
        locale=user.locale,
        kind="account_confirmation",
        # at most one message every ten minutes per account: the form cannot be used to spam
        dedupe_key=f"confirm:{user.id}:{_ten_minute_bucket()}",
        user=user,
        link=link,
    )


def resend_confirmation(email: str, *, ip: str | None = None) -> None:
    """Send the confirmation link again if the address belongs to an unconfirmed account.

    Does nothing otherwise, so that the answer never tells whether an account exists.
    Raises RateLimited (per address and per e-mail, whether or not it has an account).
    """
    ratelimit.consume("confirmation_resend", ip=ip, email=normalize_email(email))
    user = find_live_user(email)
    if user is not None and user.email_confirmed_at is None:
        _queue_confirmation(user)
    db.session.commit()


def confirm_email(token: str) -> User:
    """Mark the address confirmed. Raises LinkExpired or LinkInvalid (tampered, other address).

    Opening the link twice is harmless (it stays confirmed). The orders placed as a guest with
    this address join the account (``accounts.signals.email_proven``: orders listens).
    """
    data = _read(CONFIRM_EMAIL, token)
    user = db.session.get(User, data.get("uid"))
    if user is None or user.deleted_at is not None or user.email != data.get("email"):
        raise LinkInvalid()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    email_proven.send(user)
    db.session.commit()
    return user


def _read(purpose: str, token: str) -> dict[str, Any]:
    try:
        return read_token(purpose, token)
    except TokenExpired as exc:
        raise LinkExpired() from exc
    except TokenInvalid as exc:
        raise LinkInvalid() from exc


def find_live_user(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.email == normalize_email(email), User.deleted_at.is_(None))
    )


# --------------------------------------------------------------------------- log in


def _login_limits() -> tuple[int, int, timedelta]:
    config = current_app.config
    per_email = int(config["LOGIN_MAX_ATTEMPTS"])
    per_ip = int(config.get("LOGIN_MAX_ATTEMPTS_PER_IP") or per_email * 4)
    return per_email, per_ip, timedelta(minutes=int(config["LOGIN_WINDOW_MINUTES"]))


def check_login_allowed(
    email: str, ip: str, now: datetime | None = None, *, counted: bool = False
) -> None:
    """Raise TooManyAttempts when the e-mail (since its last success) or the IP address has too
    many failures within the window. Counted in the database: every app server sees the same.

    ``counted``: the attempt being decided is already recorded as a failure (``authenticate``),
    so the limit is exceeded only when the count is above it.
    """
    now = now or utcnow()
    per_email, per_ip, window = _login_limits()
    since = now - window
    email = normalize_email(email)
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    email_since = max(since, last_success) if last_success else since
    email_failures = db.session.execute(
        select(func.count(), func.min(LoginAttempt.created_at)).where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at > email_since,
        )
    ).one()
    ip_failures = db.session.execute(
        select(func.count(), func.min(LoginAttempt.created_at)).where(
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at > since,
        )
    ).one()
    for (count, oldest), limit in ((email_failures, per_email), (ip_failures, per_ip)):
        if count > limit or (count == limit and not counted):
            retry = int(((oldest + window) - now).total_seconds()) if oldest else 60
            raise TooManyAttempts(retry_after_seconds=max(retry, 1))


def authenticate(*, email: str, password: str, ip: str, now: datetime | None = None) -> User:
    """Check the credentials and record the attempt (committed, even when it fails).

    Raises TooManyAttempts before looking at the password when the limit is reached,
    InvalidCredentials (same message for an unknown address and a wrong password), and
    EmailNotConfirmed when the password is right but the address was never confirmed.

    The attempt is recorded as a failure and committed *before* the failures are counted, and
    becomes a success only once the password is right: of N simultaneous guesses, the k-th to
    commit counts at least k failures, so at most the allowed number reach the password check
    (a check-then-record order let 40 simultaneous guesses all through).
    """
    now = now or utcnow()
    email = normalize_email(email)[:254]
    ip = (ip or "unknown")[:64]
    attempt = LoginAttempt(email=email, ip=ip, succeeded=False, created_at=now)
    db.session.add(attempt)
    db.session.commit()  # visible to every other request before anyone counts
    try:
        check_login_allowed(email, ip, now, counted=True)
    except TooManyAttempts:
        # refused without a password check: not counted, so hammering does not prolong it
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
        db.session.commit()
        raise
    user = find_live_user(email)
    # verify against a dummy hash for unknown addresses: the answer takes as long either way
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password or "")
    if not ok or user is None:
        raise InvalidCredentials()  # the attempt stays recorded as a failure
    attempt.succeeded = True
    if user.email_confirmed_at is None:
        db.session.commit()
        raise EmailNotConfirmed()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    db.session.commit()
    return user


def log_in(*, email: str, password: str, ip: str) -> tuple[User, str]:
    """``authenticate``, then record the new login; returns the user and the key for the
    cookie (``accounts.sessions``). Raises what ``authenticate`` raises."""
    user = authenticate(email=email, password=password, ip=ip)
    key = sessions.open_session(user)
    db.session.commit()
    return user, key


def log_out(session_key: str | None) -> None:
    """End this login server-side: the cookie (or a copy of it) no longer opens the account."""
    sessions.end_session(session_key)
    db.session.commit()


def purge_login_attempts(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete login attempts older than the given age (they only matter within the window),
    and with them the expired login records and old rate-limit hits. Returns the attempts."""
    result = db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - older_than)
    )
    sessions.purge_expired()
    ratelimit.purge()
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- password reset


def _password_stamp(user: User) -> str:
    """Changes whenever the password changes: a reset link embeds it, so a used one fails."""
    changed = user.password_changed_at or user.created_at
    return changed.isoformat() if changed else ""


def request_password_reset(email: str, *, ip: str | None = None) -> None:
    """E-mail a one-hour reset link if the address has a live account; silent otherwise.

    Raises RateLimited (per address and per e-mail, whether or not it has an account)."""
    ratelimit.consume("password_reset", ip=ip, email=normalize_email(email))
    user = find_live_user(email)
    if user is not None:
        token = make_token(RESET_PASSWORD, {"uid": user.id, "pc": _password_stamp(user)})
        queue_email(
            to=user.email,
            template="emails/accounts/reset_password",
            locale=user.locale,
            kind="password_reset",
            dedupe_key=f"reset:{user.id}:{_ten_minute_bucket()}:{_password_stamp(user)}"[:120],
            user=user,
            link=_link("accounts.reset_password", token=token),
        )
    db.session.commit()


def check_reset_token(token: str) -> User:
    """The account a reset link is for. Raises LinkExpired or LinkInvalid (also once used)."""
    data = _read(RESET_PASSWORD, token)
    user = db.session.get(User, data.get("uid"))
    if user is None or user.deleted_at is not None or data.get("pc") != _password_stamp(user):
        raise LinkInvalid()
    used = db.session.scalar(
        select(UsedToken.id).where(
            UsedToken.purpose == RESET_PASSWORD, UsedToken.token_hash == token_digest(token)
        )
    )
    if used is not None:
        raise LinkInvalid()
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working (single use).

    Two guards: the link embeds the password-change stamp, and its hash is recorded in
    ``used_tokens`` (unique), so two simultaneous submissions cannot both succeed.
    Opening the link proves the address, so an unconfirmed address becomes confirmed.
    Every login of the account ends, its API tokens are revoked, and the login lockout of the
    address is lifted (the owner has just proved they read the mailbox).
    """
    user = check_reset_token(token)
    check_password_strength(new_password, email=user.email)
    try:
        with db.session.begin_nested():
            db.session.add(UsedToken(purpose=RESET_PASSWORD, token_hash=token_digest(token)))
    except IntegrityError as exc:
        raise LinkInvalid() from exc
    _set_password(user, new_password)
    _end_access(user)
    db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    )
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    email_proven.send(user)
    db.session.commit()
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def _end_access(user: User, *, keep_session: str | None = None) -> int:
    """End the user's logins (but ``keep_session``) and revoke their API tokens: what someone
    who learnt the old password may have opened stops working. Returns the tokens revoked."""
    sessions.end_sessions(user, keep=keep_session)
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- profile


def update_profile(user: User, *, full_name: str, phone: str, locale: str) -> User:
    user.full_name = full_name.strip()[:120]
    user.phone = phone.strip()[:40]
    if locale in LANGUAGES:
        user.locale = locale
    db.session.commit()
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> str:
    """Set a new password. Every login of the account ends, this one included, and its API
    tokens are revoked; returns the key of a fresh login for the caller's browser.

    Raises WrongPassword (field ``current_password``) or WeakPassword.
    """
    if not verify_password(user.password_hash, current_password or ""):
        raise WrongPassword(fields={"current_password": str(WrongPassword.message)})
    check_password_strength(new_password, email=user.email)
    _set_password(user, new_password)
    _end_access(user)
    key = sessions.open_session(user)
    db.session.commit()
    return key


def request_email_change(user: User, *, new_email: str, password: str) -> str:
    """E-mail a link to ``new_email``; the account's address changes only when it is opened
    (proof that the person reads that mailbox). The current address is told at once, so that a
    session left open somewhere cannot move the account away silently. Returns the new address.

    Raises WrongPassword (field ``password``), SameEmail or EmailTaken (field ``new_email``).
    """
    if not verify_password(user.password_hash, password or ""):
        raise WrongPassword(fields={"password": str(WrongPassword.message)})
    new = normalize_email(new_email)
    if new == user.email:
        raise SameEmail(fields={"new_email": str(SameEmail.message)})
    if db.session.scalar(select(User.id).where(User.email == new)) is not None:
        raise EmailTaken(fields={"new_email": str(EmailTaken.message)})
    token = make_token(CHANGE_EMAIL, {"uid": user.id, "old": user.email, "new": new})
    bucket = _ten_minute_bucket()
    queue_email(
        to=new,
        template="emails/accounts/change_email",
        locale=user.locale,
        kind="email_change",
        dedupe_key=f"change-email:{user.id}:{bucket}:{new}"[:120],
        user=user,
        new_email=new,
        link=_link("accounts.confirm_email_change", token=token),
    )
    queue_email(
        to=user.email,
        template="emails/accounts/email_change_notice",
        locale=user.locale,
        kind="email_change_notice",
        dedupe_key=f"change-email-notice:{user.id}:{bucket}:{new}"[:120],
        user=user,
        new_email=new,
        link=_link("accounts.forgot_password"),
    )
    db.session.commit()
    return new


def confirm_email_change(token: str) -> User:
    """Move the account to the address the link was sent to, which is then confirmed.

    Raises LinkExpired, LinkInvalid (tampered, already used: the account no longer has the
    address the link was made from) or EmailTaken (another account took the address since).
    """
    data = _read(CHANGE_EMAIL, token)
    user = db.session.get(User, data.get("uid"))
    if user is None or user.deleted_at is not None or user.email != data.get("old"):
        raise LinkInvalid()
    try:
        with db.session.begin_nested():  # the unique address decides a race with a signup
            user.email = str(data.get("new"))
            user.email_confirmed_at = utcnow()
    except IntegrityError as exc:
        raise EmailTaken() from exc
    email_proven.send(user)
    db.session.commit()
    return user


# --------------------------------------------------------------------------- API tokens


def list_api_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_api_token(user: User, *, name: str, scope: str, password: str) -> tuple[ApiToken, str]:
    """Create a personal token; returns it with its clear value, which is never stored.

    Asks for the current password: a session left open somewhere must not be enough to mint a
    credential that outlives it. Raises WrongPassword (field ``password``), InvalidTokenScope or
    TooManyApiTokens.
    """
    if not verify_password(user.password_hash, password or ""):
        raise WrongPassword(fields={"password": str(WrongPassword.message)})
    if scope not in TOKEN_SCOPES:
        raise InvalidTokenScope(fields={"scope": str(InvalidTokenScope.message)})
    if len(list_api_tokens(user)) >= MAX_ACTIVE_TOKENS:
        raise TooManyApiTokens()
    raw = new_token_value()
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:80] or "API",
        token_hash=hash_token(raw),
        prefix=raw[:12],
        scope=scope,
    )
    db.session.add(token)
    db.session.commit()
    return token, raw


def revoke_api_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.commit()
    return token


# --------------------------------------------------------------------------- personal data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _export_tokens(user: User) -> list[dict[str, Any]]:
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "scope": t.scope,
            "created_at": _iso(t.created_at),
            "last_used_at": _iso(t.last_used_at),
            "revoked_at": _iso(t.revoked_at),
        }
        for t in tokens
    ]


gdpr.register("api_tokens", priority=30, export=_export_tokens)


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about the user, as JSON-ready data (GDPR art. 15 and 20).

    The profile is accounts' own; the other parts (memberships, orders, API tokens, contribution
    choices, followed hubs) are registered by their domains with :mod:`accounts.gdpr`."""
    return {
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.locale,
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "is_admin": user.is_admin,
        },
        **gdpr.export_parts(user),
    }


@dataclass(frozen=True)
class DeletionResult:
    orders_anonymised: int
    enterprises_left_without_manager: list[int]


def delete_account(user: User, *, password: str) -> DeletionResult:
    """Anonymise the account after checking the password (WrongPassword otherwise).

    Personal data is wiped (e-mail → ``deleted-<id>@invalid``, name, phone, password unusable),
    tokens revoked, memberships, follows, carts, login attempts and queued e-mails removed. Orders
    are kept for the hubs' accounts with the contact snapshot wiped. An enterprise left without
    any manager is deactivated (hidden) so that nobody is left in charge of a public shop.
    """
    from notifications.models import OutboundEmail

    if not verify_password(user.password_hash, password or ""):
        raise WrongPassword(fields={"password": str(WrongPassword.message)})
    now = utcnow()
    old_email = user.email
    # memberships (10), orders and carts (20), follows (50): registered with accounts.gdpr
    facts = gdpr.erase_parts(user)
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    sessions.end_sessions(user)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == old_email))
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.to_email == old_email))
    user.email = f"deleted-{user.id}@invalid"
    user.full_name = ""
    user.phone = ""
    user.password_hash = ""  # verify_password refuses an empty hash: nobody can log in
    user.password_changed_at = now
    user.is_admin = False
    user.email_confirmed_at = None
    user.deleted_at = now
    db.session.commit()
    db.session.expire(user, ["memberships", "api_tokens"])
    return DeletionResult(
        orders_anonymised=int(facts.get("orders_anonymised", 0)),
        enterprises_left_without_manager=list(facts.get("enterprises_left_without_manager", [])),
    )


# --------------------------------------------------------------------------- administration


def create_admin(email: str, password: str | None) -> tuple[User, bool]:
    """Create a confirmed platform admin, or promote an existing account (password optional then).

    Returns ``(user, created)``. Raises WeakPassword, or ValueError when creating without one.
    """
    email = normalize_email(email)
    user = find_live_user(email)
    created = user is None
    if user is None:
        if not password:
            raise ValueError("a password is required to create an account")
        check_password_strength(password, email=email)
        user = User(email=email, full_name="", locale="fr")
        db.session.add(user)
        _set_password(user, password)
    elif password:
        check_password_strength(password, email=email)
        _set_password(user, password)
    user.is_admin = True
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.commit()
    return user, created
