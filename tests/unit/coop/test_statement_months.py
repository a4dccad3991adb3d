"""Statement months: parsing, local-time bounds across daylight saving time, number format."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coop.billing.statements import (
    BadMonth,
    format_number,
    last_ended_month,
    month_bounds,
    parse_month,
)


def test_month_bounds_are_local_midnights_in_utc():
    # November in Paris: UTC+1 all month
    assert month_bounds(date(2026, 11, 1)) == (
        datetime(2026, 10, 31, 23, tzinfo=UTC),
        datetime(2026, 11, 30, 23, tzinfo=UTC),
    )
    # March: the clocks go forward on the 29th, so the month ends at 22:00 UTC
    assert month_bounds(date(2026, 3, 1)) == (
        datetime(2026, 2, 28, 23, tzinfo=UTC),
        datetime(2026, 3, 31, 22, tzinfo=UTC),
    )


def test_last_ended_month_uses_local_time():
    # 1 December 00:30 in Paris is still 30 November in UTC: November has ended
    assert last_ended_month(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == date(2026, 11, 1)
    assert last_ended_month(datetime(2026, 1, 15, tzinfo=UTC)) == date(2025, 12, 1)


def test_numbers_are_zero_padded_per_year():
    assert format_number(2026, 42) == "2026-000042"
    assert sorted([format_number(2026, 10), format_number(2026, 9)])[0] == "2026-000009"


@pytest.mark.parametrize(
    ("text", "month"), [("2026-11", date(2026, 11, 1)), (" 2027-01 ", date(2027, 1, 1))]
)
def test_parse_month(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-13", "abc", "2026/11", None, "1999-12"])
def test_parse_month_refuses_the_rest(text):
    with pytest.raises(BadMonth):
        parse_month(text)
