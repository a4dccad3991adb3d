"""Food information before purchase (issue 19, item 2): ingredients, allergens, origin,
storage, use-by or best-before and shelf life, alcohol.

Revision ID: foodinfo01
Revises: dfcimport01
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "foodinfo01"
down_revision = "dfcimport01"
branch_labels = None
depends_on = None

TEXTS = (
    ("allergens", 200),
    ("origin", 200),
    ("origin_code", 120),
    ("storage", 300),
    ("date_kind", 3),
)


def upgrade():
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("ingredients", sa.Text(), nullable=False, server_default=""))
        for name, length in TEXTS:
            batch.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
        batch.add_column(sa.Column("shelf_life_days", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("alcohol_percent", sa.Numeric(precision=4, scale=1), nullable=True)
        )
        batch.create_check_constraint(
            op.f("ck_products_alcohol_range"),
            "alcohol_percent IS NULL OR (alcohol_percent >= 0 AND alcohol_percent <= 100)",
        )
        batch.create_check_constraint(
            op.f("ck_products_shelf_life_range"),
            "shelf_life_days IS NULL OR (shelf_life_days BETWEEN 1 AND 3650)",
        )
        batch.create_check_constraint(
            op.f("ck_products_date_kind"), "date_kind IN ('', 'dlc', 'ddm')"
        )


def downgrade():
    with op.batch_alter_table("products") as batch:
        batch.drop_constraint(op.f("ck_products_date_kind"), type_="check")
        batch.drop_constraint(op.f("ck_products_shelf_life_range"), type_="check")
        batch.drop_constraint(op.f("ck_products_alcohol_range"), type_="check")
        batch.drop_column("alcohol_percent")
        batch.drop_column("shelf_life_days")
        for name, _length in reversed(TEXTS):
            batch.drop_column(name)
        batch.drop_column("ingredients")
