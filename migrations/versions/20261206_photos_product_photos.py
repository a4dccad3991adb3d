"""Product photos: several per product, ordered, with alt text (issue 19, item 1).

Revision ID: photos01
Revises: search01
Create Date: 2026-12-06

``products.image_path`` (the former single photo, an untouched upload) stays for now and is no
longer shown: ``flask products convert-photos`` turns each into a ``product_photos`` row.
"""

import sqlalchemy as sa
from alembic import op

revision = "photos01"
down_revision = "search01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("widths", sa.String(length=100), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("alt", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_photos_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_photos")),
    )
    with op.batch_alter_table("product_photos") as batch:
        batch.create_index(
            "ix_product_photos_product_position", ["product_id", "position"], unique=False
        )
        batch.create_index(batch.f("ix_product_photos_key"), ["key"], unique=False)


def downgrade():
    with op.batch_alter_table("product_photos") as batch:
        batch.drop_index(batch.f("ix_product_photos_key"))
        batch.drop_index("ix_product_photos_product_position")
    op.drop_table("product_photos")
