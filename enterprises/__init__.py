from enterprises.views import bp

__all__ = ["bp"]
