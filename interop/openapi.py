"""Every route of the DFC API (``/api/dfc/...``) in the application's OpenAPI document
(``/api/v1/openapi.json``, flask-smorest), beside the ``/api/v1`` operations.

The DFC views are a plain Flask blueprint (they answer JSON-LD documents that no marshmallow
schema describes), so their operations are written here from the URL map once the blueprint is
registered: the path and its integer parameters, the view's docstring, the token it takes and
the 401/403 answers (``accounts.api_auth`` wrote them on the view), a JSON-LD success answer and
the error body of ``core.errors`` for any other status.
"""

from __future__ import annotations

from typing import Any

from flask.sansio.app import App

from accounts.api_auth import SECURITY
from interop.urls import API

_SUCCESS = {"GET": "200", "POST": "201", "PUT": "200", "DELETE": "204"}
_JSONLD = {"application/ld+json": {"schema": {"type": "object"}}}
_JSON = {"application/json": {"schema": {"type": "object"}}}
#: the routes under /api/dfc that answer plain JSON, and their success status
_JSON_ANSWERS = {"import_catalog_items": "200", "list_webhooks": "200", "create_webhook": "201"}
_TAG = "DFC"


def _operation(app: App, endpoint: str, method: str) -> dict[str, Any]:
    view = app.view_functions[endpoint]
    manual = dict(getattr(view, "_apidoc", {}).get("manual_doc", {}))
    doc = (view.__doc__ or "").strip()
    summary = " ".join(doc.split("\n\n", 1)[0].split()) if doc else endpoint.rsplit(".", 1)[1]
    name = endpoint.rsplit(".", 1)[1]
    success = _JSON_ANSWERS.get(name) or _SUCCESS.get(method, "200")
    content = _JSON if name in _JSON_ANSWERS else _JSONLD
    responses: dict[str, Any] = {
        success: {"description": "OK"}
        if success == "204"
        else {"description": "OK", "content": content},
        "default": {
            "description": 'An error: `{"error": {"code", "message", "fields"}}`',
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    }
    if method == "POST" and endpoint.endswith(("receive_order", "post_received_order")):
        responses["200"] = {"description": "The same order, sent again", "content": _JSONLD}
    for code, answer in manual.get("responses", {}).items():
        responses[code] = {
            **answer,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation: dict[str, Any] = {
        "tags": [_TAG],
        "summary": summary[:200],
        "description": doc,
        "operationId": f"dfc_{endpoint.rsplit('.', 1)[1]}_{method.lower()}",
        "security": manual.get("security", SECURITY),
        "responses": responses,
    }
    if method in ("POST", "PUT"):
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/ld+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    return operation


def document_dfc_api(app: App) -> None:
    """Add the DFC routes to the app's OpenAPI document (once per app)."""
    from core.extensions import api

    spec = getattr(api, "spec", None)
    if spec is None:
        return
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint.startswith("interop.dfc.")),
        key=lambda r: r.rule,
    )
    if not any(tag.get("name") == _TAG for tag in spec.options.get("tags", [])):
        spec.tag(
            {
                "name": _TAG,
                "description": "The Data Food Consortium API (JSON-LD, docs/dfc.md): an API "
                "token, or an OpenID Connect access token of the configured issuer, as Bearer.",
            }
        )
    for rule in rules:
        if not rule.rule.startswith(API + "/"):
            continue
        operations = {
            method.lower(): _operation(app, rule.endpoint, method)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        }
        # flask-smorest's plugin turns the rule into the path and its typed parameters
        spec.path(rule=rule, operations=operations)
