"""Access rows of the development outbox: it does not exist outside development (404 for all,
admins included: e-mails hold personal data and sign-in links)."""

from __future__ import annotations

from tests.access import Case, statuses

PREFIXES = ["dev_outbox"]

NOWHERE = statuses(404, 404, 404, 404, 404)

CASES: list[Case] = [
    Case("dev_outbox.index", NOWHERE),
    Case("dev_outbox.show", NOWHERE, params=lambda w: {"message_id": 1}),
    Case("dev_outbox.html", NOWHERE, params=lambda w: {"message_id": 1}),
]
