"""Configuration: production refuses to start without a real secret key."""

from __future__ import annotations

import pytest

from core.config import DEV_SECRET_KEY, ConfigError, check_production, from_env


def test_production_refuses_the_development_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        check_production({"ENV_NAME": "production", "SECRET_KEY": DEV_SECRET_KEY})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigError):
        check_production({"ENV_NAME": "production", "SECRET_KEY": "short"})


def test_production_accepts_a_long_random_key():
    check_production({"ENV_NAME": "production", "SECRET_KEY": "x" * 48})


def test_create_app_refuses_to_start_in_production_without_secret(monkeypatch):
    from app import create_app

    monkeypatch.setenv("COMPTOIR_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is missing or too weak"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_database_url_from_heroku_style_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/comptoir")
    assert from_env()["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://u:p@db.example:5432/comptoir"
    )


def test_default_database_is_a_sqlite_file_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert from_env()["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert from_env()["SQLALCHEMY_DATABASE_URI"].endswith("instance/comptoir.sqlite3")
