"""Chromium for browser tests: the Debian package at /usr/bin/chromium, driven by Playwright.

Never ``playwright install``: the system Chromium is used. Tests are skipped, with the reason,
when it is absent.

    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch_browser(pw)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str:
    """The Chromium executable, or skip the test with a clear reason."""
    path = os.environ.get("COMPTOIR_CHROMIUM", CHROMIUM)
    if not Path(path).exists():
        pytest.skip(f"Chromium not found at {path} (apt-get install chromium): browser test")
    return path


def launch_browser(playwright: Any, **kwargs: Any) -> Any:
    """A headless Chromium (Playwright ``Browser``); the caller closes it."""
    options: dict[str, Any] = {
        "executable_path": chromium_path(),
        "headless": True,
        "args": ARGS,
    }
    options.update(kwargs)
    return playwright.chromium.launch(**options)
