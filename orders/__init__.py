from orders import (
    gdpr,  # noqa: F401  (registers its part of the GDPR export/deletion)
    guest_links,  # noqa: F401  (attaches guest orders once an address is proven)
)
from orders.views import bp

__all__ = ["bp"]
