"""``make fuzz``: schemathesis on every operation of docs/openapi.json (docs/fuzzing.md).

In-process against the WSGI application, on a fresh database (PostgreSQL ``tongban_fuzz``
by default, dropped and created again; ``--sqlite`` for a file under var/proof/) holding the
access harness's actors and objects (an object of every kind). Each operation is called as an
actor allowed to call it (proof/_fuzz_world.py) with ``--examples`` cases per generation mode.
Writes var/proof/fuzz.json, prints a table, exits 1 on any failure.

    python -m proof.fuzz [--examples 100] [--modes positive,negative] [--seed N]
                         [--only /payments] [--sqlite] [--database tongban_fuzz]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "var" / "proof" / "fuzz.json"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def main(argv=None) -> int:
    options = _parse(argv)
    started = time.monotonic()
    database_url = _fresh_database(options)
    _configure(database_url)
    world_plan, app, seconds_setup = _prepare()
    print(f"数据准备 / setup: {seconds_setup:.1f} s ({_engine(database_url)})", flush=True)

    from django.core.cache import cache

    from proof._fuzz_run import run

    results = run(
        app,
        world_plan,
        examples=options.examples,
        modes=options.modes.split(","),
        seed=options.seed,
        only=options.only,
        before_each=cache.clear,
        progress=_progress,
    )
    report = _report(results, options, database_url, time.monotonic() - started)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    _print_table(report)
    print(f"→ {OUTPUT.relative_to(ROOT)}")
    return 1 if report["totals"]["failures"] else 0


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m proof.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--examples", type=int, default=100, help="cases per operation and mode")
    parser.add_argument("--modes", default="positive,negative", help="positive,negative")
    parser.add_argument(
        "--seed", type=int, default=None, help="random seed (default: derandomized)"
    )
    parser.add_argument("--only", default="", help="only operations whose 'METHOD /path' has this")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument(
        "--database", default="tongban_fuzz", help="PostgreSQL database to recreate"
    )
    return parser.parse_args(argv)


def _fresh_database(options) -> str:
    if options.sqlite:
        path = ROOT / "var" / "proof" / "fuzz.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = options.database
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"not a plain database name: {name}")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def _configure(database_url: str) -> None:
    """The test settings (tasks run at once) on the fresh database, a local-memory cache
    (cleared before each request: rate limits would otherwise stop the fuzzer at the
    surface) and uploads in a temporary folder."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.settings_test"
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="tongban-fuzz-media-")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def _prepare():
    started = time.monotonic()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from proof._fuzz_run import load_schema, operations
    from proof._fuzz_world import SigningMiddleware, build_world, plan

    call_command("migrate", verbosity=0)
    world = build_world()
    pairs = [(op.method, op.path) for op in operations(load_schema())]
    app = SigningMiddleware(get_wsgi_application(), world.gateway)
    return plan(world, pairs), app, time.monotonic() - started


def _engine(database_url: str) -> str:
    return "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"


def _progress(result) -> None:
    failed = sum(result.failures.values())
    mark = "✓" if not failed else f"✗ {failed}"
    print(f"  {result.key:<62} {result.examples:>5}  {result.seconds:6.1f} s  {mark}", flush=True)


def _report(results, options, database_url, seconds) -> dict:
    from collections import Counter

    from proof._fuzz_run import CHECKS

    by_check = Counter()
    statuses = Counter()
    for result in results:
        by_check.update(result.failures)
        statuses.update(result.statuses)
    return {
        "schema": "docs/openapi.json",
        "database": _engine(database_url),
        "examples_per_mode": options.examples,
        "modes": options.modes.split(","),
        "seed": options.seed,
        "checks": [check.__name__ for check in CHECKS],
        "seconds": round(seconds, 1),
        "totals": {
            "operations": len(results),
            "examples": sum(r.examples for r in results),
            "server_errors": by_check["not_a_server_error"],
            "declared_503": statuses.get(503, 0),
            "failures": sum(by_check.values()),
            "failures_by_check": {check.__name__: by_check[check.__name__] for check in CHECKS},
            "statuses": {str(code): n for code, n in sorted(statuses.items())},
        },
        "operations": [result.as_dict() for result in results],
    }


def _print_table(report: dict) -> None:
    checks = report["checks"]
    short = [name.replace("_conformance", "").replace("not_a_", "") for name in checks]
    print()
    print(f"{'operation':<58} {'actor':<14} {'cases':>6} " + " ".join(f"{s:>16}" for s in short))
    for row in report["operations"]:
        cells = " ".join(f"{row['failures'].get(name, 0):>16}" for name in checks)
        print(f"{row['operation']:<58} {row['actor']:<14} {row['examples']:>6} {cells}")
    totals = report["totals"]
    cells = " ".join(f"{totals['failures_by_check'][name]:>16}" for name in checks)
    label = f"total: {totals['operations']} operations"
    print(f"{label:<73} {totals['examples']:>6} {cells}")
    print(f"HTTP statuses: {totals['statuses']}")
    print(
        f"server errors: {totals['server_errors']} · failures: {totals['failures']} · "
        f"{report['seconds']} s"
    )


if __name__ == "__main__":
    sys.exit(main())
