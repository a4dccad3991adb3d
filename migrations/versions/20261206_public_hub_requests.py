"""Requests for a hub where there is none nearby (issue 19, item 6).

Revision ID: public01
Revises: connect01
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "public01"
down_revision = "connect01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hub_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_requests")),
    )
    op.create_index(op.f("ix_hub_requests_created_at"), "hub_requests", ["created_at"])


def downgrade():
    op.drop_index(op.f("ix_hub_requests_created_at"), table_name="hub_requests")
    op.drop_table("hub_requests")
