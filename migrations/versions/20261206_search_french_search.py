"""French search: folded copies of product and variant names, kept by triggers (issue 19, item 4).

Revision ID: search01
Revises: foodinfo01
Create Date: 2026-12-06

``products.search_name``, ``products.search_description`` and ``variants.search_name`` hold the
text lower-cased, without accents or ligatures, punctuation made spaces (" pain d epices ").
PostgreSQL: the ``unaccent`` and ``pg_trgm`` extensions (both "trusted": the database owner may
create them), the immutable function ``comptoir_fold``, BEFORE triggers and GIN trigram indexes.
SQLite: AFTER triggers calling ``comptoir_fold``, a Python function the application registers on
each connection (``products.search``); the migration must run through the application
(``flask db upgrade``), as it always does. See docs/search.md.
"""

import sqlalchemy as sa
from alembic import op

revision = "search01"
down_revision = "foodinfo01"
branch_labels = None
depends_on = None

COLUMNS = {"products": ("search_name", "search_description"), "variants": ("search_name",)}
SOURCES = {"search_name": "name", "search_description": "description"}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    for table, columns in COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Text(), nullable=False, server_default=""))
    if _postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema = op.get_bind().scalar(
            sa.text(
                "SELECT extnamespace::regnamespace::text FROM pg_extension"
                " WHERE extname = 'unaccent'"
            )
        )
        # unaccent() is only STABLE (it looks its dictionary up through search_path): with the
        # function and dictionary named with their schema, the wrapper may be IMMUTABLE (the
        # documented way to use it in stored or indexed expressions)
        op.execute(
            f"""
            CREATE FUNCTION comptoir_fold(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
              SELECT ' ' || btrim(regexp_replace(
                lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)),
                '[^a-z0-9]+', ' ', 'g')) || ' '
            $$
            """
        )
        for table, columns in COLUMNS.items():
            sets = "; ".join(f"NEW.{c} := comptoir_fold(NEW.{SOURCES[c]})" for c in columns)
            sources = ", ".join(SOURCES[c] for c in columns)
            op.execute(
                f"""
                CREATE FUNCTION {table}_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN {sets}; RETURN NEW; END $$
                """
            )
            op.execute(
                f"CREATE TRIGGER {table}_search BEFORE INSERT OR UPDATE OF {sources}"
                f" ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_fill()"
            )
    else:
        for table, columns in COLUMNS.items():
            sets = ", ".join(f"{c} = comptoir_fold(NEW.{SOURCES[c]})" for c in columns)
            sources = ", ".join(SOURCES[c] for c in columns)
            for event, name in (("INSERT", "insert"), (f"UPDATE OF {sources}", "update")):
                op.execute(
                    f"CREATE TRIGGER {table}_search_{name} AFTER {event} ON {table} BEGIN "  # noqa: S608 - names of this file
                    f"UPDATE {table} SET {sets} WHERE id = NEW.id; END"
                )
    for table, columns in COLUMNS.items():
        sets = ", ".join(f"{c} = comptoir_fold({SOURCES[c]})" for c in columns)
        op.execute(f"UPDATE {table} SET {sets}")  # noqa: S608 - names of this file
        for column in columns:
            op.create_index(
                f"ix_{table}_{column}_trgm",
                table,
                [column],
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )


def downgrade():
    for table, columns in COLUMNS.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
    if _postgresql():
        for table in COLUMNS:
            op.execute(f"DROP TRIGGER {table}_search ON {table}")
            op.execute(f"DROP FUNCTION {table}_search_fill()")
        op.execute("DROP FUNCTION comptoir_fold(text)")
        # the extensions stay: other objects of the database may use them
    else:
        for table in COLUMNS:
            op.execute(f"DROP TRIGGER {table}_search_insert")
            op.execute(f"DROP TRIGGER {table}_search_update")
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
