from hubs import gdpr  # noqa: F401  (registers its part of the GDPR export/deletion)
from hubs.views import bp

__all__ = ["bp"]
