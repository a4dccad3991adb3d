"""The hello-world Flask app the shopfront throughput is compared with (same gunicorn settings)."""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "Hello, world!"

    return app
