"""``make drill``: back up while cases are being filed, restore into a fresh instance, verify,
and measure RPO and RTO (docs/backup.md).

    .venv/bin/python -m proof.drill [--cases 150] [--no-demo] [--keep]
    make drill DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_drill

DATABASE_URL chooses the engine. SQLite (default): the source and the restored instance are
new files under var/proof/. PostgreSQL: only the server is taken from the URL; the drill
creates ``tongban_drill_<pid>`` (source) and ``tongban_drill_restore_<pid>`` (target) and drops
both afterwards. The database the URL names is never touched.

1. Seed the source instance: migrate, the demo county, ``--cases`` cases filed online with an
   uploaded PDF; every third accepted, approved, concluded with a license (a signed PDF) and
   archived (a signed ZIP package).
2. Start a writer thread filing cases (each with a PDF) and run ``manage.py backup`` as a
   separate process meanwhile. The writer stops when the backup ends: that is the disaster.
3. ``manage.py restore`` into the fresh instance (it verifies there, in its own process),
   then start gunicorn on the restored instance and wait for ``/healthz``.
4. RPO: the writer's cases missing from the restore, and the time from the newest case the
   restore holds to the disaster. RTO: restore + verify + start, measured.

Figures are printed and merged into var/proof/drill.json under the engine's name.
"""

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
PROOF_DIR = BASE_DIR / "var" / "proof"
PYTHON = sys.executable
SEED = 20261128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150, help="cases seeded before the backup")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo county")
    parser.add_argument("--keep", action="store_true", help="keep the instances and backup")
    args = parser.parse_args()
    drill = Drill(os.environ.get("DATABASE_URL", ""))
    try:
        figures = drill.run(cases=args.cases, demo=not args.no_demo)
    finally:
        if not args.keep:
            drill.clean_up()
    report(figures)


class Drill:
    """The source instance, its backup and the restored instance, all of the drill's own."""

    def __init__(self, url: str):
        self.pid = os.getpid()
        server = dj_database_url.parse(url) if url.startswith("postgres") else None
        self.engine = "postgresql" if server else "sqlite"
        self.root = PROOF_DIR / f"drill-{self.engine}-{self.pid}"
        self.server = server
        self.source_url = self._url(f"tongban_drill_{self.pid}", self.root / "source.sqlite3")
        self.target_url = self._url(
            f"tongban_drill_restore_{self.pid}", self.root / "restored.sqlite3"
        )
        self.source_media = self.root / "source-media"
        self.target_media = self.root / "restored-media"
        self.backup_dir = self.root / "backup"
        # The keys live outside the backup: both instances get them from the same place.
        self.keys_dir = self.root / "keys"

    def run(self, *, cases: int, demo: bool) -> dict:
        self.root.mkdir(parents=True)
        self._create_databases()
        os.environ.update(self.environment(self.source_url, self.source_media))
        import django

        django.setup()
        seeded = timed(lambda: seed(cases, demo=demo))
        figures = {"engine": self.engine, "seed": {**seeded.value, "seconds": seeded.seconds}}
        figures.update(self.back_up_under_writes())
        figures.update(self.restore())
        figures["rpo"] = self.rpo(figures.pop("writes"), figures["backup"])
        figures["rto"] = {
            "seconds": round(figures["restore"]["wall_seconds"] + figures["start_seconds"], 2),
            "parts": "restore (database + files) + verify (own process) + gunicorn start",
        }
        return figures

    def environment(self, url: str, media: Path) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tongban.settings",
            "TONGBAN_ENV": "development",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(media),
            "TONGBAN_VAR_DIR": str(self.keys_dir),
            "TASKS_BACKEND": "database",
        }

    def back_up_under_writes(self) -> dict:
        writer = Writer()
        writer.start()
        writer.wait_until_writing()
        begun = time.time()
        run_manage(["backup", "--output", str(self.backup_dir)], self.source_env)
        ended = time.time()
        writer.stop()
        from tongban.core.backup import manifest

        sealed = manifest.read(self.backup_dir)
        return {
            "backup": {
                "wall_seconds": round(ended - begun, 2),
                "inside_seconds": sealed["seconds"],
                "started_at": begun,
                "ended_at": ended,
                "snapshot_at": sealed["snapshot_at"],
                "database_bytes": sealed["database"]["size"],
                "files": sealed["files"]["count"],
                "file_bytes": sealed["files"]["bytes"],
                "hard_linked": sealed["files"]["linked"],
                "tables": len(sealed["tables"]),
                "rows": sum(sealed["tables"].values()),
                "audit_records": sealed["tables"].get("audit_auditrecord", 0),
                "cases": sealed["tables"].get("cases_case", 0),
                "tool": sealed["database"]["tool"],
                "platform": sealed["platform"],
            },
            "writes": writer.done,
            "writer": {"cases": len(writer.done), "errors": writer.errors},
        }

    def restore(self) -> dict:
        figures_file = self.root / "restore.json"
        env = self.environment(self.target_url, self.target_media)
        begun = time.perf_counter()
        run_manage(
            [
                "restore",
                "--input",
                str(self.backup_dir),
                "--database-url",
                self.target_url,
                "--media-root",
                str(self.target_media),
                "--report",
                str(figures_file),
            ],
            env,
        )
        wall = time.perf_counter() - begun
        inside = json.loads(figures_file.read_text())
        started = start_instance(env)
        return {
            "restore": {"wall_seconds": round(wall, 2), **inside},
            "start_seconds": round(started, 2),
        }

    def rpo(self, writes: list[tuple[int, float]], backup: dict) -> dict:
        """What the restore lacks of what the writer committed before the disaster."""
        present = self._restored_case_ids([pk for pk, _ in writes])
        kept = [at for pk, at in writes if pk in present]
        lost = [at for pk, at in writes if pk not in present]
        disaster = max([at for _, at in writes] + [backup["ended_at"]])
        newest_kept = max(kept) if kept else backup["started_at"]
        return {
            "writes_by_writer": len(writes),
            "in_restore": len(kept),
            "lost": len(lost),
            "lost_before_backup_start": sum(1 for at in lost if at < backup["started_at"]),
            "seconds": round(disaster - newest_kept, 2),
            "disaster": "the moment the backup finished (the writer stops there)",
        }

    def clean_up(self) -> None:
        with contextlib.suppress(Exception):  # Django may not be set up yet
            from django.db import connections

            connections.close_all()
        if self.server:
            with admin_connection(self.server) as admin:
                for name in (f"tongban_drill_{self.pid}", f"tongban_drill_restore_{self.pid}"):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def source_env(self) -> dict:
        return self.environment(self.source_url, self.source_media)

    def _url(self, name: str, path: Path) -> str:
        if not self.server:
            return f"sqlite:///{path}"
        s = self.server
        password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
        host = f"{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}"
        return f"postgres://{s['USER']}{password}@{host}/{name}"

    def _create_databases(self) -> None:
        if not self.server:
            return
        with admin_connection(self.server) as admin:
            for name in (f"tongban_drill_{self.pid}", f"tongban_drill_restore_{self.pid}"):
                admin.execute(f'CREATE DATABASE "{name}"')

    def _restored_case_ids(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        query = "SELECT id FROM cases_case WHERE id >= ? AND id <= ?"
        bounds = (min(ids), max(ids))
        if self.server:
            with psycopg.connect(self.target_url) as restored:
                rows = restored.execute(query.replace("?", "%s"), bounds).fetchall()
        else:
            with contextlib.closing(sqlite3.connect(self.root / "restored.sqlite3")) as restored:
                rows = restored.execute(query, bounds).fetchall()
        return {row[0] for row in rows}


def seed(cases: int, *, demo: bool) -> dict:
    """The source instance: schema, demo county, and ``cases`` cases with their files."""
    from django.core.management import call_command

    from tongban.archives import services as archives
    from tongban.cases import results, services
    from tongban.cases.models import DeliveryMethod, ResultType
    from tongban.cases.tests.factories import approver_of, clerk_of
    from tongban.licenses import services as licenses

    call_command("migrate", verbosity=0)
    if demo:
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    item, applicants = setting()
    clerk, approver = clerk_of(item), approver_of(item)
    rng = random.Random(SEED)
    concluded = 0
    for n in range(cases):
        case = file_one(item, applicants[n % len(applicants)], rng, f"演练申请{n}")
        if n % 3:
            continue
        case = services.accept(case, by=clerk)
        case = services.approve(case, by=approver)
        case = results.conclude_with_result(
            case, by=approver, result_type=ResultType.LICENSE, delivery=DeliveryMethod.ELECTRONIC
        )
        licenses.issue_for_case(case)
        archives.build_package(case)
        concluded += 1
    return {"cases": cases, "concluded_with_license_and_archive": concluded, "demo": demo}


def setting():
    """One published item issuing a license, and applicants known to the population base."""
    from tongban.cases.tests.factories import applicant_person, form_item
    from tongban.licenses.tests.factories import bound_type

    item = form_item()
    bound_type(item)
    return item, [applicant_person() for _ in range(20)]


def file_one(item, applicant, rng: random.Random, purpose: str):
    """A case filed online with an uploaded PDF of 20-200 KB."""
    from tongban.cases.tests.factories import file_case, pdf

    spec = item.current_guide.materials.get(name="申请书")
    body = b"%PDF-1.4\n%" + rng.randbytes(rng.randint(20_000, 200_000))
    return file_case(
        item,
        applicant,
        materials=[{"spec": spec.pk, "file": pdf(body=body)}],
        form_data={"purpose": purpose, "address": "陕西省西安市周至县二曲街道 1 号"},
    )


class Writer(threading.Thread):
    """Files cases one after another until stopped; remembers each case and when it was
    committed (``services.submit`` returns after its commit)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.done: list[tuple[int, float]] = []
        self.errors = 0
        self._stop_requested = threading.Event()
        self._writing = threading.Event()

    def run(self) -> None:
        from django.db import connection

        item, applicants = setting()
        rng = random.Random(SEED + 1)
        try:
            while not self._stop_requested.is_set():
                try:
                    case = file_one(item, rng.choice(applicants), rng, "备份期间的申请")
                except Exception:  # counted and reported; the drill goes on
                    self.errors += 1
                    continue
                self.done.append((case.pk, time.time()))
                self._writing.set()
        finally:
            connection.close()

    def wait_until_writing(self) -> None:
        self._writing.wait(timeout=120)

    def stop(self) -> None:
        self._stop_requested.set()
        self.join()


def run_manage(arguments: list[str], env: dict) -> None:
    command = [PYTHON, str(BASE_DIR / "manage.py"), *arguments]
    result = subprocess.run(command, env=env, cwd=BASE_DIR, check=False)
    if result.returncode != 0:
        raise SystemExit(f"drill: manage.py {arguments[0]} failed (exit {result.returncode})")


def start_instance(env: dict) -> float:
    """Seconds from launching gunicorn on the restored instance to ``/healthz`` answering."""
    port = free_port()
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    command = [
        gunicorn,
        "tongban.wsgi",
        "-w",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    begun = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=BASE_DIR)
    try:
        while time.perf_counter() - begun < 180:
            if healthy(f"http://127.0.0.1:{port}/healthz"):
                return time.perf_counter() - begun
            time.sleep(0.2)
        raise SystemExit("drill: the restored instance did not answer /healthz in 180 s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def healthy(url: str) -> bool:
    """The instance answers with its database reachable and every migration applied."""
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:  # nosec B310: loopback http
            body = json.loads(reply.read())
    except OSError:
        return False
    return body["database"]["reachable"] and body["migrations"]["applied"]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin_connection(server: dict) -> psycopg.Connection:
    return psycopg.connect(
        dbname="postgres",
        user=server["USER"] or None,
        password=server["PASSWORD"] or None,
        host=server["HOST"] or None,
        port=server["PORT"] or None,
        autocommit=True,
    )


class timed:
    """``timed(f).value`` and ``.seconds``."""

    def __init__(self, work):
        begun = time.perf_counter()
        self.value = work()
        self.seconds = round(time.perf_counter() - begun, 2)


def report(figures: dict) -> None:
    backup, restore, rpo = figures["backup"], figures["restore"], figures["rpo"]
    lines = [
        f"engine: {figures['engine']}  (2 shared cores; other helpers were running)",
        f"seeded: {figures['seed']}",
        f"backup: {backup['wall_seconds']} s wall (inside: {backup['inside_seconds']}), "
        f"database {backup['database_bytes']:,} B, {backup['files']} files "
        f"{backup['file_bytes']:,} B ({backup['hard_linked']} hard-linked), "
        f"{backup['tables']} tables, {backup['rows']:,} rows, {backup['cases']} cases, "
        f"{backup['audit_records']} audit records",
        f"writer during backup: {figures['writer']}",
        f"restore: {restore['wall_seconds']} s wall = database {restore['database_seconds']} s"
        f" + files {restore['files_seconds']} s + verify {restore['verify_seconds']} s "
        f"(own process) + command start; verified ok: {restore['ok']}",
        f"start of the restored instance (gunicorn → /healthz): {figures['start_seconds']} s",
        f"RTO measured: {figures['rto']['seconds']} s",
        f"RPO measured: {rpo['lost']} of {rpo['writes_by_writer']} cases the writer filed "
        f"are not in the restore ({rpo['lost_before_backup_start']} of them before it "
        f"started); {rpo['seconds']} s of writes lost",
    ]
    print("\n".join(lines))
    out = PROOF_DIR / "drill.json"
    PROOF_DIR.mkdir(parents=True, exist_ok=True)
    merged = json.loads(out.read_text()) if out.exists() else {}
    merged[figures["engine"]] = figures
    out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
