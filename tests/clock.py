"""Dates of test data: built from one "now", placed at Paris wall-clock times.

No test may depend on the date or the time of day it runs at (``make test-dates`` runs the suite
on the eve of a DST change, on a leap day and on a summer Saturday evening). So:

- every date of one object is built from one ``now`` (the factories' ``now`` parameter, the
  current time by default: a test that travels with time_machine builds in its travelled time);
- a date that a rule compares with a wall-clock time (the pickup reminder from 18:00 the evening
  before, the weekly roll at noon, the local day of a report...) is placed at a fixed Paris
  time on a day counted from now's Paris date, through ``local_to_utc`` (right across DST
  changes), never by adding hours to now.

A test *about* time freezes it instead (``time_machine.travel(..., tick=False)``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.timeutils import local_date, local_to_utc, utcnow


def local_day(days: int = 0, *, now: datetime | None = None) -> date:
    """The Paris date ``days`` after now's Paris date."""
    return local_date(now or utcnow()) + timedelta(days=days)


def local_at(days: int, at: str, *, now: datetime | None = None) -> datetime:
    """The UTC instant of the Paris wall-clock time ``at`` ("HH:MM"), ``days`` after now's date."""
    return local_to_utc(local_day(days, now=now), time.fromisoformat(at))
