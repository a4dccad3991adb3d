from orders.views import bp

__all__ = ["bp"]
