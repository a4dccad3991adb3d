"""One embedded PostgreSQL, one migrated database and the large dataset, shared by the benches."""

from __future__ import annotations

import os
import tempfile
from functools import cached_property
from typing import Any

from flask import Flask

from tests.support.postgres import PgServer, start_postgres

BENCH_CONFIG = {
    "SECRET_KEY": "bench-secret-key-0123456789-0123456789-abcdef",
    "WTF_CSRF_ENABLED": False,
    "BASE_URL": "http://127.0.0.1:8000",
    "MAIL_SERVER": "",
}


class BenchContext:
    """``ctx.app`` is migrated; ``ctx.dataset`` builds the large dataset on first use."""

    def __enter__(self) -> BenchContext:
        self.pg: PgServer = start_postgres()
        self._databases: dict[str, Flask] = {}
        return self

    def __exit__(self, *exc: object) -> None:
        for app in self._databases.values():
            with app.app_context():
                from core.db import db

                db.engine.dispose()
        self.pg.stop()

    def database_url(self, name: str) -> str:
        return self.pg.url(name)

    def new_app(self, name: str, **overrides: Any) -> Flask:
        """A migrated, empty database ``name`` and an app bound to it (cached by name)."""
        if name in self._databases:
            return self._databases[name]
        from flask_migrate import upgrade

        from app import create_app

        self.pg.create_database(name)
        upload = tempfile.mkdtemp(prefix=f"comptoir-bench-{name}-")
        app = create_app(
            {
                **BENCH_CONFIG,
                "SQLALCHEMY_DATABASE_URI": self.pg.url(name),
                "UPLOAD_FOLDER": upload,
                **overrides,
            }
        )
        with app.app_context():
            upgrade(revision="heads")
        self._databases[name] = app
        return app

    @property
    def app(self) -> Flask:
        return self.new_app("comptoir_bench")

    @cached_property
    def dataset(self):
        from bench.dataset import build_large_dataset

        with self.app.app_context():
            return build_large_dataset()

    def env_for_subprocess(self, name: str = "comptoir_bench") -> dict[str, str]:
        """Environment for gunicorn workers serving database ``name``."""
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.pg.url(name),
            SECRET_KEY=BENCH_CONFIG["SECRET_KEY"],
            COMPTOIR_ENV="bench",
            BASE_URL=BENCH_CONFIG["BASE_URL"],
            MAIL_SERVER="",
        )
        return env


def logged_in_client(app, user_id: int):
    """A test client logged in as ``user_id`` (logins are server-side records: see
    accounts.sessions), as the tests do it."""
    from core.db import db
    from tests.login import session_values

    with app.app_context():
        values = session_values(user_id)
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(values)
    return client
