"""Aware UTC inside, local time (``APP_TIMEZONE``) only at the edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Europe/Paris"
#: the years a typed date may have: a date input takes 1 to 9999, whose edges overflow on the
#: way to UTC (year 1 in Paris is year 0 in UTC) and mean nothing for a market
MIN_YEAR, MAX_YEAR = 1900, 2999


def plausible_year(value: date) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def check_year(value: date) -> None:
    """Refuse (422 ``date_out_of_range``) a date typed outside :data:`MIN_YEAR`–:data:`MAX_YEAR`."""
    if not plausible_year(value):
        from flask_babel import lazy_gettext as _l

        from core.errors import ValidationFailed

        raise ValidationFailed(
            _l("Dates must be between the years %(min)s and %(max)s.", min=MIN_YEAR, max=MAX_YEAR),
            code="date_out_of_range",
        )


def utcnow() -> datetime:
    return datetime.now(UTC)


def app_tz() -> ZoneInfo:
    name = current_app.config.get("APP_TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    return value.astimezone(app_tz())


def local_to_utc(day: date, at: time) -> datetime:
    """The UTC instant of a local wall-clock time (``fold=0`` on the ambiguous autumn hour)."""
    check_year(day)
    return datetime.combine(day, at, tzinfo=app_tz()).astimezone(UTC)


def parse_local(value: str) -> datetime:
    """Parse an ``<input type=datetime-local>`` value (``2026-11-24T20:00``) as local time."""
    naive = datetime.fromisoformat(value)
    check_year(naive)
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=app_tz()).astimezone(UTC)


def same_local_time_next_week(value: datetime, weeks: int = 1) -> datetime:
    """Same weekday and local wall-clock time ``weeks`` later, right across DST changes.

    Adding seven days to a UTC instant would shift the local hour when the clocks change.
    """
    local = to_local(value)
    target_day = local.date() + timedelta(weeks=weeks)
    return local_to_utc(target_day, local.time().replace(tzinfo=None))


def local_date(value: datetime) -> date:
    return to_local(value).date()
