from operations.dashboard.views import bp

__all__ = ["bp"]
