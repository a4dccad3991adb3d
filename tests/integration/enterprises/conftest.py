from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english_pages(request):
    """Pages in English (the interface is French by default; one test checks the French)."""
    if "client" not in request.fixturenames:
        return  # e.g. race tests with real commits: no rolled-back test session
    client = request.getfixturevalue("client")
    with client.session_transaction() as sess:
        sess["lang"] = "en"


@pytest.fixture(autouse=True)
def _print_unexpected(monkeypatch):
    import traceback

    import core.errors

    monkeypatch.setattr(core.errors.log, "exception", lambda *a, **k: traceback.print_exc())
