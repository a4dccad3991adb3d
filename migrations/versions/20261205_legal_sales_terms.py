"""A hub's sales terms, versioned, and the version each order accepted (issue 18, item 3).

Revision ID: legal01
Revises: lifecycle01
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "legal01"
down_revision = "lifecycle01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sales_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("from_template", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_sales_terms_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_sales_terms_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["enterprises.id"],
            name=op.f("fk_sales_terms_hub_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_terms")),
        sa.UniqueConstraint("hub_id", "version", name="uq_sales_terms_hub_version"),
    )
    with op.batch_alter_table("sales_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_terms_hub_id"), ["hub_id"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sales_terms_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_orders_sales_terms_id"), ["sales_terms_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_sales_terms_id_sales_terms"),
            "sales_terms",
            ["sales_terms_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_orders_sales_terms_id_sales_terms"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_orders_sales_terms_id"))
        batch_op.drop_column("sales_terms_id")
    with op.batch_alter_table("sales_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_terms_hub_id"))
    op.drop_table("sales_terms")
