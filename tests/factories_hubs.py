"""Factories and helpers for hub and cycle tests (local times in Europe/Paris)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tests.factories import HubFactory, MembershipFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")


def local(day: date | str, at: time | str) -> datetime:
    """An aware datetime at a Paris wall-clock time (converted by the caller as needed)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    t = time.fromisoformat(at) if isinstance(at, str) else at
    return datetime.combine(d, t, tzinfo=PARIS)


def hub_with_manager(**hub_kwargs):
    hub = HubFactory(**hub_kwargs)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=hub)
    return hub, manager
