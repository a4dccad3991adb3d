"""A local SMTP sink for tests: aiosmtpd on 127.0.0.1, every message kept in memory.

    sink = SmtpSink()               # started on a free port
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    mail = sink.wait_for(lambda m: "Votre commande" in m["Subject"], timeout=10)
    sink.stop()

``messages`` are ``email.message.EmailMessage`` objects (policy ``default``: headers decoded,
``get_content()`` gives the text), in arrival order; ``envelopes`` the envelope recipients of each.
``refuse={"x@example.org": "550 No such user"}`` answers RCPT TO for that address with that reply.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        refusal = self.sink.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        message = message_from_bytes(envelope.content, policy=default)
        with self.sink._lock:
            self.sink.messages.append(message)  # type: ignore[arg-type]
            self.sink.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts everything and keeps it (never relays)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int | None = None, refuse: dict[str, str] | None = None
    ) -> None:
        self.host = host
        self.port = port or _free_port()
        self.refuse = refuse or {}
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def wait_for(
        self, pred: Callable[[EmailMessage], bool] = lambda m: True, timeout: float = 10.0
    ) -> EmailMessage:
        """The first message matching ``pred``; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for message in self.messages:
                    if pred(message):
                        return message
            if time.monotonic() >= deadline:
                subjects = [m["Subject"] for m in self.messages]
                raise AssertionError(f"no matching e-mail within {timeout}s; got {subjects}")
            time.sleep(0.05)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
