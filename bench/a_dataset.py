"""Build the large dataset and report how long it takes (the other benches reuse it)."""

from __future__ import annotations

import time

from bench.report import emit


def run(ctx) -> None:
    started = time.perf_counter()
    ctx.dataset  # noqa: B018 - builds it once for every bench after this one
    emit("dataset_build_s", time.perf_counter() - started, "s")
