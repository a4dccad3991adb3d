"""Helpers for account and enterprise tests: the outbox, links in e-mails, a world of roles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from accounts.models import User
from core.db import db
from enterprises.models import Enterprise, MembershipRole
from notifications.models import OutboundEmail
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory


def outbox(to: str | None = None, kind: str | None = None) -> list[OutboundEmail]:
    query = select(OutboundEmail).order_by(OutboundEmail.id)
    if to is not None:
        query = query.where(OutboundEmail.to_email == to)
    if kind is not None:
        query = query.where(OutboundEmail.kind == kind)
    return list(db.session.scalars(query))


def link_path(message: OutboundEmail, base: str = "http://comptoir.test") -> str:
    """The path of the (first) link to this site in an e-mail's text."""
    found = re.search(re.escape(base) + r"(/\S+)", message.body_text)
    assert found, message.body_text
    return found.group(1)


@dataclass
class World:
    """One enterprise per manager, a citizen and a platform admin (access-matrix roles)."""

    a: Enterprise
    b: Enterprise
    citizen: User
    manager_of_a: User
    manager_of_b: User
    admin: User

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def make_world() -> World:
    a = EnterpriseFactory(name="Ferme A", slug="ferme-a", is_producer=True, is_hub=True)
    b = EnterpriseFactory(name="Ferme B", slug="ferme-b", is_producer=True, is_hub=True)
    manager_a, manager_b = UserFactory(), UserFactory()
    MembershipFactory(user=manager_a, enterprise=a, role=MembershipRole.owner)
    MembershipFactory(user=manager_b, enterprise=b, role=MembershipRole.owner)
    return World(
        a=a,
        b=b,
        citizen=UserFactory(),
        manager_of_a=manager_a,
        manager_of_b=manager_b,
        admin=UserFactory(is_admin=True),
    )
