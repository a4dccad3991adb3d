"""Access rows of the legal pages: the platform's notice and privacy policy, a hub's sales terms."""

from __future__ import annotations

from tests.access import MANAGERS_OF_A, PUBLIC, Case, statuses
from tests.factories_accounts import World

PREFIXES = ["hub_terms"]


def _first_version(w: World) -> dict[str, int]:
    from hubs.terms.services import ensure_current_terms

    return {"hub_id": w.a.id, "version": ensure_current_terms(w.a).version}


CASES: list[Case] = [
    Case("pages.legal_notice", PUBLIC),
    Case("pages.privacy", PUBLIC),
    Case("hub_terms.public", PUBLIC, params=lambda w: {"hub_id": w.a.id}),
    Case("hub_terms.version", PUBLIC, params=_first_version),
    Case("hub_terms.edit", MANAGERS_OF_A, params=lambda w: {"hub_id": w.a.id}),
    Case(
        "hub_terms.edit",
        # a save redirects (303) for the managers; the others are refused before reading the form
        statuses(302, 403, 303, 403, 303),
        method="POST",
        params=lambda w: {"hub_id": w.a.id},
        data=lambda w: {"body": "Nos conditions de vente.", "action": "save"},
    ),
]
