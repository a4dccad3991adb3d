from hubs.views import bp

__all__ = ["bp"]
