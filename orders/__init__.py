from orders import (
    cycle_usage,  # noqa: F401  (answers cycles.usage: orders on a window, units sold of an offer)
    gdpr,  # noqa: F401  (registers its part of the GDPR export/deletion)
    guest_links,  # noqa: F401  (attaches guest orders once an address is proven)
)
from orders.views import bp

__all__ = ["bp"]
