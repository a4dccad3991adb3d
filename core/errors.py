"""Domain errors and the error handlers (HTML pages and JSON bodies under /api/)."""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable, ``message`` user-safe."""

    code = "domain_error"
    status = 409
    message: Any = _l("This operation is not allowed.")

    def __init__(
        self, message: Any = None, *, code: str | None = None, fields: dict | None = None
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "fields": self.fields}


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422
    message = _l("Some fields are invalid.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = _l("Not found.")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    message = _l("You are not allowed to do this.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400
    message = _l("The request contains a value that cannot be read.")


class InvalidCharacters(InvalidInput):
    code = "invalid_characters"
    message = _l("The request contains a forbidden character (NUL).")


class JsonTooDeep(InvalidInput):
    code = "json_too_deep"
    message = _l("The JSON document is nested too deeply.")


class InvalidValue(InvalidInput):
    code = "invalid_value"
    message = _l("A value is out of range or too long.")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    code: str, message: str, status: int, fields: dict | None = None
) -> tuple[Response, int]:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable snake_case code"})
    message = ma.fields.String(required=True, metadata={"description": "For people"})
    # named through data_key: a class attribute "fields" would shadow Schema.fields
    field_messages = ma.fields.Dict(
        required=True,
        data_key="fields",
        metadata={"description": "Messages per field (may be empty)"},
    )


class ErrorSchema(ma.Schema):
    """Every error answer under /api/: ``{"error": {"code", "message", "fields"}}``."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
}


def register_error_handlers(app: Flask) -> None:
    from core.db import db

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> ResponseReturnValue:
        db.session.rollback()
        if wants_json():
            return json_error(exc.code, str(exc.message), exc.status, exc.fields)
        return render_template("errors/error.html", error=exc, status=exc.status), exc.status

    @app.errorhandler(DataError)
    def data_error(exc: DataError) -> ResponseReturnValue:
        # the backstop of core.hardening: a value PostgreSQL refuses (out of range, too long
        # for its column, NUL) is the client's input that no guard caught: 400, nothing written
        db.session.rollback()
        log.warning(
            "Value refused by the database on %s %s: %s", request.method, request.path, exc.orig
        )
        return domain_error(InvalidValue())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        # 405 says which methods the URL takes (``Allow``), 401 how to authenticate, ...
        headers = {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type",)}
        if wants_json():
            fields = {}
            # flask-smorest / webargs put marshmallow messages here
            data = getattr(exc, "data", None) or {}
            if isinstance(data, dict) and "messages" in data:
                fields = data["messages"]
                for location in ("json", "form", "query", "files"):
                    if isinstance(fields, dict) and location in fields and len(fields) == 1:
                        fields = fields[location]
            message = exc.description or exc.name
            if not isinstance(fields, dict):  # a message about the whole body ("Invalid JSON")
                message = " ".join(str(m) for m in fields) if isinstance(fields, list) else message
                fields = {}
            code = _HTTP_CODES.get(status, "http_error")
            body, status = json_error(code, message, status, fields)
            return body, status, headers
        template = f"errors/{status}.html" if status in (403, 404) else "errors/error.html"
        return render_template(template, error=exc, status=status), status, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return json_error("internal_error", "An unexpected error occurred.", 500)
        return render_template("errors/500.html", status=500), 500
