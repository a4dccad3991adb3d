"""Support requests from enterprises to the cooperative, answered by platform admins."""

from coop.support.views import bp

__all__ = ["bp"]
