"""Reviews (好差评): rating submissions per second, and the public statistics over 100k reviews.

    .venv/bin/python -m bench.reviews_bench [--ratings 1000] [--reviews 100000]

Ratings go through ``services.rate`` (validation, the row, its audit record, and for the
one in ten that is bad the rectification with its working-day deadlines): anonymous window
visits (一次一评) and applicants rating their concluded cases (一事一评). The statistics are
measured over ``--reviews`` rows spread over 20 departments (5% real-name bad, half of those
rectified): ``department_stats()``, the public page through the test client, and the two
figures the indicators call. Prints figures, asserts nothing.
"""

import argparse
import datetime
import time

from bench.support import latencies, rate, throwaway_database

DEPARTMENTS = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=1000)
    parser.add_argument("--reviews", type=int, default=100_000)
    args = parser.parse_args()
    with throwaway_database():
        submissions(args.ratings)
        statistics(args.reviews)


def submissions(count: int) -> None:
    from tongban.cases.models import Case
    from tongban.reviews import services
    from tongban.reviews.tests.factories import concluded, town_window

    window, _clerk = town_window()
    levels = [5, 4, 5, 3, 5, 4, 5, 2, 4, 5]

    def visits():
        for n in range(count):
            services.rate(
                None, window=window, level=levels[n % 10], channel="window_pad", real_name=False
            )

    print("rating submissions (validate + row + audit; bad → rectification):", flush=True)
    rate("  window visits, anonymous (一次一评)", count, visits)

    first = concluded()
    fields = {
        f.attname: getattr(first, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "number")
    }
    Case.objects.bulk_create(Case(**fields, number=f"BENCH{n:012d}") for n in range(count))
    cases = list(Case.objects.filter(number__startswith="BENCH").select_related("applicant"))

    def by_applicant():
        for n, case in enumerate(cases):
            services.rate(
                case.applicant, case=case, level=levels[n % 10], channel="web", comment="慢"
            )

    rate("  concluded cases by their applicant (一事一评)", count, by_applicant)


def statistics(count: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from tongban.core import clock
    from tongban.org.tests.factories import DepartmentFactory
    from tongban.reviews import services
    from tongban.reviews.models import Rectification, Review

    departments = [DepartmentFactory() for _ in range(DEPARTMENTS)]
    now = clock.now()
    started = time.perf_counter()
    rows = []
    for n in range(count):
        bad = n % 20 == 0
        rows.append(
            Review(
                kind="visit",
                channel="window_pad",
                department=departments[n % DEPARTMENTS],
                level=1 if bad else 5 - n % 3,
                real_name=bad,
                at=now - datetime.timedelta(minutes=n),
            )
        )
    Review.objects.bulk_create(rows, batch_size=5000)
    bad = Review.objects.filter(level=1).order_by("pk")
    today = clock.today()
    Rectification.objects.bulk_create(
        (
            Rectification(
                review_id=pk,
                department_id=department_id,
                status="accepted" if i % 2 else "opened",
                visit_due=today,
                rectify_due=today,
                opened_at=now,
            )
            for i, (pk, department_id) in enumerate(bad.values_list("pk", "department_id"))
        ),
        batch_size=5000,
    )
    total = Review.objects.count()
    print(f"\n{total} reviews stored in {time.perf_counter() - started:.1f} s", flush=True)
    print("statistics over every review:", flush=True)
    samples = []
    for _ in range(10):
        began = time.perf_counter()
        services.department_stats()
        samples.append((time.perf_counter() - began) * 1000)
    latencies("  department_stats()", samples)
    client = Client()
    client.get(reverse("reviews:stats"))  # warm: templates and URLs loaded once
    samples = []
    for _ in range(10):
        began = time.perf_counter()
        client.get(reverse("reviews:stats"))
        samples.append((time.perf_counter() - began) * 1000)
    latencies("  GET /reviews/stats/ (public page)", samples)
    samples = []
    for _ in range(10):
        began = time.perf_counter()
        services.bad_review_figures()
        services.rating_figures(department_ids=[departments[0].pk])
        samples.append((time.perf_counter() - began) * 1000)
    latencies("  bad_review_figures + rating_figures", samples)


if __name__ == "__main__":
    main()
