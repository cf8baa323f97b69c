"""E-licenses: issued per second (render + seal + sign + store) and verified per second over
HTTP, on a fresh PostgreSQL database.

    .venv/bin/python -m bench.licenses_bench --licenses 300 --processes 2 --clients 8

1. Creates a fresh PostgreSQL database (``--pg``), migrates it, and bulk-inserts
   ``--licenses`` cases concluded with a license result (an item bound to a license type).
2. Issuance: ``services.issue_for_case`` for a fifth of them in this process (draw the PDF,
   stamp the seal, sign it with pyHanko, SM2-sign the metadata, store the file, save the row
   and its audit record), then the rest split over ``--processes`` processes at once.
3. Verification: gunicorn (2 workers x 4 threads, DEBUG off) and ``--clients`` client
   processes for ``--seconds``, each asking ``GET /api/v1/licenses/verify/{identifier}``
   round the issued identifiers (log entries batched, ``LICENSES_ACCESS_FLUSH_MS``; the
   per-address limit raised out of the way; the shared
   cache in Redis database ``--redis``, which the bench empties at the end); then the
   same through Django's test client in this process (no HTTP), for the server's share.
4. Stops gunicorn and drops the database. Prints figures, asserts nothing.
"""

import argparse
import datetime
import multiprocessing
import os
import time

from bench.cases_http_bench import bench_environment, fresh_database, gunicorn
from bench.support import latencies, rate

GOALS = {"issue": 50, "verify": 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--licenses", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--pg", default="postgres:///postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    import tempfile

    name = f"tongban_licenses_bench_{os.getpid()}"
    with fresh_database(args.pg, name) as url, tempfile.TemporaryDirectory() as var:
        environment = {
            **bench_environment(url, var),
            "LICENSES_VERIFY_PER_IP": str(10**9),
            "LOG_LEVEL": "WARNING",
            # Shared cache: the signature checks are made once for all server processes.
            "REDIS_URL": args.redis,
        }
        os.environ.update(environment)
        case_ids = prepare(args.licenses)
        identifiers = phase_issue(case_ids, args.processes)
        with gunicorn(environment) as base:
            phase_verify_http(base, identifiers, args.clients, args.seconds)
        phase_verify_in_process(identifiers)
        from django.core.cache import cache

        from tongban.licenses import verification

        verification.accesses.flush()  # before the database goes
        from django.db import connections

        cache.clear()  # the bench's own Redis database (--redis)
        connections.close_all()


# --- data -------------------------------------------------------------------------------------


def prepare(count: int) -> list[int]:
    """Migrate; ``count`` cases concluded with a license result; the seal made once."""
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tongban.cases.models import Case, ResultType, Status
    from tongban.cases.tests.factories import applicant_person, form_item
    from tongban.core import clock
    from tongban.licenses.tests.factories import bound_type

    item = form_item()
    bound_type(item)
    applicant = applicant_person()
    now = clock.now()
    started = time.perf_counter()
    Case.objects.bulk_create(
        Case(
            number=f"610124{now:%Y%m%d}7{n:08d}",
            item=item,
            guide_id=item.current_guide_id,
            applicant=applicant,
            applicant_name="王小明",
            applicant_id_number=str(applicant.id_number),
            channel="web",
            status=Status.CONCLUDED,
            department_id=item.department_id,
            form_data={"purpose": f"基准测试 {n}", "address": "陕西省西安市周至县二曲街道"},
            concluded_at=now - datetime.timedelta(minutes=1),
            result_type=ResultType.LICENSE,
        )
        for n in range(count)
    )
    print(f"{count} concluded cases in {time.perf_counter() - started:.1f} s", flush=True)
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    _issue(ids[:1])  # the department's seal (keys, certificate, picture) is made once
    return ids[1:]


# --- issuance ---------------------------------------------------------------------------------


def phase_issue(case_ids: list[int], processes: int) -> list[str]:
    serial = case_ids[: max(1, len(case_ids) // 5)]
    rest = case_ids[len(serial) :]
    print("issuance (render + seal + PAdES + SM2 + store + row + audit):", flush=True)
    rate("  issue_for_case, 1 process", len(serial), lambda: _issue(serial))
    shares = [rest[n::processes] for n in range(processes)]
    from django.db import connections

    connections.close_all()  # the children open their own
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_child_setup) as pool:
        pool.map(_ready, range(processes))  # Django, fonts and keys loaded before timing
        figure = rate(
            f"  issue_for_case, {processes} processes",
            len(rest),
            lambda: pool.map(_issue_in_child, shares),
        )
    print(f"  goal ≥ {GOALS['issue']}/s: {'met' if figure >= GOALS['issue'] else 'NOT met'}")
    from tongban.licenses.models import License

    return list(License.objects.values_list("identifier", flat=True))


def _issue(ids: list[int]) -> None:
    from tongban.cases.models import Case
    from tongban.licenses import services

    for case in Case.objects.filter(pk__in=ids).order_by("pk"):
        services.issue_for_case(case)


def _child_setup() -> None:
    """A child process: Django, the CJK font, the department's seal and keys, warmed up."""
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from tongban.cases.models import Case
    from tongban.licenses import rendering, sealing

    rendering.font()
    department = Case.objects.select_related("department").first().department
    sealing.seal_picture(department)
    sealing.sm2_sign(b"warm-up", department=department)


def _ready(_n: int) -> None:
    time.sleep(0.5)  # long enough for every child to take one


def _issue_in_child(ids: list[int]) -> int:
    _issue(ids)
    return len(ids)


# --- verification -----------------------------------------------------------------------------


def _client(job: tuple) -> tuple[list[float], int]:
    """One client process: GET round ``paths`` until the time is up."""
    import requests

    base, paths, seconds, offset = job
    http = requests.Session()
    samples, errors, n = [], 0, offset
    warm_up = 5
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        warm_up -= 1
        if warm_up == 0:
            samples, errors = [], 0
        path = paths[n % len(paths)]
        n += 1
        begun = time.perf_counter()
        response = http.get(f"{base}{path}")
        samples.append((time.perf_counter() - begun) * 1000)
        errors += response.status_code != 200
    return samples, errors


def phase_verify_http(base: str, identifiers: list[str], clients: int, seconds: float) -> None:
    print(f"verification over HTTP, {clients} clients, {len(identifiers)} licenses:", flush=True)
    import requests

    with requests.Session() as http:  # each version's signature check made (and cached) once
        for identifier in identifiers:
            http.get(f"{base}/api/v1/licenses/verify/{identifier}")
    paths = [f"/api/v1/licenses/verify/{identifier}" for identifier in identifiers]
    per_second = _measure(
        "  GET /api/v1/licenses/verify/{identifier}", base, paths, clients, seconds
    )
    met = per_second >= GOALS["verify"]
    print(f"  goal ≥ {GOALS['verify']}/s: {'met' if met else 'NOT met'}")
    # The stack's own ceiling here: a public API list of one small query (and the same
    # gateway call log row every API call writes), with the same clients.
    _measure(
        "  baseline GET /api/v1/org/departments",
        base,
        ["/api/v1/org/departments"],
        clients,
        seconds,
    )


def _measure(label: str, base: str, paths: list[str], clients: int, seconds: float) -> float:
    jobs = [(base, paths, seconds, n * 7) for n in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        started = time.perf_counter()
        results = pool.map(_client, jobs)
        elapsed = max(time.perf_counter() - started, seconds)
    samples = [s for found, _errors in results for s in found]
    errors = sum(e for _found, e in results)
    latencies(label, samples)
    per_second = len(samples) / elapsed
    print(f"  {len(samples):,} requests, {per_second:,.1f}/s, {errors} not 200", flush=True)
    return per_second


def phase_verify_in_process(identifiers: list[str]) -> None:
    from django.test import Client

    client = Client()
    for identifier in identifiers:  # signature checks computed and cached
        client.get(f"/api/v1/licenses/verify/{identifier}")
    count = 2000

    def run():
        for n in range(count):
            client.get(f"/api/v1/licenses/verify/{identifiers[n % len(identifiers)]}")

    rate("verification, Django test client (1 thread)", count, run)


if __name__ == "__main__":
    main()
