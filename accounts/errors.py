"""Account errors: stable codes, user-safe messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accounts.passwords import MIN_LENGTH
from core.errors import DomainError


class EmailTaken(DomainError):
    code = "email_taken"
    status = 409
    message = _l("An account already uses this e-mail address. Log in, or reset your password.")


class SameEmail(DomainError):
    code = "same_email"
    status = 422
    message = _l("This is already your e-mail address.")


class WeakPassword(DomainError):
    code = "weak_password"
    status = 422
    message = _l(
        "Choose a password of at least %(n)s characters that is not your e-mail address.",
        n=MIN_LENGTH,
    )


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 422
    message = _l("Wrong e-mail address or password.")


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    message = _l("Too many failed attempts. Wait a few minutes, or reset your password.")

    def __init__(self, retry_after_seconds: int = 0) -> None:
        minutes = max(1, -(-retry_after_seconds // 60))
        super().__init__(
            _l(
                "Too many failed attempts. Try again in %(minutes)s minutes, or reset your "
                "password.",
                minutes=minutes,
            )
        )
        self.retry_after_seconds = retry_after_seconds


class EmailNotConfirmed(DomainError):
    code = "email_not_confirmed"
    status = 403
    message = _l(
        "Confirm your e-mail address first: open the link we sent you. "
        "No e-mail? We can send it again."
    )


class WrongPassword(DomainError):
    code = "wrong_password"
    status = 422
    message = _l("This is not your current password.")


class LinkExpired(DomainError):
    code = "link_expired"
    status = 400
    message = _l("This link has expired. Ask for a new one.")


class LinkInvalid(DomainError):
    code = "link_invalid"
    status = 400
    message = _l("This link is not valid or was already used. Ask for a new one.")


class InvalidTokenScope(DomainError):
    code = "invalid_scope"
    status = 422
    message = _l("Choose read or write access.")


class TooManyApiTokens(DomainError):
    code = "too_many_tokens"
    status = 409
    message = _l("You already have 20 active tokens: revoke one first.")
