from coop.views import bp

__all__ = ["bp"]
