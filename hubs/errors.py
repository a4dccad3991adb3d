"""Domain errors of hubs (stable codes; messages are shown to people)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, ValidationFailed


class PointInvalid(ValidationFailed):
    code = "distribution_point_invalid"


class PointInUse(DomainError):
    code = "distribution_point_in_use"
    status = 409
    message = _l(
        "This distribution point has pickup windows: deactivate it instead of deleting it."
    )


class LinkNotAllowed(DomainError):
    code = "link_not_allowed"
    status = 409
    message = _l("This producer-hub permission cannot change that way.")


class LinkExists(DomainError):
    code = "link_exists"
    status = 409
    message = _l("A request or a permission already exists between this producer and this hub.")


class PostcodeUnknown(DomainError):
    code = "postcode_unknown"
    status = 422
    message = _l("Unknown French postcode: check it, or use your location.")


class SettingsInvalid(DomainError):
    code = "hub_settings_invalid"
    status = 422
    message = _l("The settings were not saved: correct the highlighted fields.")


class HubRequestInvalid(ValidationFailed):
    code = "hub_request_invalid"
