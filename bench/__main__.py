"""Run every benchmark module (``bench/<name>.py`` with a ``run(ctx)`` function), in order.

    python -m bench                 # all
    python -m bench shopfront csv   # only modules whose name contains one of these words

One embedded PostgreSQL and one large dataset (bench.dataset) are built once and shared.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback

import bench
from bench.context import BenchContext

SKIP = {"__main__", "context", "dataset", "report", "loadgen"}


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name not in SKIP)
    if argv:
        names = [n for n in names if any(word in n for word in argv)]
    failures = 0
    with BenchContext() as ctx:
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            if not hasattr(module, "run"):
                continue
            started = time.perf_counter()
            print(f"# {name} ...", flush=True)
            try:
                module.run(ctx)
            except Exception:  # noqa: BLE001 - report and go on with the other benchmarks
                failures += 1
                traceback.print_exc()
                print(f"bench: {name}_failed 1 error", flush=True)
            print(f"# {name} done in {time.perf_counter() - started:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
