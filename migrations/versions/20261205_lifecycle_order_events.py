"""Order history: one row per change of an order (orders.models.OrderEvent).

Revision ID: lifecycle01
Revises: secure01
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "lifecycle01"
down_revision = "secure01"
branch_labels = None
depends_on = None

EVENT_KINDS = (
    "placed",
    "paid",
    "payment_failed",
    "marked_paid",
    "balance_paid",
    "cancelled",
    "hold_released",
    "refunded",
    "lines_changed",
    "collected",
    "uncollected",
    "note",
)
ACTOR_KINDS = ("citizen", "hub", "producer", "system", "stripe")


def upgrade():
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*EVENT_KINDS, name="eventkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "actor_kind",
            sa.Enum(*ACTOR_KINDS, name="actorkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=150), nullable=False),
        sa.Column("total_before_cents", sa.Integer(), nullable=True),
        sa.Column("total_after_cents", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_order_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_events_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index("ix_order_events_order_id_id", "order_events", ["order_id", "id"])


def downgrade():
    op.drop_index("ix_order_events_order_id_id", table_name="order_events")
    op.drop_table("order_events")
