"""The Flask app served over HTTP on 127.0.0.1 for browser tests.

    server = LiveServer(app)        # werkzeug, threaded, on a free port, in a daemon thread
    page.goto(server.url + "/")
    server.stop()

Use it with the ``committed`` fixture: the browser's requests run in other threads and other
database connections, so test data must be really committed (``committed`` truncates after).
"""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = make_server(host, port, app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="live-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
