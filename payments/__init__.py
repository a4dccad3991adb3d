from payments import subscribers  # noqa: F401 - connects payments to the orders' signals
from payments.views import bp

__all__ = ["bp"]
