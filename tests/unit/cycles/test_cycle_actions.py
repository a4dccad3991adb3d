"""The actions a cycle's page offers (its buttons ask ``cycle_actions``) in every state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cycles.models import OrderCycle
from cycles.permissions import cycle_actions

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _cycle(**values) -> OrderCycle:
    fields = dict(opens_at=NOW - DAY, closes_at=NOW + DAY, published=True, orders_count=0)
    fields.update(values)
    return OrderCycle(name="Semaine", **fields)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"published": False}, {"publish", "delete", "duplicate"}),
        ({"published": False, "orders_count": 1}, {"publish", "duplicate"}),
        ({"opens_at": NOW + DAY, "closes_at": NOW + 2 * DAY}, {"unpublish", "duplicate"}),
        ({}, {"unpublish", "close", "duplicate"}),
        ({"orders_count": 3}, {"close", "duplicate"}),
        ({"closed_early_at": NOW - timedelta(hours=1), "orders_count": 3}, {"done", "duplicate"}),
        ({"closes_at": NOW - timedelta(hours=1)}, {"done", "duplicate"}),
        ({"closes_at": NOW - timedelta(hours=1), "done_at": NOW}, {"duplicate"}),
    ],
)
def test_cycle_actions_by_state(values, expected):
    assert cycle_actions(_cycle(**values), NOW) == expected
