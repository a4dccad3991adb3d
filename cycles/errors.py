"""Domain errors of order cycles (stable codes; messages are shown to people)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, ValidationFailed


class CycleClosed(DomainError):
    """Orders and carts are refused: the cycle is not open (closed, done or draft)."""

    code = "cycle_closed"
    status = 409
    message = _l("This order cycle is closed: orders are no longer accepted.")


class CycleNotOpenYet(CycleClosed):
    code = "cycle_not_open_yet"
    message = _l("This order cycle is not open yet.")


class ShopClosed(CycleClosed):
    """The hub is no longer shown on the site: its shop takes no order (the pages answer 404)."""

    code = "shop_closed"
    message = _l("This shop is closed: orders are not accepted.")


class CycleInvalid(ValidationFailed):
    code = "cycle_invalid"


class WindowInvalid(ValidationFailed):
    code = "pickup_window_invalid"


class SlotInvalid(ValidationFailed):
    code = "pickup_slot_invalid"


class OfferInvalid(ValidationFailed):
    code = "offer_invalid"


class OfferNotAllowed(DomainError):
    code = "producer_permission_missing"
    status = 403
    message = _l("The producer has not allowed this hub to sell its products.")


class CycleStateError(DomainError):
    code = "cycle_state"
    status = 409
    message = _l("This cannot be done in the cycle's current state.")


class InUse(DomainError):
    code = "in_use"
    status = 409
    message = _l("Orders already use it: it cannot be removed.")
