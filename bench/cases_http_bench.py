"""Cases over HTTP at scale: gunicorn in front of PostgreSQL holding a million cases.

    .venv/bin/python -m bench.cases_http_bench --cases 1000000 --clients 16 --seconds 30

1. Creates a fresh PostgreSQL database (``--pg``: the server to create it on, default the
   local socket as the current role), migrates it and bulk-inserts ``--cases`` cases over 20
   departments and 5,000 applicants (``COPY``-speed batches of ``bulk_create``).
2. Starts ``gunicorn tongban.wsgi -w 2 --worker-class gthread --threads 4`` on a free loopback
   port, DEBUG off, the database task backend (nothing runs the queued notices: as with a
   worker that is behind).
3. ``--clients`` client processes, each with its own signed-in session, for ``--seconds``
   per phase: (b) lists: half read the applicant's ``GET /api/v1/cases``, half the clerk's
   department inbox ``GET /workbench/?tab=department`` (a 50,000-case department);
   (a) submissions: ``POST /api/v1/cases`` with a form and one inline PDF. Prints p50/p95/p99
   and requests per second for each.
4. A cProfile of ``--profile`` submissions through Django's test client (in this process, the
   same database): the top functions by cumulative time.
5. Stops gunicorn and drops the database. Prints figures, asserts nothing.
"""

import argparse
import base64
import contextlib
import cProfile
import io
import multiprocessing
import os
import pstats
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench.support import latencies

SEED = 20261127
DEPARTMENTS = 20
APPLICANTS = 5_000
BATCH = 10_000
PDF = base64.b64encode(b"%PDF-1.4\n% bench\n").decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--profile", type=int, default=50)
    parser.add_argument("--pg", default="postgres:///postgres")
    args = parser.parse_args()
    name = f"tongban_http_bench_{os.getpid()}"
    with fresh_database(args.pg, name) as url, tempfile.TemporaryDirectory() as var:
        environment = bench_environment(url, var)
        os.environ.update(environment)
        world = prepare(args.cases, args.clients)
        with gunicorn(environment) as base:
            phase_lists(base, world, args.clients, args.seconds)
            phase_submissions(base, world, args.clients, args.seconds)
        profile_submissions(world, args.profile)
        from django.db import connections

        connections.close_all()


# --- the database and the server ------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(server_url: str, name: str):
    """Create database ``name`` on the server, yield its URL, drop it afterwards."""
    import psycopg

    base, _slash, _db = server_url.rpartition("/")
    with psycopg.connect(_conninfo(server_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_conninfo(server_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _conninfo(url: str) -> str:
    """psycopg accepts postgresql:// URIs; an empty host means the local socket."""
    return url.replace("postgres://", "postgresql://", 1)


def bench_environment(database_url: str, var: str) -> dict[str, str]:
    """Production-like settings without the production secrets: DEBUG off, PostgreSQL,
    Redis for the cache and sessions (a database of its own), the database task backend,
    files in a temporary folder."""
    return {
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        "TONGBAN_ENV": "development",  # production needs real keys; DEBUG is off below
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "database",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "TONGBAN_VAR_DIR": var,
        "MEDIA_ROOT": os.path.join(var, "media"),
        "STATIC_ROOT": _folder(var, "static"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }


def _folder(*parts: str) -> str:
    path = os.path.join(*parts)
    os.makedirs(path, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(environment: dict[str, str]):
    port = free_port()
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "tongban.wsgi",
        "-w",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env={**os.environ, **environment})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz")
        print(f"gunicorn up on port {port} (2 workers x 4 threads)", flush=True)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # nosec B310  # loopback URL of the server this bench started
            return
        except urllib.error.HTTPError:
            return  # up, even if not healthy (no worker heartbeat)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


# --- data -------------------------------------------------------------------------------------


def prepare(total: int, clients: int) -> dict:
    """Migrate, generate the cases, and sign in the people the clients act as."""
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"migrate                                          {time.perf_counter() - started:7.1f} s"
    )
    from tongban.cases.tests.factories import applicant_person, clerk_of, form_item

    item = form_item()
    world = {
        "item_code": item.implementation_code,
        "spec": item.current_guide.materials.get(name="申请书").pk,
        "submitters": [session_for(applicant_person()) for _ in range(clients)],
    }
    generated = generate_cases(total, item)
    world["reader"] = session_for(generated["applicant"])
    world["clerk"] = session_for(clerk_of(generated["busy_item"]), verified=True)
    world["clerk_cases"] = generated["per_department"]
    return world


def generate_cases(total: int, item) -> dict:
    import datetime
    import random

    from tongban.cases.models import Case
    from tongban.catalog.tests.factories import published_item
    from tongban.identity.models import User
    from tongban.org.tests.factories import DepartmentFactory

    rng = random.Random(SEED)
    items = [item] + [
        published_item(department=DepartmentFactory()) for _ in range(DEPARTMENTS - 1)
    ]
    User.objects.bulk_create(
        [User(username=f"httpbench{n}", kind=User.Kind.PERSON) for n in range(APPLICANTS)]
    )
    applicants = list(
        User.objects.filter(username__startswith="httpbench").values_list("pk", flat=True)
    )
    statuses = [s for s in Case.Status.values if s != Case.Status.DRAFT]
    day = datetime.date(2025, 1, 1)
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, total)):
            chosen = items[n % DEPARTMENTS]
            rows.append(
                Case(
                    number=f"610124{day + datetime.timedelta(days=n // 2000):%Y%m%d}9{n:08d}",
                    item=chosen,
                    guide_id=chosen.current_guide_id,
                    applicant_id=applicants[rng.randrange(APPLICANTS)],
                    applicant_name="王小明",
                    applicant_id_number="",
                    channel="web",
                    status=statuses[n % len(statuses)],
                    department_id=chosen.department_id,
                )
            )
        Case.objects.bulk_create(rows)
        if (start // BATCH) % 10 == 9:
            print(f"  … {start + BATCH:,} cases", flush=True)
    seconds = time.perf_counter() - started
    print(f"generate {total:,} cases (bulk_create) in {seconds:.1f} s = {total / seconds:,.0f}/s")
    with __import__("django").db.connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    return {
        "applicant": User.objects.get(pk=applicants[0]),
        "busy_item": items[0],
        "per_department": total // DEPARTMENTS,
    }


def session_for(user, *, verified: bool = False) -> dict[str, str]:
    """Cookies of a signed-in session (TOTP-verified for staff), and a CSRF token."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if verified:
        from tongban.identity.tests.helpers import totp_device_for

        session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
    session.create()
    csrf = secrets.token_hex(16)
    return {settings.SESSION_COOKIE_NAME: session.session_key, settings.CSRF_COOKIE_NAME: csrf}


# --- the clients ------------------------------------------------------------------------------


def _client(job: tuple) -> tuple[list[float], int]:
    """One client process: repeat its request until the time is up; (latencies ms, errors)."""
    import requests

    kind, base, cookies, payload, seconds = job
    http = requests.Session()
    http.cookies.update(cookies)
    csrf = cookies.get("csrftoken", "")
    samples, errors, n = [], 0, 0
    warm_up = 3  # the first requests of a fresh worker thread import and fill caches
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        warm_up -= 1
        if warm_up == 0:
            samples, errors = [], 0
        begun = time.perf_counter()
        if kind == "submit":
            n += 1
            body = {**payload, "form_data": {"purpose": f"基准测试 {n}"}}
            response = http.post(
                f"{base}/api/v1/cases",
                json=body,
                headers={"X-CSRFToken": csrf, "Referer": base + "/"},
            )
            ok = response.status_code == 201
        else:
            response = http.get(base + kind, allow_redirects=False)
            ok = response.status_code == 200
        samples.append((time.perf_counter() - begun) * 1000)
        errors += not ok
    return samples, errors


def _run(label: str, jobs: list[tuple], seconds: float) -> None:
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        started = time.perf_counter()
        results = pool.map(_client, jobs)
        elapsed = max(time.perf_counter() - started, seconds)
    samples = [s for found, _errors in results for s in found]
    errors = sum(e for _found, e in results)
    if not samples:
        print(f"{label}: no requests completed")
        return
    latencies(label, samples)
    print(f"  {len(samples):,} requests, {len(samples) / elapsed:,.1f}/s, {errors} not OK")


def phase_lists(base: str, world: dict, clients: int, seconds: float) -> None:
    readers = max(1, clients // 2)
    jobs = [("/api/v1/cases", base, world["reader"], None, seconds)] * readers
    jobs += [("/workbench/?tab=department", base, world["clerk"], None, seconds)] * (
        clients - readers
    )
    print(
        f"(b) lists, {readers} applicant + {clients - readers} clerk clients "
        f"({world['clerk_cases']:,} cases in the clerk's department):",
        flush=True,
    )
    _run(f"  applicant API + clerk inbox, {clients} clients", jobs, seconds)
    _run(
        f"  applicant GET /api/v1/cases, {clients} clients",
        [("/api/v1/cases", base, world["reader"], None, seconds)] * clients,
        seconds,
    )
    _run(
        f"  clerk GET /workbench/?tab=department, {clients} clients",
        [("/workbench/?tab=department", base, world["clerk"], None, seconds)] * clients,
        seconds,
    )


def phase_submissions(base: str, world: dict, clients: int, seconds: float) -> None:
    payload = {
        "item_code": world["item_code"],
        "materials": [
            {
                "spec": world["spec"],
                "file": {
                    "name": "申请书.pdf",
                    "content_type": "application/pdf",
                    "content_base64": PDF,
                },
            }
        ],
    }
    jobs = [("submit", base, cookies, payload, seconds) for cookies in world["submitters"]]
    print(f"(a) submissions, {clients} clients, each its own applicant:", flush=True)
    _run("  POST /api/v1/cases", jobs, seconds)


# --- where a submission's time goes -----------------------------------------------------------


def profile_submissions(world: dict, count: int) -> None:
    from django.test import Client

    from tongban.cases.tests.factories import applicant_person

    client = Client()
    client.force_login(applicant_person())
    payload = {
        "item_code": world["item_code"],
        "materials": [
            {
                "spec": world["spec"],
                "file": {
                    "name": "申请书.pdf",
                    "content_type": "application/pdf",
                    "content_base64": PDF,
                },
            }
        ],
    }

    def submit(n: int):
        body = {**payload, "form_data": {"purpose": f"剖析 {n}"}}
        response = client.post("/api/v1/cases", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    submit(0)  # warm-up
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(1, count + 1):
        submit(n)
    profiler.disable()
    seconds = time.perf_counter() - started
    print(f"\nprofile: {count} submissions (test client), {seconds * 1000 / count:.1f} ms each")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(25)
    stats.print_stats("tongban/", 25)  # the platform's own functions
    print(_trimmed(out.getvalue()))


def _trimmed(text: str) -> str:
    """pstats' table with the site-packages prefix shortened."""
    prefix = os.path.dirname(os.path.dirname(__import__("django").__file__))
    return text.replace(prefix + "/", "").replace(os.getcwd() + "/", "")


if __name__ == "__main__":
    main()
