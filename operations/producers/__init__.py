"""A producer's area: the lines of its products across hubs and cycles, its order lists."""

from operations.producers.views import bp

__all__ = ["bp"]
