from accounts import me
from enterprises import gdpr  # noqa: F401  (registers its part of the GDPR export/deletion)
from enterprises.services import managed_enterprises
from enterprises.views import bp

me.contribute("enterprises", managed_enterprises)

__all__ = ["bp"]
