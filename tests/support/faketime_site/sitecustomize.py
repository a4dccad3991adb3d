"""Imported by every Python process of a ``make test-dates`` run (on ``PYTHONPATH``).

The run uses libfaketime with a shifted wall clock and a real monotonic clock
(``FAKETIME_DONT_FAKE_MONOTONIC=1``: with a faked monotonic clock, Python's threading waits,
which glibc hands to the kernel on the real monotonic clock, never end).

libfaketime 0.9.10 (Debian 12) then breaks Python >= 3.11's ``time.sleep``: it sleeps with
``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`` and libfaketime shifts that real monotonic
deadline by the wall-clock offset, so the kernel gets a negative time and ``time.sleep`` raises
``OSError: [Errno 22]`` (libfaketime issue #426, fixed after 0.9.10). Here ``time.sleep`` sleeps
in ``select()`` with a relative timeout instead, which libfaketime leaves alone. Nothing else
changes; outside a libfaketime run this module does nothing.
"""

from __future__ import annotations

import os


def _install() -> None:
    import select
    import time

    real_monotonic = time.monotonic

    def sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = real_monotonic() + seconds
        while (left := deadline - real_monotonic()) > 0:
            select.select([], [], [], left)

    sleep.__doc__ = time.sleep.__doc__
    time.sleep = sleep


if (
    "faketime" in os.environ.get("LD_PRELOAD", "")
    and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1"
):
    _install()
