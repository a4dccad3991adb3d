"""marshmallow schemas of the accounts API (output only)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ManagedEnterpriseOut(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    is_producer = fields.Boolean()
    is_hub = fields.Boolean()
    role = fields.String()


class MeOut(Schema):
    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    phone = fields.String()
    language = fields.String()
    is_admin = fields.Boolean()
    email_confirmed = fields.Boolean()
    token_scope = fields.String()
    enterprises = fields.List(fields.Nested(ManagedEnterpriseOut))
