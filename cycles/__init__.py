from cycles.views import bp

__all__ = ["bp"]
