"""gunicorn reads this file from the directory it starts in (the project root): hooks only;
workers, threads and the address are given on the command line (docs/deploy.md)."""

from core.runtime import settle_heap


def post_worker_init(worker) -> None:
    """The app is loaded in this worker: freeze its objects out of the garbage collector's way
    (core.runtime.settle_heap)."""
    frozen = settle_heap()
    if worker is not None:
        worker.log.info("Heap settled: %d objects frozen", frozen)
