"""Times of day and full dates in the reader's convention (core.i18n)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from core.i18n import localdaytime, localtime

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
