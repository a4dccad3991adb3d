"""Access rows of free contributions and support requests (enterprise A managed by manager_of_a)."""

from __future__ import annotations

from tests.access import ADMINS, MANAGERS_OF_A, Case, statuses

PREFIXES = ["contributions", "support"]

#: a form posted on enterprise A: done (303 redirect) for A's managers and admins
POSTED_A = statuses(302, 403, 303, 403, 303)
#: a form only admins may post
POSTED_ADMIN = statuses(302, 403, 403, 403, 303)


def _a(w):
    return {"enterprise_id": w.a.id}


def _payment_of_a(w) -> int:
    from sqlalchemy import select

    from coop.models import ContributionPayment
    from core.db import db

    found = db.session.scalar(
        select(ContributionPayment.id).where(ContributionPayment.enterprise_id == w.a.id)
    )
    if found is None:
        payment = ContributionPayment(
            enterprise_id=w.a.id, amount_cents=1500, method="card", status="pending"
        )
        db.session.add(payment)
        db.session.flush()
        found = payment.id
    return found


def _a_payment(w):
    return {"enterprise_id": w.a.id, "payment_id": _payment_of_a(w)}


def _a_payment_under_b(w):
    # A's payment through B's URL: B's manager must not learn it exists (404)
    return {"enterprise_id": w.b.id, "payment_id": _payment_of_a(w)}


def _request_of_a(w):
    from sqlalchemy import select

    from coop.models import SupportRequest
    from core.db import db

    found = db.session.scalar(
        select(SupportRequest.id).where(SupportRequest.enterprise_id == w.a.id)
    )
    if found is None:
        request = SupportRequest(
            enterprise_id=w.a.id, author_id=w.manager_of_a.id, subject="Aide", body="Question"
        )
        db.session.add(request)
        db.session.flush()
        found = request.id
    return {"request_id": found}


CASES: list[Case] = [
    Case("contributions.edit", MANAGERS_OF_A, params=_a),
    Case("contributions.edit", POSTED_A, "POST", _a, lambda w: {"amount": "5", "rhythm": "yearly"}),
    # no pledge yet: nothing to pay, back to the contribution page
    Case("contributions.pay", statuses(302, 403, 302, 403, 302), params=_a),
    # no card given (the page's script posts JSON): 422 for those allowed
    Case(
        "contributions.confirm", statuses(302, 403, 422, 403, 422), "POST", _a_payment, lambda w: {}
    ),
    Case("contributions.status", MANAGERS_OF_A, params=_a_payment),
    Case("contributions.status", statuses(302, 403, 403, 404, 404), params=_a_payment_under_b),
    Case("contributions.admin_list", ADMINS),
    Case("contributions.admin_csv", ADMINS),
    Case("contributions.record_transfer", ADMINS),
    Case(
        "contributions.record_transfer",
        POSTED_ADMIN,
        "POST",
        data=lambda w: {"enterprise_id": w.a.id, "amount": "10", "received_on": "2026-03-02"},
    ),
    Case("support.index", MANAGERS_OF_A, params=_a),
    Case("support.index", POSTED_A, "POST", _a, lambda w: {"subject": "Aide", "body": "Merci"}),
    Case("support.admin_list", ADMINS),
    Case("support.answer", ADMINS, params=_request_of_a),
    Case("support.answer", POSTED_ADMIN, "POST", _request_of_a, lambda w: {"answer": "Voici."}),
]
