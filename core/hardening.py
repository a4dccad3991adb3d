"""Bad input gets a clear 4xx, never a 500: the app-wide guards (docs/security.md, "Bad input").

- ``<int:...>`` in every URL is bounded to PostgreSQL's ``integer`` (0 … 2³¹-1): a larger id
  does not match the route (404) instead of overflowing in the database.
- ``request.args`` / ``request.form`` ``.get(key, type=int)`` treat an integer outside
  -2³¹ … 2³¹-1 as they treat ``"abc"``: the default (``page`` ≥ 2⁶³, an id typed by hand).
- A NUL character (PostgreSQL refuses it in text) in the path, the query, a form or a JSON body
  is refused with 400 ``invalid_characters`` before any view runs.
- A JSON body nested deeper than :data:`MAX_JSON_DEPTH` (or too deep for Python's parser) is
  refused with 400 ``json_too_deep`` before webargs or a view parses it again.
- What still slips through to PostgreSQL as a value it refuses (``DataError``: out of range,
  text too long for its column) is answered 400 ``invalid_value`` after a rollback, and logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any, TypeVar

from flask import Flask, Request, current_app, request
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from core.errors import InvalidCharacters, JsonTooDeep

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

#: PostgreSQL ``integer``: every id and every integer column of the schema
MAX_DB_INT = 2**31 - 1
MIN_DB_INT = -(2**31)
#: deeper JSON is refused (our documents nest 6 levels; DFC JSON-LD about 8)
MAX_JSON_DEPTH = 64


class IdConverter(IntegerConverter):
    """``<int:...>``: a non-negative integer that fits PostgreSQL's ``integer`` column."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def bounded_int(value: Any) -> int:
    """``int(value)``, refusing (ValueError) what no integer column can hold."""
    number = int(value)
    if not MIN_DB_INT <= number <= MAX_DB_INT:
        raise ValueError(f"{number} is out of range")
    return number


def id_from(text: str) -> int | None:
    """The id written in a form key (``qty-12``): digits only, within the integer column."""
    if not text.isdigit():
        return None
    try:
        return bounded_int(text)
    except ValueError:
        return None


def _bounded(type: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    return bounded_int if type is int else type


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form values: ``get(key, type=int)`` bounded to the integer column's range."""

    # werkzeug types get/getlist as overloads a plain override cannot restate
    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]  # noqa: A002, E501
        bounded = _bounded(type)
        return super().get(key, default) if bounded is None else super().get(key, default, bounded)

    def getlist(self, key: Any, type: Any = None) -> list[Any]:  # noqa: A002
        bounded = _bounded(type)
        return super().getlist(key) if bounded is None else super().getlist(key, bounded)


class BoundedCombinedMultiDict(CombinedMultiDict):
    """``request.values`` (query and form together), bounded the same way."""

    # werkzeug types get/getlist as overloads a plain override cannot restate
    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]  # noqa: A002, E501
        bounded = _bounded(type)
        return super().get(key, default) if bounded is None else super().get(key, default, bounded)

    def getlist(self, key: Any, type: Any = None) -> list[Any]:  # noqa: A002
        bounded = _bounded(type)
        return super().getlist(key) if bounded is None else super().getlist(key, bounded)


class ComptoirRequest(Request):
    parameter_storage_class = BoundedMultiDict

    @cached_property
    def values(self) -> CombinedMultiDict:
        sources = [self.args] if self.method == "GET" else [self.args, self.form]
        return BoundedCombinedMultiDict(sources)


def json_shape(doc: Any, *, max_depth: int = MAX_JSON_DEPTH) -> Iterator[tuple[int, Any]]:
    """Each container and string of ``doc`` with its depth, walked without recursion; raises
    :class:`JsonTooDeep` past ``max_depth``."""
    stack: list[tuple[int, Any]] = [(1, doc)]
    while stack:
        depth, value = stack.pop()
        if depth > max_depth:
            raise JsonTooDeep()
        yield depth, value
        if isinstance(value, dict):
            for key, item in value.items():
                yield depth, key
                stack.append((depth + 1, item))
        elif isinstance(value, list):
            stack.extend((depth + 1, item) for item in value)


def load_json(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses a document deeper than ``max_depth`` (JsonTooDeep) instead
    of overflowing the interpreter's stack; invalid JSON raises ``ValueError`` as usual."""
    try:
        doc = json.loads(raw)
    except RecursionError:
        raise JsonTooDeep() from None
    for _ in json_shape(doc, max_depth=max_depth):
        pass
    return doc


def _has_nul(values: Iterator[Any]) -> bool:
    return any(isinstance(v, str) and "\x00" in v for v in values)


def _json_strings(doc: Any) -> Iterator[Any]:
    return (value for _depth, value in json_shape(doc))


def reads_own_body(view: F) -> F:
    """Mark a view that reads and bounds its JSON body itself, answering in its own error
    format (the DFC import: 422 with per-node problems): the JSON checks leave it alone."""
    view._reads_own_body = True  # type: ignore[attr-defined]
    return view


def check_request() -> None:
    """``before_request``: refuse NUL characters anywhere and over-deep JSON bodies."""
    if "\x00" in request.path or _has_nul(
        x for pair in request.args.items(multi=True) for x in pair
    ):
        raise InvalidCharacters()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if request.is_json and not getattr(view, "_reads_own_body", False):
        raw = request.get_data(cache=True)
        try:
            doc = load_json(raw)
        except (ValueError, UnicodeDecodeError):
            return  # not JSON at all: the view answers as it always did
        if _has_nul(_json_strings(doc)):
            raise InvalidCharacters()
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if _has_nul(x for pair in request.form.items(multi=True) for x in pair):
            raise InvalidCharacters()


def init_app(app: Flask) -> None:
    """Before the blueprints are registered (their rules take the ``int`` converter then)."""
    app.request_class = ComptoirRequest
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request)
