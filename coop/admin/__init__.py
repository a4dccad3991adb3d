"""Platform administration of the cooperative: ledger, statements, running costs."""

from coop.admin.views import bp

__all__ = ["bp"]
