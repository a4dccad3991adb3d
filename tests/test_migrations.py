"""Migrations build the schema from nothing, match the models, and go down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from core.db import db
from tests.conftest import build_app


def _drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def _roundtrip(app) -> None:
    with app.app_context():
        upgrade(revision="heads")
    assert _drift(app) == []
    with app.app_context():
        downgrade(revision="base")
        upgrade(revision="heads")
    assert _drift(app) == []


@pytest.mark.sqlite
def test_migrations_match_models_on_sqlite(tmp_path):
    _roundtrip(build_app(f"sqlite:///{tmp_path / 'm.sqlite3'}"))


def test_migrations_match_models_on_postgresql(pg_server):
    pg_server.create_database("comptoir_migrations")
    app = build_app(pg_server.url("comptoir_migrations"))
    try:
        _roundtrip(app)
    finally:
        with app.app_context():
            db.engine.dispose()
        pg_server.drop_database("comptoir_migrations")
