"""Access rows of statements, the hub commission ledger and the platform administration.

Statements and the ledger of enterprise A: A's managers and admins (B's manager: 403). The
administration: platform admins only (403 for everyone else logged in).
"""

from __future__ import annotations

from tests.access import ADMINS, MANAGERS_OF_A, Case, statuses

PREFIXES = ["billing", "coop_admin"]


def _statement_of_a(w):
    from datetime import date

    from sqlalchemy import select

    from coop.models import Statement
    from core.db import db

    statement = db.session.scalar(select(Statement).where(Statement.enterprise_id == w.a.id))
    if statement is None:
        statement = Statement(
            number="2026-900001",
            enterprise_id=w.a.id,
            month=date(2026, 10, 1),
            sales_cents=12345,
            commission_due_cents=123,
            contribution_pledged_cents=1000,
        )
        db.session.add(statement)
        db.session.flush()
    return {"enterprise_id": w.a.id, "statement_id": statement.id}


def _cost(w):
    from sqlalchemy import select

    from coop.models import PlatformCost
    from core.db import db

    cost = db.session.scalar(select(PlatformCost).where(PlatformCost.label == "matrix hosting"))
    if cost is None:
        cost = PlatformCost(label="matrix hosting", yearly_cents=120000, year=2026)
        db.session.add(cost)
        db.session.flush()
    return {"cost_id": cost.id}


def _a(w):
    return {"enterprise_id": w.a.id}


#: admins only, for posts answered by a redirect (anonymous visitors: to the login page)
ADMIN_POST = statuses(302, 403, 403, 403, 302)

CASES: list[Case] = [
    Case("billing.statements", MANAGERS_OF_A, params=_a),
    Case("billing.statement", MANAGERS_OF_A, params=_statement_of_a),
    Case("billing.statement_pdf", MANAGERS_OF_A, params=_statement_of_a),
    Case("billing.ledger", MANAGERS_OF_A, params=_a),
    Case("billing.ledger_csv", MANAGERS_OF_A, params=_a),
    Case("coop_admin.index", ADMINS),
    Case("coop_admin.commissions", ADMINS),
    Case("coop_admin.commissions_csv", ADMINS),
    Case("coop_admin.statements", ADMINS),
    Case("coop_admin.statements_csv", ADMINS),
    # a future month: refused with the form error (422), nothing built
    Case(
        "coop_admin.build_statements",
        statuses(302, 403, 403, 403, 422),
        method="POST",
        data=lambda w: {"month": "2999-01"},
    ),
    Case("coop_admin.costs", ADMINS),
    Case("coop_admin.cost_new", ADMINS),
    Case(
        "coop_admin.cost_new",
        ADMIN_POST,
        method="POST",
        data=lambda w: {"label": "Hébergement", "amount": "1 200,00", "year": "2026"},
    ),
    Case("coop_admin.cost_edit", ADMINS, params=_cost),
    Case(
        "coop_admin.cost_edit",
        ADMIN_POST,
        method="POST",
        params=_cost,
        data=lambda w: {"label": "Hébergement", "amount": "1 300,00", "year": "2026"},
    ),
    Case("coop_admin.cost_delete", ADMIN_POST, method="POST", params=_cost, data=lambda w: {}),
]
