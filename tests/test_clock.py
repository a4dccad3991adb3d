"""Every process of a test run reads the same wall clock, shifted or not.

``make test-dates`` shifts the clock with libfaketime (``tests/support/shifted_clock.py``);
these tests prove the shift reached Python, the embedded PostgreSQL, localstripe and any
subprocess, and that the clock still ticks. In a normal run they check the same agreement on
the real clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from core.db import db
from tests.support.stripe_server import LocalStripe

#: processes started at different moments of the run: allow for a slow machine
AGREE = timedelta(seconds=30)


def test_the_clock_is_where_the_run_put_it():
    shifted_to = os.environ.get("COMPTOIR_SHIFTED_TO")
    now = datetime.now(UTC)
    if shifted_to is None:
        assert abs(now.timestamp() - time.time()) < 1
        return
    start = datetime.fromisoformat(shifted_to)
    # the clock started at the chosen moment when the run began, and ticks from there
    assert start - timedelta(minutes=1) <= now <= start + timedelta(hours=3), (now, start)


def test_the_clock_ticks():
    before = time.time()
    time.sleep(0.2)
    assert 0.15 <= time.time() - before < 5


def test_postgresql_reads_the_same_clock(db_session):
    server_now = db.session.scalar(text("SELECT clock_timestamp()"))
    assert abs(server_now - datetime.now(UTC)) < AGREE, server_now


def test_a_subprocess_reads_the_same_clock():
    out = subprocess.check_output(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", "import time; print(time.time())"], text=True
    )
    assert abs(float(out) - time.time()) < AGREE.total_seconds()


@pytest.fixture
def localstripe():
    with LocalStripe() as server:
        yield server


def test_localstripe_reads_the_same_clock(localstripe):
    request = urllib.request.Request(  # noqa: S310 - local test server
        f"{localstripe.url}/v1/customers",
        data=b"email=clock%40example.org",
        headers={"Authorization": "Bearer sk_test_comptoir"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        created = json.load(response)["created"]
    assert abs(created - time.time()) < AGREE.total_seconds(), created
