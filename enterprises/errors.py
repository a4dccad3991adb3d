"""Enterprise errors: stable codes, user-safe messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError


class EnterpriseInvalid(DomainError):
    """Field errors in ``fields`` (name → message)."""

    code = "enterprise_invalid"
    status = 422
    message = _l("Some fields are invalid.")


class InvalidLogo(DomainError):
    code = "invalid_logo"
    status = 422
    message = _l("The logo must be a PNG, JPEG or WebP image of at most 2 MB.")


class AlreadyManager(DomainError):
    code = "already_manager"
    status = 409
    message = _l("This person already manages the enterprise.")


class InvitationInvalid(DomainError):
    code = "invitation_invalid"
    status = 404
    message = _l("This invitation does not exist or was cancelled.")


class InvitationExpired(DomainError):
    code = "invitation_expired"
    status = 410
    message = _l("This invitation has expired: ask for a new one.")


class InvitationUsed(DomainError):
    code = "invitation_used"
    status = 409
    message = _l("This invitation was already accepted.")


class LastOwner(DomainError):
    code = "last_owner"
    status = 409
    message = _l("An enterprise needs at least one owner: make somebody else owner first.")
