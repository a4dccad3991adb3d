"""Database base class and the Flask-SQLAlchemy handle.

Every instant is stored as an aware UTC timestamp (``timestamptz`` on PostgreSQL). SQLite has no
time zone type, so :class:`UTCDateTime` re-attaches UTC on the way out: the rest of the code can
always rely on aware datetimes, whatever the database.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; naive values are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use core.timeutils.utcnow() or aware values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite drops the offset; we only ever store UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)

# The base class of every model. Flask-SQLAlchemy builds ``db.Model`` at run time as a copy of
# ``Base`` (plus its bind/table-name/query mixins); a type checker cannot take an attribute of an
# instance as a base class, so it is told the class it copies.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core bulk statements (``insert(table_of(Variant))``):
    ``Model.__table__`` is typed as any ``FromClause``, since a class may map a join or a select;
    every model here maps a table."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def on_postgresql() -> bool:
    """Whether the session talks to PostgreSQL (production) rather than SQLite (the default)."""
    return db.session.get_bind().dialect.name == "postgresql"


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds.

    For a use case whose caller answers from the objects it has just written (the order placed,
    returned by the API): their attributes are what was committed, and expiring them would
    reload each one with a SELECT on the hottest path of all, checkout.
    """
    session = db.session()
    previous = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


# --------------------------------------------------------------------------- read-only endings

#: set on a connection (its ``info``) by any statement but a SELECT, until its transaction ends
_WROTE = "comptoir_wrote"


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(
    conn: Connection, _cursor: Any, statement: str, _params: Any, _context: Any, many: bool
) -> None:
    if many or not statement.lstrip()[:6].upper().startswith("SELECT"):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_bounds(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def end_read_only_transaction(exc: BaseException | None = None) -> None:
    """At the end of a request, COMMIT a transaction that only read, rather than let the session
    roll it back.

    Both end it the same way for the database, but psycopg forgets its prepared statements at
    every ROLLBACK (and deallocates them on the server): a request that reads after its commit
    (a webhook's subscriber look-up after a checkout) or a page that only reads would make every
    statement of the next requests on that connection parsed and planned again. A transaction
    that ran anything but a SELECT, holds unflushed changes or ended in an error is left to the
    rollback.
    """
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    try:
        if session.connection().info.get(_WROTE):
            return
        # nothing expired: what runs after the teardown (a streamed response's body) may still
        # read the objects loaded, as it could when the session was only closed
        commit_keeping_loaded()
    except SQLAlchemyError:  # the rollback that follows ends it
        log.warning("a read-only transaction could not be committed", exc_info=True)


def init_app(app: Flask) -> None:
    """Register the read-only ending; runs before Flask-SQLAlchemy removes the session (teardown
    functions run in the reverse order of their registration: call this after ``db.init_app``)."""
    app.teardown_appcontext(end_read_only_transaction)
