"""demo/coop.py: costs, pledges, a transfer and last month's statements, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from coop.billing.statements import last_ended_month
from coop.models import ContributionPayment, ContributionPledge, PlatformCost, Statement
from core.timeutils import local_date, utcnow
from demo import accounts as demo_accounts
from demo import coop as demo_coop


def _counts(db_session) -> tuple[int, ...]:
    return tuple(
        db_session.scalar(select(func.count()).select_from(model))
        for model in (PlatformCost, ContributionPledge, ContributionPayment, Statement)
    )


def test_demo_coop_seeds_once_and_builds_last_months_statements(db_session):
    demo_accounts.seed()
    summary = demo_coop.seed()
    first = _counts(db_session)
    assert first[:3] == (4, 5, 1)
    assert first[3] >= 3  # the monthly pledges above 0 (a yearly one counts once a year)
    assert "statements for" in summary
    assert demo_coop.seed().startswith("coop: 0 costs, 0 pledges, 0 transfer, 0 statements")
    assert _counts(db_session) == first

    year = local_date(utcnow()).year
    assert set(db_session.scalars(select(PlatformCost.year))) == {year}
    statements = list(db_session.scalars(select(Statement)))
    assert {s.month for s in statements} == {last_ended_month(utcnow())}
    grange = demo_accounts.get_enterprise("la-grange")
    mine = next(s for s in statements if s.enterprise_id == grange.id)
    assert mine.contribution_paid_cents == 3000
    assert mine.contribution_pledged_cents == 3000
    poules = demo_accounts.get_enterprise("les-poules-de-marie")
    assert poules.id not in {s.enterprise_id for s in statements}  # pledged 0, sold nothing
