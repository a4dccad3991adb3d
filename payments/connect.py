"""Stripe Connect onboarding of a hub: its own Standard account, through Account Links.

- ``start_onboarding``: creates the hub's account once (idempotency key ``hub-<id>-account``,
  so two managers clicking together get the same account), then an ``account_onboarding``
  Account Link; the manager is sent to Stripe and comes back to the return page (or to the
  refresh page, which makes a new link, when the link expired).
- ``refresh_account``: the return page reads the account again (the state shown at once).
- ``apply_account_update``: the ``account.updated`` webhook keeps the state current
  (details submitted, charges enabled, payouts enabled). Card payment is offered only while
  charges are enabled (``Enterprise.card_payment_ready``).

Stripe is called with no row lock held; the account id is committed as soon as it exists.
Why Account Links rather than OAuth: docs/payments.md ("Connecting a hub").
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from sqlalchemy import select

from core.db import db
from enterprises.models import Enterprise
from payments import stripe_api
from payments.errors import StripeNotConfigured, StripeUnavailable

log = logging.getLogger(__name__)


def account_key(hub: Enterprise) -> str:
    return f"hub-{hub.id}-account"


def _create_account(hub: Enterprise) -> str:
    params: dict[str, Any] = {
        "type": "standard",
        "country": "FR",
        "metadata": {"hub_id": str(hub.id)},
        "business_profile": {"name": hub.name[:100]},
    }
    if hub.contact_email:
        params["email"] = hub.contact_email
    account = stripe_api.client().v1.accounts.create(
        params=params,  # type: ignore[arg-type]
        options={"idempotency_key": account_key(hub)},
    )
    return str(account.id)


def start_onboarding(hub: Enterprise, *, return_url: str, refresh_url: str) -> str:
    """The URL of a new Account Link for the hub's account (created first if it has none).

    Commits the account id. Raises StripeNotConfigured, StripeUnavailable.
    """
    if not stripe_api.is_configured():
        raise StripeNotConfigured()
    try:
        if not hub.stripe_account_id:
            hub.stripe_account_id = _create_account(hub)
            hub.stripe_details_submitted = False
            hub.stripe_charges_enabled = False
            hub.stripe_payouts_enabled = False
            db.session.commit()
        link = stripe_api.client().v1.account_links.create(
            params={
                "account": hub.stripe_account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
    except stripe.StripeError as exc:
        db.session.rollback()
        log.warning("Stripe onboarding of hub %s failed: %s", hub.id, exc)
        raise StripeUnavailable() from exc
    return str(link.url)


def _apply(hub: Enterprise, account: dict[str, Any]) -> None:
    hub.stripe_details_submitted = bool(account.get("details_submitted"))
    hub.stripe_charges_enabled = bool(account.get("charges_enabled"))
    hub.stripe_payouts_enabled = bool(account.get("payouts_enabled"))


def refresh_account(hub: Enterprise) -> Enterprise:
    """Read the hub's account from Stripe and store its state; commit. Stripe unreachable:
    the stored state stays (the webhook will bring it) and StripeUnavailable is raised."""
    if not hub.stripe_account_id:
        return hub
    try:
        account = stripe_api.client().v1.accounts.retrieve(hub.stripe_account_id)
    except stripe.StripeError as exc:
        log.warning("account of hub %s not read: %s", hub.id, exc)
        raise StripeUnavailable() from exc
    _apply(hub, account.to_dict())
    db.session.commit()
    return hub


def apply_account_update(event_type: str, account: dict[str, Any]) -> None:
    """``account.updated`` (inside the webhook's transaction; it commits)."""
    account_id = str(account.get("id") or "")
    if not account_id:
        return None
    hub = db.session.scalar(
        select(Enterprise).where(Enterprise.stripe_account_id == account_id).with_for_update()
    )
    if hub is None:
        log.warning("account.updated for %s matches no hub", account_id)
        return None
    _apply(hub, account)
    return None
