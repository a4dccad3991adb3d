"""Load → check → act: the request loader and the domain-error handling every view uses.

A view loads the objects its URL names with ``load`` (404 when missing or not where the URL
says, e.g. a cycle of another hub; 403 unless the domain's predicate allows the caller, or 404
with ``hide`` for a private object), calls one service, and lets a ``DomainError`` the service
raises go:

- in an HTML view declared with ``@redirect_on_error(target)``, the error is turned into a
  flash of its message and a redirect to ``target`` (PRG), after a rollback;
- in a form view, ``with domain_errors(form) as attempt:`` puts the error's ``fields`` on the
  form's fields (its message is flashed when none matches) and the view re-renders the form
  when ``not attempt.ok``; without a form it flashes the message and the view carries on (a
  view whose success and failure end on the same page);
- in a JSON endpoint a page's script calls, ``@json_on_error`` answers with the API's error
  body;
- anywhere else, ``core.errors`` answers: the JSON error body under ``/api/``, the error page
  otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from flask import abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from core.db import db
from core.errors import DomainError, json_error
from core.security import require

T = TypeVar("T")
P = ParamSpec("P")

#: where to go after an error: an endpoint (its URL arguments taken from the view's), or a
#: function returning the URL (it may read ``request``)
Target = str | Callable[[], str]


def load(
    model: type[T],
    ident: Any,
    *,
    where: Callable[[T], bool] | None = None,
    allow: Callable[[T], bool] | None = None,
    hide: bool = False,
    options: Sequence[Any] = (),
) -> T:
    """The object the URL names: 404 when missing or not ``where`` (e.g. not of this hub),
    403 unless ``allow`` (404 with ``hide``: someone else's order stays hidden)."""
    obj = db.session.get(model, ident, options=list(options))
    if obj is None or (where is not None and not where(obj)):
        abort(404)
    if allow is not None:
        require(allow(obj), hide=hide)
    return obj


def url_of(target: Target) -> str:
    """The URL of a ``Target``; an endpoint takes the current view's URL arguments it uses."""
    if callable(target):
        return target()
    view_args = request.view_args or {}
    wanted: set[str] = set()
    for rule in current_app.url_map.iter_rules(target):
        wanted |= rule.arguments
    return url_for(target, **{k: v for k, v in view_args.items() if k in wanted})


def flash_error(exc: DomainError, *, fields: bool = False) -> None:
    """Roll back what the failed service left in the session and show its message (with
    ``fields``: each field's message instead, when it names some)."""
    db.session.rollback()
    messages = [str(m) for ms in exc.fields.values() for m in ms] if fields else []
    for message in messages or [str(exc.message)]:
        flash(message, "error")


def redirect_on_error(
    target: Target,
    *,
    status: int = 302,
    anchor: str = "",
    by_error: Mapping[type[DomainError], Target] | None = None,
    fields: bool = False,
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """Declare where an HTML view goes when its service refuses (PRG): a ``DomainError`` is
    rolled back, its message flashed, and the browser sent to ``target`` (or to the target
    ``by_error`` gives for the error's class, the most specific first), at ``#anchor``; with
    ``fields`` the messages of its fields are flashed instead of its message."""

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            try:
                return view(*args, **kwargs)
            except DomainError as exc:
                flash_error(exc, fields=fields)
                chosen = target
                for kind in type(exc).__mro__:
                    if by_error and kind in by_error:
                        chosen = by_error[kind]
                        break
                return redirect(url_of(chosen) + (f"#{anchor}" if anchor else "")), status

        return wrapper

    return decorate


def json_on_error(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """A JSON endpoint of an HTML blueprint (a page's script calls it): a ``DomainError`` is
    rolled back and answered with the API's error body and status."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            answer: ResponseReturnValue = json_error(
                exc.code, str(exc.message), exc.status, exc.fields
            )
            return answer

    return wrapper


def put_field_errors(
    form: FlaskForm, fields: Mapping[str, Any], rename: Mapping[str, str] | None = None
) -> bool:
    """Add a ``DomainError``'s field messages to the form's fields (``rename``: service field →
    form field); False when none of them is a field of the form."""
    placed = False
    for name, messages in fields.items():
        field = getattr(form, (rename or {}).get(name, name), None)
        if field is None or not hasattr(field, "errors"):
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            field.errors.append(str(message))
        placed = True
    return placed


class domain_errors:  # noqa: N801 - used as a statement: ``with domain_errors(form) as attempt``
    """Run a service call; a ``DomainError`` is rolled back, its fields put on the form (its
    message on the form's ``field`` when none matches, else flashed; always flashed with
    ``flash_message``), and ``attempt.ok`` is False (``attempt.error`` holds it)."""

    def __init__(
        self,
        form: FlaskForm | None = None,
        rename: Mapping[str, str] | None = None,
        *,
        field: str = "",
        flash_message: bool = False,
    ) -> None:
        self.form = form
        self.rename = rename
        self.field = field
        self.flash_message = flash_message
        self.error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __enter__(self) -> domain_errors:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(exc, DomainError):
            return False
        db.session.rollback()
        self.error = exc
        placed = self.form is not None and put_field_errors(self.form, exc.fields, self.rename)
        if not placed and self.form is not None and self.field:
            placed = put_field_errors(self.form, {self.field: [exc.message]})
        if self.flash_message or not placed:
            flash(str(exc.message), "error")
        return True
