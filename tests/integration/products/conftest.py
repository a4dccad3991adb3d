from __future__ import annotations

import pytest

from tests.factories_products import producer_with_manager


@pytest.fixture
def producer_and_manager(db_session):
    found = producer_with_manager(name="Ferme des Quatre Vents")
    # error handlers roll the session back to the last savepoint: keep the fixtures
    db_session.commit()
    return found


@pytest.fixture
def producer(producer_and_manager):
    return producer_and_manager[0]


@pytest.fixture
def manager(producer_and_manager):
    return producer_and_manager[1]


@pytest.fixture(autouse=True)
def english_messages(app_ctx):
    """Service messages in English whatever the default locale (requests choose their own)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture(autouse=True)
def _print_unexpected(monkeypatch):
    import traceback

    import core.errors

    monkeypatch.setattr(core.errors.log, "exception", lambda *a, **k: traceback.print_exc())
