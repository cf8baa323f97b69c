"""What every benchmark needs: Django set up on a throwaway database, and a timer.

The database is the one DATABASE_URL names, with Django's test prefix (an in-memory SQLite
database by default), created fresh and dropped afterwards, so benchmarks never touch the
demo data.
"""

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings_test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def rate(label: str, count: int, run: Callable[[], object]) -> float:
    """Run ``run`` once, print and return how many units of ``count`` it did per second."""
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    per_second = count / seconds if seconds else float("inf")
    print(f"{label:<48} {count:>8} in {seconds:7.3f} s  = {per_second:10.1f}/s")
    return per_second


def latencies(label: str, samples_ms: list[float]) -> None:
    """Print p50/p95/p99 of a list of milliseconds."""
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
    print(f"{label:<48} p50 {cuts[49]:7.2f} ms  p95 {cuts[94]:7.2f} ms  p99 {cuts[98]:7.2f} ms")
