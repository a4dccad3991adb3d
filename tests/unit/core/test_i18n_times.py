"""Times of day and full dates in the reader's convention (core.i18n)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from core.i18n import localdate, localdaytime, localdt, localmonth, localtime

AT = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 17:00 in Paris


def _plain(text: str) -> str:
    """Babel writes narrow and no-break spaces: compare with plain ones."""
    return re.sub(r"\s", " ", text)


@pytest.mark.parametrize(
    ("lang", "time", "day_and_time"),
    [
        ("fr", "17:00", "vendredi 27 novembre 2026, 17:00"),
        ("en", "5:00 PM", "Friday, November 27, 2026, 5:00 PM"),
    ],
)
def test_times_follow_the_readers_language(app, lang, time, day_and_time):
    with app.test_request_context(), force_locale(lang):
        assert _plain(localtime(AT)) == time
        assert _plain(localdaytime(AT)) == day_and_time


#: one format per context (docs/ui.md); English never gets the numeric "11/27/26"
CONTEXTS = {
    "fr": {
        "moment": "27 nov. 2026, 17:00",
        "day": "27 nov. 2026",
        "coming day": "ven. 27 nov., 17:00",
        "full": "vendredi 27 novembre 2026, 17:00",
        "month": "novembre 2026",
        "axis": "27 nov.",
    },
    "en": {
        "moment": "Nov 27, 2026, 5:00 PM",
        "day": "Nov 27, 2026",
        "coming day": "Fri, Nov 27, 5:00 PM",
        "full": "Friday, November 27, 2026, 5:00 PM",
        "month": "November 2026",
        "axis": "Nov 27",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_date_format_per_context(app, lang):
    with app.test_request_context(), force_locale(lang):
        shown = {
            "moment": localdt(AT),
            "day": localdate(AT),
            "coming day": localdt(AT, "day"),
            "full": localdt(AT, "full"),
            "month": localmonth(AT.date()),
            "axis": localdate(AT, "day_month"),
        }
        short = (localdt(AT, "short"), localdate(AT, "short"))
    assert {k: _plain(v) for k, v in shown.items()} == CONTEXTS[lang]
    # "short" was the numeric CLDR format ("11/27/26, 5:00 PM" in English): now the same as
    # the default, unambiguous in both languages
    assert (_plain(short[0]), _plain(short[1])) == (CONTEXTS[lang]["moment"], CONTEXTS[lang]["day"])
    assert not any(re.search(r"\d/\d", v) for v in shown.values())
