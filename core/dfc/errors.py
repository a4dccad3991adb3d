"""The one error type of the DFC layer.

``DfcError`` carries a stable snake_case ``code`` (the list is :data:`CODES`), a message for logs
and API bodies, and the ``@id`` of the node at fault (None for document-level errors such as invalid
JSON). Document-level errors are raised; node-level errors are collected (``Graph.errors``,
``ImportedProduct.errors``) so one bad product never hides the others. It does not derive from
``core.errors.DomainError`` on purpose: this package imports neither Flask nor the app; a view or
service wraps it (``DomainError(err.message, code=err.code)``).
"""

from __future__ import annotations

from typing import Any

#: stable codes, with what they mean
CODES: dict[str, str] = {
    "invalid_json": "the body is not JSON, or not a JSON object",
    "unknown_context": "the @context is not a DFC context URL we know (we never fetch contexts)",
    "invalid_jsonld": "pyld refused the document",
    "missing_type": "a node has no @type",
    "missing_field": "a node lacks a property that consumers require",
    "invalid_value": "a property has a value of the wrong shape (not a number, not a date...)",
    "unknown_unit": "a unit is not a DFC measure we can map to our units",
    "unknown_concept": "a value is not a concept of the expected DFC taxonomy",
    "unknown_currency": "a price is not in a DFC currency we accept",
}


class DfcError(Exception):
    """A DFC document or node was refused. ``node_id`` is the offending node's ``@id``."""

    def __init__(self, code: str, message: str, node_id: str | None = None) -> None:
        self.code = code
        self.message = message
        self.node_id = node_id
        super().__init__(f"{code}: {message}" + (f" ({node_id})" if node_id else ""))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "node_id": self.node_id}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DfcError):
            return NotImplemented
        return (self.code, self.message, self.node_id) == (other.code, other.message, other.node_id)

    def __hash__(self) -> int:
        return hash((self.code, self.message, self.node_id))
