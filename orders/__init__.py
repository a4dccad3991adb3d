from orders import gdpr  # noqa: F401  (registers its part of the GDPR export/deletion)
from orders.views import bp

__all__ = ["bp"]
