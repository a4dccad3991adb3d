"""Language choice and the formatting filters used by templates (money, dates, units)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    format_date,
    format_decimal,
    format_time,
    get_locale,
)
from flask_login import current_user
from markupsafe import Markup

from core.timeutils import to_local


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI jobs, services called from tests: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in languages:
            return current_user.locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return current_app.config["APP_TIMEZONE"]


def cents(value: int | None, currency: str | None = None) -> str:
    """Format integer cents as money in the current locale ("12,34 €" / "€12.34")."""
    if value is None:
        return ""
    return _money(value, currency or current_app.config["CURRENCY"], str(get_locale()))


@lru_cache(maxsize=8192)
def _money(value: int, currency: str, locale: str) -> str:
    # kept: Babel's formatting costs ~0.1 ms, and pages and e-mails show the same prices often
    return numbers.format_currency(Decimal(value) / 100, currency, locale=locale)


#: one date format per context (docs/ui.md): the names templates pass to ``localdate`` and
#: ``localdt``, as CLDR skeletons, so each language orders them its own way and English never
#: gets the ambiguous "12/5/26"
DATE_SKELETONS = {
    "medium": "yMMMd",  # 5 déc. 2026 / Dec 5, 2026: lists, tables, messages
    "short": "yMMMd",  # the same (kept: "short" was numeric and ambiguous in English)
    "day": "MMMEd",  # sam. 5 déc. / Sat, Dec 5: a pickup or closing day this season
    "day_month": "MMMd",  # 5 déc. / Dec 5: chart axes
    "month": "yMMMM",  # décembre 2026 / December 2026: monthly statements
}


def _skeleton(value: date | datetime, name: str) -> str:
    return babel_dates.format_skeleton(DATE_SKELETONS[name], value, locale=get_locale())


def localdt(value: datetime | None, fmt: str = "medium") -> str:
    """A moment: "5 déc. 2026, 17:00" (fr), "Dec 5, 2026, 5:00 PM" (en); ``fmt`` one of
    ``DATE_SKELETONS`` (the date part), or ``full`` (``localdaytime``)."""
    if value is None:
        return ""
    if fmt == "full":
        return localdaytime(value)
    local = to_local(value)
    if fmt not in DATE_SKELETONS:  # a CLDR pattern, as before
        return babel_dates.format_datetime(local, fmt, locale=get_locale())
    pattern = babel_dates.get_datetime_format("medium", locale=get_locale())
    return str(pattern).replace("{1}", _skeleton(local, fmt)).replace("{0}", localtime(value))


def localdate(value: date | datetime | None, fmt: str = "medium") -> str:
    """A day: "5 déc. 2026" by default; ``full`` "samedi 5 décembre 2026"; or a name of
    ``DATE_SKELETONS``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    if fmt in DATE_SKELETONS:
        return _skeleton(value, fmt)
    return format_date(value, fmt)


def localmonth(value: date | datetime | None) -> str:
    """A month: "décembre 2026" (fr), "December 2026" (en)."""
    return localdate(value, "month")


def localtime(value: datetime | None) -> str:
    """The time of day in the reader's convention: "17:00" (fr), "5:00 PM" (en), as the
    ``short`` dates and times beside it."""
    if value is None:
        return ""
    return format_time(to_local(value), "short")


def localdaytime(value: datetime | None) -> str:
    """The day in full and the time, in the reader's convention: "vendredi 27 novembre 2026,
    17:00" (fr), "Friday, November 27, 2026, 5:00 PM" (en)."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{format_date(local, 'full')}, {format_time(local, 'short')}"


def number(value: Decimal | float | int | None, digits: int = 3) -> str:
    if value is None:
        return ""
    return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0")


def nl2br(value: str) -> Markup:
    from markupsafe import escape

    return Markup("<br>".join(escape(value or "").split("\n")))  # noqa: S704 - parts escaped


def register_i18n(app: Flask) -> None:
    app.jinja_env.filters.update(
        cents=cents,
        localdt=localdt,
        localdate=localdate,
        localmonth=localmonth,
        localtime=localtime,
        localdaytime=localdaytime,
        number=number,
        nl2br=nl2br,
    )
    app.jinja_env.globals.update(get_locale=get_locale, has_endpoint=has_endpoint)


def has_endpoint(name: str) -> bool:
    """Navigation links only for the features this deployment has."""
    return name in current_app.view_functions
