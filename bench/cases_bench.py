"""Case intake and case lists, on a throwaway database.

    .venv/bin/python -m bench.cases_bench [--cases 100000] [--submissions 300]

1. Submissions through ``cases.services.submit`` (one process, no HTTP): each validates the
   form and materials, draws a case number, stores a PDF through Django storage, writes the
   case, its event, two audit records and the in-app notice, in one transaction. Rate and
   p50/p95/p99 latency, then each step of it timed alone (where the time goes).
2. ``--cases`` generated cases (``bulk_create``) over 20 departments and 5,000 applicants,
   then keyset list pages (20 rows, newest first, no COUNT) for a department clerk (first
   page and pages deep in the list) and an applicant: p50/p95/p99. Also the working-day
   due-date computation rate.

The database is the one DATABASE_URL names (in-memory SQLite by default). Prints figures,
asserts nothing.
"""

import argparse
import datetime
import random
import tempfile
import time

from bench.support import latencies, rate, throwaway_database

SEED = 20261127
DEPARTMENTS = 20
APPLICANTS = 5_000
BATCH = 5_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    with throwaway_database(), tempfile.TemporaryDirectory() as media:
        from django.conf import settings

        settings.MEDIA_ROOT = media
        bench_submissions(args.submissions)
        bench_submit_parts()
        bench_lists(args.cases, args.pages)
        bench_due_dates()


def bench_submissions(count: int) -> None:
    from tongban.cases import services
    from tongban.cases.tests.factories import (
        applicant_person,
        application_form,
        form_item,
    )

    item = form_item()
    applicant = applicant_person()
    code = item.implementation_code
    services.submit(  # warm-up: imports, caches
        user=applicant,
        item_code=code,
        form_data={"purpose": "预热"},
        materials=application_form(item),
        channel="web",
    )
    samples = []
    started = time.perf_counter()
    for n in range(count):
        materials = application_form(item)
        begun = time.perf_counter()
        services.submit(
            user=applicant,
            item_code=code,
            form_data={"purpose": f"基准测试申请{n}"},
            materials=materials,
            channel="web",
        )
        samples.append((time.perf_counter() - begun) * 1000)
    seconds = time.perf_counter() - started
    print(
        f"{'submit (services, web, 1 PDF, 1 shared ref)':<48} {count:>8} in {seconds:7.3f} s"
        f"  = {count / seconds:10.1f}/s"
    )
    latencies("submit latency", samples)


def bench_submit_parts(samples: int = 200) -> None:
    """Where a submission's time goes: each step alone, median of ``samples`` runs."""
    import statistics

    from tongban.audit import services as audit
    from tongban.cases import history, intake, materials, numbers
    from tongban.cases.tests.factories import applicant_person, application_form, form_item
    from tongban.notify import services as notify

    item = form_item()
    applicant = applicant_person()
    guide = intake.guide_in_force(item.implementation_code)
    given = application_form(item)
    context = {"办件编号": "1", "事项名称": "x", "状态": "y", "说明": ""}
    steps = {
        "guide in force (1 query)": lambda: intake.guide_in_force(item.implementation_code),
        "registry person look-up": lambda: intake.person_of(applicant),
        "form validation + prefill": lambda: intake.clean_form(
            guide, {"purpose": "x"}, user=applicant
        ),
        "materials check": lambda: materials.prepare(guide, given, user=applicant),
        "case number": lambda: numbers.next_case_number(datetime.date(2026, 11, 27)),
        "notify.send (in-app + its audit)": lambda: notify.send(
            applicant, history.STATUS_TEMPLATE, context, channels=["in_app"]
        ),
        "audit.record": lambda: audit.record(
            applicant, "cases.case.bench", object_type="cases.case", object_id="1"
        ),
    }
    for label, step in steps.items():
        step()
        timings = []
        for _ in range(samples):
            begun = time.perf_counter()
            step()
            timings.append((time.perf_counter() - begun) * 1000)
        print(f"  {label:<46} median {statistics.median(timings):7.2f} ms")


def bench_lists(total: int, pages: int) -> None:
    from tongban.cases import services
    from tongban.cases.models import Case
    from tongban.catalog.tests.factories import published_item
    from tongban.identity.models import User
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import DepartmentFactory, staff_with_role

    rng = random.Random(SEED)
    items = [published_item(department=DepartmentFactory()) for _ in range(DEPARTMENTS)]
    applicants = User.objects.bulk_create(
        [User(username=f"bench{n}", kind=User.Kind.PERSON) for n in range(APPLICANTS)]
    )
    if applicants[0].pk is None:  # backends without RETURNING on bulk insert
        applicants = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    statuses = [s for s in Case.Status.values if s != Case.Status.DRAFT]

    def generate():
        day = datetime.date(2026, 1, 1)
        for start in range(0, total, BATCH):
            rows = []
            for n in range(start, min(start + BATCH, total)):
                item = items[n % DEPARTMENTS]
                rows.append(
                    Case(
                        number=f"610124{day + datetime.timedelta(days=n // 1000):%Y%m%d}9{n:08d}",
                        item=item,
                        guide_id=item.current_guide_id,
                        applicant=applicants[rng.randrange(APPLICANTS)],
                        applicant_name="王小明",
                        applicant_id_number="",
                        channel="web",
                        status=statuses[n % len(statuses)],
                        department_id=item.department_id,
                    )
                )
            Case.objects.bulk_create(rows)

    rate(f"generate cases (bulk_create, batches of {BATCH})", total, generate)

    clerk = staff_with_role(StaffMembership.Role.CLERK, department=items[0].department)
    applicant = applicants[0]
    _time_pages("clerk inbox, first page (20)", lambda: services.list_cases(clerk), pages)
    deep = services.list_cases(clerk, limit=100)[1]
    for _ in range(50):
        deep = services.list_cases(clerk, before=deep, limit=100)[1] or deep
    _time_pages(
        "clerk inbox, page ~5,000 rows deep",
        lambda: services.list_cases(clerk, before=deep),
        pages,
    )
    _time_pages(
        "clerk inbox, status filter",
        lambda: services.list_cases(clerk, status=Case.Status.ACCEPTED),
        pages,
    )
    _time_pages("applicant's cases", lambda: services.list_cases(applicant), pages)


def _time_pages(label: str, run, count: int) -> None:
    run()
    samples = []
    for _ in range(count):
        begun = time.perf_counter()
        run()
        samples.append((time.perf_counter() - begun) * 1000)
    latencies(f"{label}", samples)


def bench_due_dates() -> None:
    from tongban.cases import workdays

    starts = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300) for n in range(2_000)]
    rate(
        "due date, 20 working days (2026)",
        len(starts),
        lambda: [workdays.due(start, 20) for start in starts],
    )


if __name__ == "__main__":
    main()
