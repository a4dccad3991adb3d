"""Accounts API: who am I (the token's owner and the enterprises they manage)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from accounts import me
from accounts.api_auth import api_user, token_required
from accounts.schemas import MeOut

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="The API caller")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeOut)
    @token_required("read")
    def get(self) -> dict[str, Any]:
        """The token owner's profile and the enterprises they manage (with their role)."""
        from flask import g

        user = api_user()
        assert user is not None  # noqa: S101 - token_required guarantees it
        return {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.locale,
            "is_admin": user.is_admin,
            "email_confirmed": user.email_confirmed_at is not None,
            "token_scope": g.api_token.scope,
            # the enterprises they manage: contributed by enterprises (accounts.me)
            "enterprises": [],
            **me.parts(user),
        }


api_blueprints = [blp]
