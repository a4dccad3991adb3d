"""Run pytest with every process's wall clock shifted to a chosen Paris moment (libfaketime).

    python -m tests.support.shifted_clock 2027-03-27T23:30 [-- pytest arguments]

``make test-dates`` runs the non-browser suite this way at three moments (see docs/testing.md).

- The moment is a Europe/Paris wall-clock time; the offset to it is computed now and given to
  libfaketime as a *relative* offset (``FAKETIME=+Ns``): the clock keeps ticking, and every
  process started by the run (pytest, the embedded PostgreSQL, localstripe) has the same clock,
  whenever it starts. An absolute ``FAKETIME`` would freeze the clock; ``@date`` would start each
  process's clock at that date when *it* starts, so PostgreSQL and localstripe would disagree.
- The monotonic clock is not faked (``faketime --exclude-monotonic``): glibc gives threading
  timeouts to the kernel on the real monotonic clock, so with a faked one every
  ``Event.wait(timeout)`` or ``Lock.acquire(timeout=...)`` would never end. libfaketime 0.9.10
  then breaks ``time.sleep`` in Python >= 3.11; ``faketime_site/sitecustomize.py`` works around it.
- ``FAKETIME_NO_CACHE`` is not needed: libfaketime only caches its reading of ``FAKETIME``, which
  does not change during the run. File timestamps are not shifted (libfaketime 0.9.10 does not
  intercept glibc >= 2.33's ``stat``): a file written during the run looks older by the offset.
- ``COMPTOIR_SHIFTED_TO`` tells ``tests/test_clock.py`` where the clock should be: it checks
  that Python, PostgreSQL and a subprocess really see the shifted time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
SITE = Path(__file__).resolve().parent / "faketime_site"


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    moment = datetime.fromisoformat(argv[0]).replace(tzinfo=PARIS)
    pytest_args = argv[1:]
    if pytest_args[:1] == ["--"]:
        pytest_args = pytest_args[1:]
    faketime = shutil.which("faketime")
    if faketime is None:
        print("faketime is missing: apt-get install faketime (Debian)", file=sys.stderr)
        return 2
    offset = round(moment.timestamp() - time.time())
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SITE), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "COMPTOIR_SHIFTED_TO": moment.isoformat(),
    }
    command = [
        faketime,
        "-m",  # libfaketimeMT: the suite runs threads
        "--exclude-monotonic",  # FAKETIME_DONT_FAKE_MONOTONIC=1
        "-f",
        f"{offset:+d}s",
        sys.executable,
        "-m",
        "pytest",
        *pytest_args,
    ]
    print(
        f"== {moment:%A %d %B %Y %H:%M} Europe/Paris ({moment.astimezone(ZoneInfo('UTC')):%H:%M} "
        f"UTC): FAKETIME={offset:+d}s",
        flush=True,
    )
    return subprocess.call(command, env=env)  # noqa: S603 - our own interpreter and faketime


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
