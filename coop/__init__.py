from coop import gdpr  # noqa: F401  (registers its part of the GDPR export/deletion)
from coop.views import bp

__all__ = ["bp"]
