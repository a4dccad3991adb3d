from pages.views import bp

__all__ = ["bp"]
