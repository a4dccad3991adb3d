from enterprises import gdpr  # noqa: F401  (registers its part of the GDPR export/deletion)
from enterprises.views import bp

__all__ = ["bp"]
