"""Helpers for catalogue tests: a producer with its manager, API tokens, CSV bytes."""

from __future__ import annotations

from accounts.api_auth import hash_token, new_token_value
from accounts.models import ApiToken
from core.db import db
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

HEADER = (
    "sku;product_name;variant_name;category;unit;unit_value;price_eur;vat_rate;stock;"
    "sold_by_weight;active;description;labels"
)


def producer_with_manager(**producer_kwargs):
    producer = ProducerFactory(**producer_kwargs)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=producer)
    return producer, manager


def api_token(user, scope: str = "write") -> str:
    raw = new_token_value()
    db.session.add(
        ApiToken(user=user, name="test", token_hash=hash_token(raw), prefix=raw[:8], scope=scope)
    )
    db.session.commit()  # error handlers roll back to the last savepoint: keep the token
    return raw


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)
