"""A hub's back office for orders: cycles, the orders of a cycle, one order and its actions."""

from operations.backoffice.views import bp

__all__ = ["bp"]
