"""The gunicorn worker hook that settles the heap (gunicorn.conf.py, core.runtime)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_a_gunicorn_worker_freezes_the_loaded_app_out_of_the_collectors_way():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000  # modules, mappers, templates...
    finally:
        gc.unfreeze()
