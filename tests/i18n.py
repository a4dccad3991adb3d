"""Each test asserts in one language, which it pins: ``in_language(client, "fr")``.

The page language is the session's ``lang`` when set (the language switch), before the user's
``locale`` and ``Accept-Language``: pinning it makes a page's language independent of who is
logged in and of the default (``BABEL_DEFAULT_LOCALE``, itself pinned to French in
``tests/conftest.py``).
"""

from __future__ import annotations

from flask.testing import FlaskClient


def in_language(client: FlaskClient, lang: str) -> FlaskClient:
    with client.session_transaction() as sess:
        sess["lang"] = lang
    return client
