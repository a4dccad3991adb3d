"""Demo cooperative data: published running costs, contribution pledges, a transfer received,
and the statements of the last month that ended.

Idempotent: costs are found by label and year, a pledge is added only to an enterprise without
one, the transfer by its reference, and ``build_statements`` never rebuilds a built month.
Needs demo.accounts (enterprises, the admin) and reads the commission ledger of demo.orders.
"""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from coop.billing.statements import build_statements, last_ended_month
from coop.models import ContributionPayment, ContributionPledge, PlatformCost, Rhythm
from core.db import db
from core.timeutils import local_date, local_to_utc, utcnow
from demo.accounts import ADMIN, get_enterprise, get_user

#: label, yearly amount in cents (what running the platform costs, published on /cooperative);
#: the scale of a small instance, since the demo has only ten enterprises to share them
COSTS = (
    ("Hébergement (serveurs, sauvegardes)", 60_000),
    ("Temps de support aux producteurs et aux comptoirs", 240_000),
    ("Maintenance et développement du logiciel", 360_000),
    ("Frais bancaires et comptabilité", 24_000),
)

#: enterprise slug, amount in cents, rhythm (0: the enterprise chose not to contribute, for now)
PLEDGES = (
    ("la-grange", 3000, Rhythm.monthly),
    ("cafe-du-bourg", 1500, Rhythm.monthly),
    ("ferme-de-la-prevalaye", 12000, Rhythm.yearly),
    ("gaec-du-moulin", 1000, Rhythm.monthly),
    ("les-poules-de-marie", 0, Rhythm.monthly),
)

TRANSFER_REFERENCE = "DEMO-VIREMENT-LA-GRANGE"


def _costs(year: int) -> int:
    added = 0
    for label, cents in COSTS:
        exists = db.session.scalar(
            select(PlatformCost.id).where(PlatformCost.label == label, PlatformCost.year == year)
        )
        if exists is None:
            db.session.add(PlatformCost(label=label, yearly_cents=cents, year=year))
            added += 1
    return added


def _pledges(since) -> int:
    admin = get_user(ADMIN)
    added = 0
    for slug, cents, rhythm in PLEDGES:
        enterprise = get_enterprise(slug)
        exists = db.session.scalar(
            select(ContributionPledge.id).where(ContributionPledge.enterprise_id == enterprise.id)
        )
        if exists is None:
            db.session.add(
                ContributionPledge(
                    enterprise_id=enterprise.id,
                    amount_cents=cents,
                    rhythm=rhythm,
                    chosen_by_id=admin.id,
                    created_at=since,
                )
            )
            added += 1
    return added


def _transfer(paid_at) -> int:
    exists = db.session.scalar(
        select(ContributionPayment.id).where(ContributionPayment.reference == TRANSFER_REFERENCE)
    )
    if exists is not None:
        return 0
    db.session.add(
        ContributionPayment(
            enterprise_id=get_enterprise("la-grange").id,
            amount_cents=3000,
            method="transfer",
            reference=TRANSFER_REFERENCE,
            status="paid",
            paid_at=paid_at,
            recorded_by_id=get_user(ADMIN).id,
        )
    )
    return 1


def seed() -> str:
    now = utcnow()
    month = last_ended_month(now)
    costs = _costs(local_date(now).year)
    pledges = _pledges(now - timedelta(days=120))
    transfers = _transfer(local_to_utc(month.replace(day=15), time(10)))
    db.session.flush()
    built = build_statements(month, now)  # commits
    return (
        f"coop: {costs} costs, {pledges} pledges, {transfers} transfer, "
        f"{len(built)} statements for {month:%Y-%m}"
    )
