"""Hub settings and Stripe Connect state (issue 18, items 1 and 2).

Revision ID: connect01
Revises: money01
Create Date: 2026-12-05

Hubs already holding a Stripe account id were taking card payments on it: they keep doing so
(``stripe_charges_enabled`` true for them); the next ``account.updated`` sets the real state.
"""

import sqlalchemy as sa
from alembic import op

revision = "connect01"
down_revision = "money01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(
            sa.Column(
                "manual_payment_means",
                sa.String(length=60),
                nullable=False,
                server_default="cash,cheque",
            )
        )
        batch.add_column(
            sa.Column("default_margin_bp", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("min_order_cents", sa.Integer(), nullable=False, server_default="0")
        )
        for name in (
            "stripe_details_submitted",
            "stripe_charges_enabled",
            "stripe_payouts_enabled",
        ):
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )
        batch.create_check_constraint(
            op.f("ck_enterprises_default_margin_range"), "default_margin_bp BETWEEN 0 AND 10000"
        )
        batch.create_check_constraint(
            op.f("ck_enterprises_min_order_not_negative"), "min_order_cents >= 0"
        )
    op.execute(
        "UPDATE enterprises SET stripe_charges_enabled = true, stripe_details_submitted = true "
        "WHERE stripe_account_id <> ''"
    )
    with op.batch_alter_table("producer_hub_links") as batch:
        batch.add_column(sa.Column("default_margin_bp", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_producer_hub_links_link_default_margin_range"),
            "default_margin_bp IS NULL OR default_margin_bp BETWEEN 0 AND 10000",
        )


def downgrade():
    with op.batch_alter_table("producer_hub_links") as batch:
        batch.drop_constraint(
            op.f("ck_producer_hub_links_link_default_margin_range"), type_="check"
        )
        batch.drop_column("default_margin_bp")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_constraint(op.f("ck_enterprises_min_order_not_negative"), type_="check")
        batch.drop_constraint(op.f("ck_enterprises_default_margin_range"), type_="check")
        for name in (
            "stripe_payouts_enabled",
            "stripe_charges_enabled",
            "stripe_details_submitted",
            "min_order_cents",
            "default_margin_bp",
            "manual_payment_means",
        ):
            batch.drop_column(name)
