"""Data Food Consortium (DFC) interoperability: vocabulary, JSON-LD schemas, import/export.

The DFC core (``jsonld``, ``fields``, ``schemas``, ``nodes``, ``graph``, ``catalog``,
``documents``, ``rules``, ``vocabulary``) imports neither Flask nor the app and can be reused
as is; ``exports``, ``imports``, ``views`` (the token API), ``pages`` and ``cli`` wire it to
Comptoir; ``received`` takes orders other platforms send, ``auth``/``oidc`` check API and
OpenID Connect tokens, ``webhooks`` tells subscribers what happened. ``bp`` is loaded lazily
so that ``import interop.vocabulary`` stays light.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "bp":
        from interop.pages import bp

        return bp
    raise AttributeError(name)
