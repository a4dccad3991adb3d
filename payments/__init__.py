from payments.views import bp

__all__ = ["bp"]
