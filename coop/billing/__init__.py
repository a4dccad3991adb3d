"""Monthly statements (numbered, PDF) and the commission ledger of a hub."""

from coop.billing.views import bp

__all__ = ["bp"]
