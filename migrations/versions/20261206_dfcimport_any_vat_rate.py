"""Any VAT rate from 0 to 100 % on a product (issue 20, item 1).

Revision ID: dfcimport01
Revises: dfcapi01
Create Date: 2026-12-06

A DFC catalogue from another platform keeps its VAT rate as given (``VATrate`` 0–100, as the DFC
ontology defines it): the French rates 0, 5.5, 10 and 20 % remain the choices of our own forms,
not a rule of the data.
"""

from alembic import op

revision = "dfcimport01"
down_revision = "dfcapi01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products") as batch:
        batch.drop_constraint(op.f("ck_products_vat_rate"), type_="check")
        batch.create_check_constraint(
            op.f("ck_products_vat_rate"), "vat_rate_bp BETWEEN 0 AND 10000"
        )


def downgrade():
    # rates outside the French list become the nearest one below before the old rule returns
    op.execute(
        "UPDATE products SET vat_rate_bp = CASE WHEN vat_rate_bp >= 2000 THEN 2000 "
        "WHEN vat_rate_bp >= 1000 THEN 1000 WHEN vat_rate_bp >= 550 THEN 550 ELSE 0 END "
        "WHERE vat_rate_bp NOT IN (0, 550, 1000, 2000)"
    )
    with op.batch_alter_table("products") as batch:
        batch.drop_constraint(op.f("ck_products_vat_rate"), type_="check")
        batch.create_check_constraint(
            op.f("ck_products_vat_rate"), "vat_rate_bp IN (0, 550, 1000, 2000)"
        )
