"""The embedded PostgreSQL that tests and benches start leaves nothing behind once stopped."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.postgres import start_postgres


def test_a_stopped_server_leaves_no_folder_and_no_server():
    server = start_postgres()
    server.create_database("comptoir_leftovers")
    assert (server.root / "data").is_dir()
    socket_dir = server.socket_dir
    server.stop()
    assert not server.root.exists()  # each run used to leave an empty comptoir-pg-* folder
    with pytest.raises(psycopg.OperationalError):  # and the server no longer answers
        psycopg.connect(f"dbname=postgres user=postgres host={socket_dir}", connect_timeout=2)
