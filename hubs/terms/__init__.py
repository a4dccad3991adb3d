"""A hub's sales terms (CGV): versioned, from a French template, accepted with each order."""

from hubs.terms.views import bp

__all__ = ["bp"]
