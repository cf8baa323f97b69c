"""How fast the public center list pages, on a throwaway test database.

    .venv/bin/python -m bench.org_bench [--centers 2000] [--limit 20]

Walks /api/v1/org/centers page by page through the test client (no network), so the figure
is Django, django-ninja and the database, not a web server. Prints figures, asserts nothing.
"""

import argparse
import time

from bench.support import latencies, rate, throwaway_database

TOWNS = 20


def populate(centers: int) -> None:
    """One county center, 20 towns and villages up to ``centers`` in all."""
    from tongban.org.models import ServiceCenter

    level = ServiceCenter.Level
    county = ServiceCenter.objects.create(
        name="基准县政务服务中心",
        level=level.COUNTY,
        statistical_code="610124000",
        provincial_code="610124000000",
    )
    towns = ServiceCenter.objects.bulk_create(
        ServiceCenter(
            name=f"基准镇{n}便民服务中心",
            level=level.TOWN,
            parent=county,
            statistical_code=f"610124{n:03d}",
            provincial_code=f"610124{n:03d}000",
        )
        for n in range(1, TOWNS + 1)
    )
    villages = max(centers - 1 - TOWNS, 0)
    ServiceCenter.objects.bulk_create(
        ServiceCenter(
            name=f"基准村{n}便民服务站",
            level=level.VILLAGE,
            parent=towns[n % TOWNS],
            statistical_code=f"{towns[n % TOWNS].statistical_code}{n // TOWNS + 1:03d}",
            is_demo=True,
        )
        for n in range(villages)
    )


def walk(client, limit: int, **filters) -> tuple[int, list[float]]:
    """Every page of the list; returns the number of pages and each request's milliseconds."""
    cursor, timings = None, []
    while True:
        params = {"limit": limit, **filters, **({"cursor": cursor} if cursor else {})}
        started = time.perf_counter()
        response = client.get("/api/v1/org/centers", params)
        timings.append((time.perf_counter() - started) * 1000)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return len(timings), timings


def queries_per_page(client, limit: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get("/api/v1/org/centers", {"limit": limit}).json()["next_cursor"]
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/org/centers", {"limit": limit, "cursor": first})
    return len(captured)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="org center list paging rate")
    parser.add_argument("--centers", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=20)
    options = parser.parse_args(argv)

    with throwaway_database():
        from django.db import connection
        from django.test import Client

        populate(options.centers)
        client = Client()
        client.get("/api/v1/org/centers")  # warm up: URL resolver, schemas
        print(f"org on {connection.vendor}, {options.centers} centers, {options.limit} a page")
        timings: list[float] = []

        def run():
            pages, samples = walk(client, options.limit)
            timings.extend(samples)
            print(f"{'pages walked':<48} {pages:>8}")

        pages = -(-options.centers // options.limit)
        rate("GET /api/v1/org/centers (keyset pages)", pages, run)
        latencies("GET /api/v1/org/centers latency", timings)
        village_pages = -(-max(options.centers - 1 - TOWNS, 1) // options.limit)
        rate(
            "GET /api/v1/org/centers?level=village",
            village_pages,
            lambda: walk(client, options.limit, level="village"),
        )
        print(f"{'SQL queries per page':<48} {queries_per_page(client, options.limit):>8}")


if __name__ == "__main__":
    main()
