"""Accounts API: who am I (the token's owner and the enterprises they manage)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from accounts.api_auth import api_user, token_required
from accounts.schemas import MeOut
from core.db import db

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description="The API caller")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeOut)
    @token_required("read")
    def get(self) -> dict[str, Any]:
        """The token owner's profile and the enterprises they manage (with their role)."""
        from flask import g

        from enterprises.models import Enterprise, Membership

        user = api_user()
        assert user is not None  # noqa: S101 - token_required guarantees it
        rows = db.session.execute(
            select(Enterprise, Membership.role)
            .join(Membership, Membership.enterprise_id == Enterprise.id)
            .where(Membership.user_id == user.id)
            .order_by(Enterprise.name, Enterprise.id)
        ).all()
        return {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "language": user.locale,
            "is_admin": user.is_admin,
            "email_confirmed": user.email_confirmed_at is not None,
            "token_scope": g.api_token.scope,
            "enterprises": [
                {
                    "id": ent.id,
                    "name": ent.name,
                    "slug": ent.slug,
                    "is_producer": ent.is_producer,
                    "is_hub": ent.is_hub,
                    "role": str(role),
                }
                for ent, role in rows
            ],
        }


api_blueprints = [blp]
