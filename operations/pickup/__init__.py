from operations.pickup.views import bp

__all__ = ["bp"]
