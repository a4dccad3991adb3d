"""A cycle's reports (packing list, supplier totals, products, payments, fees, pickup sheet)."""

from operations.reports.views import bp

__all__ = ["bp"]
