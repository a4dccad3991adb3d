"""Test fixtures: a real PostgreSQL per test session, per-test rollback, factories, login.

- ``app``: session-scoped, on the embedded PostgreSQL, schema built by ``flask db upgrade``.
- ``db_session``: each test runs inside an outer
  transaction that is rolled back; services' ``commit()`` only releases a SAVEPOINT.
- ``committed``: for tests that need real commits seen by other connections or threads (races,
  live server, browser): nothing is rolled back, every table is truncated afterwards.
- ``sqlite_app``: the same application on a SQLite file (the ``make run`` database): smoke tests.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from core.db import db
from tests.support.postgres import start_postgres

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-with-enough-length-0123456789",
    "WTF_CSRF_ENABLED": False,
    "BABEL_DEFAULT_LOCALE": "fr",  # not the DEFAULT_LOCALE of the environment: tests assert in it
    "BASE_URL": "http://comptoir.test",
    "SERVER_NAME": None,
    "MAIL_SERVER": "",
    "STRIPE_SECRET_KEY": "sk_test_comptoir",
    "STRIPE_WEBHOOK_SECRET": "whsec_test_comptoir",
    # every event reads the subscriptions (no list kept, no delay for a new one); the list kept
    # in production is tested on its own (test_webhooks)
    "WEBHOOKS_REFRESH_SECONDS": 0,
    "SHOP_CACHE_SECONDS": 0,  # pages reflect each test's data at once (cache tested on its own)
}


def build_app(database_url: str, **overrides: object) -> Flask:
    from app import create_app

    upload = tempfile.mkdtemp(prefix="comptoir-uploads-")
    return create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": upload,
            "MEDIA_FOLDER": tempfile.mkdtemp(prefix="comptoir-media-"),
            **overrides,
        }
    )


def upgrade_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")


@pytest.fixture(scope="session")
def pg_server():
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app(pg_server) -> Iterator[Flask]:
    pg_server.create_database("comptoir_test")
    application = build_app(pg_server.url("comptoir_test"))
    upgrade_schema(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def db_session(app_ctx: Flask) -> Iterator[scoped_session]:
    """Each test in one outer transaction, rolled back at the end."""
    connection = db.engine.connect()
    outer = connection.begin()
    session = scoped_session(
        sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
    )
    original = db.session
    db.session = session
    try:
        yield session
    finally:
        session.remove()
        db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()


ALL_TABLES_SQL = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)


@pytest.fixture
def committed(app_ctx: Flask) -> Iterator[Flask]:
    """Real commits (other connections and threads see them); every table truncated after."""
    try:
        yield app_ctx
    finally:
        db.session.remove()
        # ids start again at 1 after the TRUNCATE: what the app keeps by id must go too
        app_ctx.extensions.pop("comptoir_current_terms", None)
        with db.engine.begin() as conn:
            tables = [row[0] for row in conn.execute(text(ALL_TABLES_SQL))]
            if tables:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


class FreshGlobalsClient(FlaskClient):
    """Each request starts with an empty ``g``, as in production.

    Tests hold an app context for their whole duration (the per-test session lives in it), and
    Flask reuses it for the client's requests; without this, ``g`` (Flask-Login's cached user,
    per-request caches) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            vars(g).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask, db_session) -> FlaskClient:
    app.test_client_class = FreshGlobalsClient
    return app.test_client()


@pytest.fixture
def login_as(client: FlaskClient):
    """Log a user in on the test client (Flask-Login's session keys and the login's record)."""

    from tests.login import session_values

    def _login(user) -> FlaskClient:
        values = session_values(user)
        with client.session_transaction() as sess:
            sess.update(values)
        return client

    return _login


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Flask:
    application = build_app(f"sqlite:///{tmp_path / 'smoke.sqlite3'}")
    upgrade_schema(application)
    return application


@pytest.fixture
def sqlite_client(sqlite_app: Flask) -> Iterator[FlaskClient]:
    with sqlite_app.app_context():
        yield sqlite_app.test_client()
        db.session.remove()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("COMPTOIR_ENV", "test")
