from products.views import bp

__all__ = ["bp"]
