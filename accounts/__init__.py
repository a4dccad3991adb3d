from accounts import loader  # noqa: F401  (registers the Flask-Login user loader)
from accounts.views import bp

__all__ = ["bp"]
