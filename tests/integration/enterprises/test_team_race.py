"""Two owners removing each other at the same moment: one must stay (row locks, real commits)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from core.db import db
from enterprises import services
from enterprises.errors import LastOwner
from enterprises.models import Membership, MembershipRole
from tests.factories import EnterpriseFactory, MembershipFactory


def test_two_owners_removing_each_other_leave_one_owner(app, committed, monkeypatch):
    ent = EnterpriseFactory()
    first = MembershipFactory(enterprise=ent, role=MembershipRole.owner)
    second = MembershipFactory(enterprise=ent, role=MembershipRole.owner)
    db.session.commit()
    ids, enterprise_id = [first.id, second.id], ent.id
    db.session.remove()

    both_ready = threading.Barrier(2, timeout=10)
    original = services._lock_owners

    def lock_after_both_read(enterprise_id: int):
        both_ready.wait()  # both requests have loaded their membership: now they race
        return original(enterprise_id)

    monkeypatch.setattr(services, "_lock_owners", lock_after_both_read)
    outcomes: list[str] = []

    def remove(membership_id: int) -> None:
        with app.app_context():
            membership = db.session.get(Membership, membership_id)
            try:
                services.remove_member(membership)
                outcomes.append("removed")
            except LastOwner:
                db.session.rollback()
                outcomes.append("last_owner")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=remove, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["last_owner", "removed"]
    query = select(Membership).where(Membership.enterprise_id == enterprise_id)
    left = db.session.scalars(query).all()
    assert [m.role for m in left] == [MembershipRole.owner]
