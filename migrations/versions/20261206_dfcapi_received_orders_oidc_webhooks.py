"""DFC orders received from other platforms, OIDC subjects, outbound webhooks (issue 20,
items 4 and 5).

Revision ID: dfcapi01
Revises: public01
Create Date: 2026-12-06

New tables only: ``dfc_received_orders`` and their lines (interop.received),
``oidc_identities`` (interop.oidc), ``webhook_subscriptions`` and ``webhook_deliveries``
(interop.webhooks).
"""

import sqlalchemy as sa
from alembic import op

revision = "dfcapi01"
down_revision = "public01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dfc_received_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("producer_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=120), nullable=False),
        sa.Column("sender_user_id", sa.Integer(), nullable=True),
        sa.Column("ordered_by", sa.String(length=500), nullable=False),
        sa.Column("sender_order_id", sa.String(length=500), nullable=False),
        sa.Column("sale_session_id", sa.String(length=500), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "held", "complete", "cancelled", name="receivedstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "fulfilment",
            sa.Enum(
                "unfulfilled",
                "fulfilled",
                "cancelled",
                name="fulfilmentstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "total_cents >= 0", name=op.f("ck_dfc_received_orders_total_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["producer_id"],
            ["enterprises.id"],
            name=op.f("fk_dfc_received_orders_producer_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sender_user_id"],
            ["users.id"],
            name=op.f("fk_dfc_received_orders_sender_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dfc_received_orders")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_dfc_received_orders_idempotency_key")),
    )
    with op.batch_alter_table("dfc_received_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dfc_received_orders_producer_created", ["producer_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dfc_received_orders_producer_id"), ["producer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dfc_received_orders_sender_user_id"), ["sender_user_id"], unique=False
        )

    op.create_table(
        "oidc_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oidc_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_oidc_identities_issuer_subject")),
    )
    with op.batch_alter_table("oidc_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_identities_user_id"), ["user_id"], unique=False)

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("events", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_subscriptions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_webhook_subscriptions_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_subscriptions_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "delivered",
                "failed",
                name="deliverystatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_status_next", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "dfc_received_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("sender_line_id", sa.String(length=500), nullable=False),
        sa.Column("product_name", sa.String(length=150), nullable=False),
        sa.Column("variant_name", sa.String(length=120), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("sold_by_weight", sa.Boolean(), nullable=False),
        sa.Column("estimated_weight_g", sa.Integer(), nullable=True),
        sa.Column("line_total_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "line_total_cents >= 0",
            name=op.f("ck_dfc_received_order_lines_line_total_not_negative"),
        ),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("ck_dfc_received_order_lines_quantity_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["dfc_received_orders.id"],
            name=op.f("fk_dfc_received_order_lines_order_id_dfc_received_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_dfc_received_order_lines_variant_id_variants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dfc_received_order_lines")),
    )
    with op.batch_alter_table("dfc_received_order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dfc_received_order_lines_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dfc_received_order_lines_variant_id"), ["variant_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("dfc_received_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dfc_received_order_lines_variant_id"))
        batch_op.drop_index(batch_op.f("ix_dfc_received_order_lines_order_id"))

    op.drop_table("dfc_received_order_lines")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_subscription_id"))
        batch_op.drop_index("ix_webhook_deliveries_status_next")

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_enterprise_id"))

    op.drop_table("webhook_subscriptions")
    with op.batch_alter_table("oidc_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_identities_user_id"))

    op.drop_table("oidc_identities")
    with op.batch_alter_table("dfc_received_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dfc_received_orders_sender_user_id"))
        batch_op.drop_index(batch_op.f("ix_dfc_received_orders_producer_id"))
        batch_op.drop_index("ix_dfc_received_orders_producer_created")

    op.drop_table("dfc_received_orders")
