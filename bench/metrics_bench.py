"""The self-evaluation indicators over a county's worth of cases, on a throwaway database.

    .venv/bin/python -m bench.metrics_bench [--cases 1000000]

The demo catalog (``org.demo`` and ``catalog.demo`` loaders) and ``--cases`` generated cases
(``bulk_create``, batches of 5,000) spread over its items, channels, centers, acceptance and
conclusion dates (some late); then every indicator and case figure for the county
(``metrics.indicators.compute``), for one department and for one town: seconds and queries
per computation (best and median of 3). The database is the one DATABASE_URL names
(in-memory SQLite by default). Prints figures, asserts nothing.
"""

import argparse
import datetime
import random
import statistics
import time

from bench.support import rate, throwaway_database

SEED = 20261128
BATCH = 5_000
APPLICANTS = 2_000
RUNS = 3
CHANNELS = ["web"] * 5 + ["mobile"] * 2 + ["county_window", "town_center", "village_station"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--slowest", action="store_true", help="print the slowest queries")
    args = parser.parse_args()
    with throwaway_database():
        bench(args.cases, args.slowest)


def bench(total: int, slowest: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tongban.cases.models import Case
    from tongban.catalog import demo as catalog_demo
    from tongban.catalog.models import ServiceItem
    from tongban.identity.models import User
    from tongban.metrics import indicators
    from tongban.org import demo as org_demo
    from tongban.org.models import ServiceCenter

    org_demo.load()
    catalog_demo.load()
    items = list(indicators.items().select_related("current_guide"))
    print(f"  demo catalog: {len(items)} items in force, {ServiceItem.objects.count()} in all")
    centers = list(ServiceCenter.objects.values_list("pk", flat=True))
    rng = random.Random(SEED)
    User.objects.bulk_create(
        [User(username=f"mbench{n}", kind=User.Kind.PERSON) for n in range(APPLICANTS)]
    )
    applicants = list(
        User.objects.filter(username__startswith="mbench").values_list("pk", flat=True)
    )
    first = datetime.date(2025, 1, 2)
    at_ten = datetime.time(10)

    def generate():
        for start in range(0, total, BATCH):
            rows = []
            for n in range(start, min(start + BATCH, total)):
                item = items[n % len(items)]
                accepted = first + datetime.timedelta(days=(n * 7) % 600)
                promised = item.current_guide.promised_days
                due = accepted + datetime.timedelta(days=promised + promised // 5 * 2)
                done = n % 10 < 7
                took = rng.randrange(0, promised + 4)
                rows.append(
                    Case(
                        number=f"M{n:012d}",
                        item_id=item.pk,
                        guide_id=item.current_guide_id,
                        applicant_id=applicants[n % len(applicants)],
                        applicant_name="王小明",
                        applicant_id_number="",
                        channel=CHANNELS[n % len(CHANNELS)],
                        status="concluded" if done else "accepted",
                        department_id=item.department_id,
                        center_id=centers[n % len(centers)],
                        submitted_at=timezone.make_aware(
                            datetime.datetime.combine(accepted, at_ten)
                        ),
                        accepted_on=accepted,
                        promised_due=due,
                        concluded_at=(
                            timezone.make_aware(
                                datetime.datetime.combine(
                                    accepted + datetime.timedelta(days=took), at_ten
                                )
                            )
                            if done
                            else None
                        ),
                        concluded_on=accepted + datetime.timedelta(days=took) if done else None,
                    )
                )
            Case.objects.bulk_create(rows)

    rate(f"generate cases (bulk_create, batches of {BATCH})", total, generate)
    connection.cursor().execute("ANALYZE") if connection.vendor == "sqlite" else None

    department = indicators.departments().first()
    town = indicators.towns().first()
    for label, scope in (
        ("county", indicators.COUNTY),
        (f"department {department.short_name}", indicators.Scope(department=department)),
        (f"town {town.division_name}", indicators.Scope(town=town)),
    ):
        seconds, queries = [], 0
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                found = indicators.compute(scope)
                seconds.append(time.perf_counter() - begun)
            queries = len(captured)
        if slowest:
            for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]:
                print(f"    {query['time']} s  {query['sql'][:160]}")
        print(
            f"  all indicators, {label:<24} best {min(seconds):6.3f} s"
            f"  median {statistics.median(seconds):6.3f} s  {queries} queries"
            f"  over {total:,} cases"
        )
    short = [f.name for f in found if f.met is False]
    print(
        "  county figures: "
        + ", ".join(f"{f.key}={f.value}" for f in indicators.compute(indicators.COUNTY))
    )
    print(f"  (last scope short of target: {', '.join(short) or 'none'})")


if __name__ == "__main__":
    main()
