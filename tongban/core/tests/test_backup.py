"""Backup and restore: a round trip verifies, and every kind of damage is named.

Tests that back up real rows are transactional: the SQLite backup API and pg_dump read
committed rows only. The round trip restores into a fresh SQLite file, or (when the suite
runs on PostgreSQL) into a fresh database created and dropped here, and verifies in a
process of the restored instance. Refusals are checked on hand-made backups (no flush).
"""

import contextlib
import json
import os
import sqlite3
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tongban.audit.models import AuditRecord
from tongban.cases.models import CaseEvent, Material
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.core.backup import BackupError, files, manifest, services

committed = pytest.mark.django_db(transaction=True)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the suite runs on PostgreSQL: see the next test"
)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the suite runs on SQLite; CI's PostgreSQL run restores with pg_dump/pg_restore",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(notice_templates):
    """A case filed online: its uploaded material is a stored file, its audit records chained."""
    return file_case(form_item(), applicant_person())


@pytest.fixture
def backup(case, tmp_path):
    """A backup of the instance, without its own audit record (which would be a change
    after the backup that the in-place checks below would rightly report)."""
    return services.create_backup(tmp_path / "backup", record_audit=False), tmp_path / "backup"


@pytest.fixture
def fresh_postgresql():
    """The URL of a new, empty database on the suite's PostgreSQL server, dropped afterwards."""
    name = f"tongban_drill_test_{os.getpid()}"
    server = {**connection.settings_dict, "NAME": "postgres"}
    url = (
        f"postgres://{server['USER']}:{server['PASSWORD']}@{server['HOST'] or 'localhost'}:"
        f"{server['PORT'] or 5432}/{name}"
    )
    with _admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield url
    with _admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@committed
@on_sqlite
def test_sqlite_round_trip_restores_a_fresh_instance_that_verifies(case, tmp_path, media):
    target = tmp_path / "restored.sqlite3"
    sealed = _round_trip(tmp_path, f"sqlite:///{target}")
    with contextlib.closing(sqlite3.connect(target)) as restored:
        numbers = [row[0] for row in restored.execute("SELECT number FROM cases_case")]
    assert numbers == [case.number]
    assert sealed["database"]["engine"] == "sqlite"


@committed
@on_postgresql
def test_postgresql_round_trip_with_pg_dump_and_pg_restore(case, tmp_path, fresh_postgresql):
    sealed = _round_trip(tmp_path, fresh_postgresql)
    with psycopg.connect(fresh_postgresql) as restored:
        numbers = [row[0] for row in restored.execute("SELECT number FROM cases_case")]
    assert numbers == [case.number]
    assert sealed["database"]["engine"] == "postgresql"


@committed
def test_the_backup_is_recorded_in_the_audit_log_with_its_counts(case, tmp_path):
    sealed = services.create_backup(tmp_path / "backup")
    entry = AuditRecord.objects.get(action="backup.create")
    assert entry.object_id == sealed["id"] and entry.actor_repr.startswith("backup(")
    assert entry.changes["manifest_sha256"] == [None, sealed["manifest_sha256"]]
    assert entry.changes["files"] == [None, 1]
    assert entry.changes["rows"] == [None, sum(sealed["tables"].values())]
    assert sealed["tables"]["cases_case"] == 1


@committed
def test_a_missing_row_is_named_with_its_table(backup):
    sealed, _ = backup
    with connection.cursor() as cursor:  # case history is append-only for the ORM
        cursor.execute(
            "DELETE FROM cases_caseevent WHERE id = %s", [CaseEvent.objects.latest("pk").pk]
        )
    report = services.verify_instance(sealed)
    expected = sealed["tables"]["cases_caseevent"]
    assert report.checks["tables"] == [
        f"行数不同 / row count differs: cases_caseevent {expected - 1} (backup {expected})"
    ]
    assert not report.ok


@committed
def test_an_audit_record_edited_in_the_database_breaks_the_chain(backup):
    sealed, _ = backup
    entry = AuditRecord.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET note = %s WHERE id = %s", ["改过", entry.pk])
    report = services.verify_instance(sealed)
    assert report.checks["tables"] == [] and report.checks["files"] == []
    assert len(report.checks["audit"]) == 1
    assert (
        f"partition {entry.partition} seq {entry.seq} record {entry.pk}"
        in (report.checks["audit"][0])
    )


@committed
def test_a_changed_file_and_a_missing_file_are_named(backup, media):
    sealed, _ = backup
    stored = Material.objects.exclude(file="").get().file.name
    with open(media / stored, "ab") as handle:
        handle.write(b"tampered")
    assert services.verify_instance(sealed).checks["files"] == [
        f"文件内容不同 / file differs (SHA-256): {stored}"
    ]
    (media / stored).unlink()
    report = services.verify_instance(sealed)
    assert report.checks["files"] == [f"文件缺失 / file missing: {stored}"]
    assert report.checks["referenced_files"] == [
        f"数据库引用的文件缺失 / file named by cases.Material.file missing: {stored}"
    ]


def test_an_edited_manifest_is_refused(tmp_path):
    directory = _hand_made_backup(tmp_path)
    path = directory / manifest.NAME
    edited = json.loads(path.read_text(encoding="utf-8"))
    edited["database"]["size"] += 1
    path.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(BackupError, match="manifest's hash"):
        manifest.read(directory)


def test_a_damaged_dump_is_refused_before_anything_is_restored(tmp_path):
    directory = _hand_made_backup(tmp_path)
    with open(directory / "database.bin", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(BackupError, match="does not match the manifest"):
        services.restore_backup(
            directory, database_url=_fresh_url(tmp_path), media_root=tmp_path / "restored"
        )
    assert not (tmp_path / "restored").exists()


@pytest.mark.django_db
def test_a_target_database_that_is_not_empty_is_refused(tmp_path):
    directory = _hand_made_backup(tmp_path)
    url = _non_empty_database(tmp_path)
    with pytest.raises(BackupError, match="restore into a fresh"):
        services.restore_backup(directory, database_url=url, media_root=tmp_path / "restored")


def test_a_target_media_root_that_is_not_empty_is_refused(tmp_path):
    directory = _hand_made_backup(tmp_path)
    (tmp_path / "restored").mkdir()
    (tmp_path / "restored" / "old.pdf").write_bytes(b"%PDF")
    with pytest.raises(BackupError, match="media root"):
        services.restore_backup(
            directory, database_url=_fresh_url(tmp_path), media_root=tmp_path / "restored"
        )


def test_secret_files_kept_under_media_root_are_never_copied(settings, media, tmp_path):
    (media / "cases").mkdir(parents=True)
    (media / "cases" / "a.pdf").write_bytes(b"%PDF-1.4")
    settings.DEMO_SECRET_FILE = media / "secret_key"
    settings.DEMO_SECRET_FILE.write_text("not-for-backups")
    stored = files.collect(media, tmp_path / "files", skip=services.secret_files())
    assert [entry["path"] for entry in stored["entries"]] == ["cases/a.pdf"]
    assert stored["excluded"] == ["secret_key"]
    assert not (tmp_path / "files" / "secret_key").exists()


def test_a_backup_inside_media_root_is_refused(media):
    with pytest.raises(BackupError, match="must not be inside MEDIA_ROOT"):
        services.create_backup(media / "backup", record_audit=False)


def _round_trip(tmp_path: Path, url: str) -> dict:
    """Back up and restore through the commands; the restore verifies in its own process."""
    call_command("backup", output=str(tmp_path / "backup"))
    sealed = manifest.read(tmp_path / "backup")
    material = Material.objects.exclude(file="").get()
    assert sealed["files"]["entries"] == [
        {"path": material.file.name, "size": material.file.size, "sha256": material.sha256}
    ]
    report = tmp_path / "report.json"
    call_command(
        "restore",
        input=str(tmp_path / "backup"),
        database_url=url,
        media_root=str(tmp_path / "restored"),
        report=str(report),
    )
    assert json.loads(report.read_text())["ok"] is True
    with pytest.raises(CommandError, match="restore into a fresh"):
        call_command(
            "restore",
            input=str(tmp_path / "backup"),
            database_url=url,
            media_root=str(tmp_path / "another"),
        )
    restored_file = tmp_path / "restored" / material.file.name
    assert restored_file.read_bytes() == (tmp_path / "media" / material.file.name).read_bytes()
    return sealed


def _hand_made_backup(tmp_path: Path) -> Path:
    """A backup directory with a sealed manifest, a stand-in dump and no files."""
    directory = tmp_path / "backup"
    directory.mkdir()
    dump = directory / "database.bin"
    dump.write_bytes(b"a database dump")
    engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    database = {"engine": engine, "file": dump.name, "size": 15}
    database["sha256"] = manifest.file_sha256(dump)
    manifest.write(directory, {"format": manifest.FORMAT, "database": database, "files": {}})
    return directory


def _fresh_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return "postgres://unused@localhost/unused"


def _non_empty_database(tmp_path: Path) -> str:
    """SQLite: a file with a table. PostgreSQL: the suite's own database."""
    if connection.vendor == "sqlite":
        path = tmp_path / "used.sqlite3"
        with contextlib.closing(sqlite3.connect(path)) as used:
            used.execute("CREATE TABLE t (x)")
        return f"sqlite:///{path}"
    server = connection.settings_dict
    return (
        f"postgres://{server['USER']}:{server['PASSWORD']}@{server['HOST'] or 'localhost'}:"
        f"{server['PORT'] or 5432}/{server['NAME']}"
    )


def _admin(server: dict):
    return psycopg.connect(
        dbname=server["NAME"],
        user=server["USER"] or None,
        password=server["PASSWORD"] or None,
        host=server["HOST"] or None,
        port=server["PORT"] or None,
        autocommit=True,
    )
