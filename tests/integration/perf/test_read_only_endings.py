"""A request that only read ends with a COMMIT (core.db.end_read_only_transaction): psycopg
forgets its prepared statements at every ROLLBACK, which made every statement of the next
checkouts on that connection parsed and planned again. What wrote is still rolled back."""

from __future__ import annotations

from sqlalchemy import select, update

from accounts.models import User
from core.db import db, end_read_only_transaction
from tests.factories import UserFactory


def _prepared_on(raw) -> int:
    with raw.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        (count,) = cursor.fetchone()
    raw.commit()
    return count


def _read_often(user_id: int):
    """Read enough times for psycopg to prepare the statement; the connection it used."""
    for _ in range(7):
        db.session.execute(select(User.full_name).where(User.id == user_id)).all()
    return db.session.connection().connection.dbapi_connection


def test_a_request_that_only_read_keeps_its_prepared_statements(committed):
    user = UserFactory()
    db.session.commit()
    with committed.app_context():  # a request of its own: its session is removed at the end
        raw = _read_often(user.id)
    assert _prepared_on(raw) >= 1


def test_without_it_the_rollback_would_forget_them(committed):
    """The reason, pinned: should psycopg stop forgetting them, this ending can go."""
    user = UserFactory()
    db.session.commit()
    raw = _read_often(user.id)
    db.session.rollback()
    assert _prepared_on(raw) == 0


def test_what_wrote_or_waits_to_be_written_is_rolled_back(committed):
    user = UserFactory(full_name="Avant")
    db.session.commit()
    with committed.app_context():  # an UPDATE the session does not track
        db.session.execute(update(User).where(User.id == user.id).values(full_name="Core"))
    with committed.app_context():  # a change not flushed yet
        db.session.get(User, user.id).full_name = "ORM"
    with committed.app_context():  # read, then the request fails
        db.session.get(User, user.id)
        end_read_only_transaction(RuntimeError("boom"))
        assert db.session().in_transaction()
    db.session.expire_all()
    assert db.session.scalar(select(User.full_name).where(User.id == user.id)) == "Avant"


def test_what_was_loaded_stays_readable_after_the_ending(committed):
    """A streamed response's body runs after the teardown: the objects it reads were loaded
    before, and must not have been expired by the commit that ended the request."""
    user = UserFactory(full_name="Lue")
    db.session.commit()
    with committed.app_context():
        loaded = db.session.get(User, user.id)
    assert loaded.full_name == "Lue"  # detached as the session was removed, not expired
