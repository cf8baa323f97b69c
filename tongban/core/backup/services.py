"""Back up an instance, restore a backup into a fresh one, verify an instance against it.

    manifest = create_backup(Path("/srv/backup/2026-11-28"))
    restored = restore_backup(Path("/srv/backup/2026-11-28"),
                              database_url="postgres://tongban@db/tongban_new",
                              media_root=Path("/srv/tongban_new/media"))
    report = verify_instance(manifest)   # in the restored instance's own process

Verification runs in a process configured as the restored instance (its DATABASE_URL and
MEDIA_ROOT), so the audit chains are checked by the audit service itself, exactly as the
restored platform will see them (``verify_restored``).
"""

import contextlib
import datetime
import getpass
import importlib.metadata
import os
import shutil
import subprocess  # nosec B404: this platform's own manage.py, argument list, no shell
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, transaction

from tongban.audit import hashing
from tongban.audit import services as audit
from tongban.core import clock
from tongban.core.backup import BackupError, database, files, manifest

ACTOR = "backup"


@dataclass
class VerifyReport:
    """Per check, what differs; empty lists everywhere means the instance is the backup."""

    checks: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(self.checks.values())

    @property
    def differences(self) -> list[str]:
        return [line for found in self.checks.values() for line in found]


def create_backup(output: Path, *, record_audit: bool = True) -> dict:
    """Back up the database and every stored file into the new directory ``output``."""
    media_root = Path(settings.MEDIA_ROOT).resolve()
    output = Path(output).resolve()
    _check_output(output, media_root)
    output.mkdir(parents=True, exist_ok=True)
    try:
        sealed = _write_backup(output, media_root)
    except BaseException:
        shutil.rmtree(output, ignore_errors=True)  # a backup without its manifest is none
        raise
    if record_audit:
        _record(sealed, output)
    return sealed


def _write_backup(output: Path, media_root: Path) -> dict:
    """The database snapshot first, then the files, then the manifest that seals both."""
    started, begun = clock.now(), time.perf_counter()
    snapshot = database.dump(output)
    dumped = time.perf_counter()
    stored = files.collect(media_root, output / files.ROOT, skip=secret_files())
    copied = time.perf_counter()
    dump_file = output / snapshot.file
    return manifest.write(
        output,
        {
            "format": manifest.FORMAT,
            "id": started.strftime("%Y%m%dT%H%M%S%fZ"),
            "created_at": _iso(started),
            "snapshot_at": _iso(snapshot.taken_at),
            "finished_at": _iso(clock.now()),
            "platform": _platform_version(),
            "database": {
                "engine": snapshot.engine,
                "file": snapshot.file,
                "size": dump_file.stat().st_size,
                "sha256": manifest.file_sha256(dump_file),
                "tool": snapshot.tool,
            },
            "migrations": snapshot.migrations,
            "tables": snapshot.tables,
            # audit_anchor's document as of the snapshot: ``verify_audit --anchors`` reads it.
            "audit_anchor": {"exported_at": _iso(snapshot.taken_at), "heads": snapshot.heads},
            "files": stored,
            "seconds": {
                "database": round(dumped - begun, 3),
                "files": round(copied - dumped, 3),
                "total": round(time.perf_counter() - begun, 3),
            },
        },
    )


def restore_backup(source: Path, *, database_url: str, media_root: Path) -> dict:
    """Load the backup in ``source`` into a fresh instance: an empty database named by
    ``database_url`` and an empty ``media_root``. Refuses anything else. Returns timings."""
    source = Path(source).resolve()
    found = manifest.read(source)
    target = dj_database_url.parse(database_url)
    engine = database.engine_of(target)
    if engine != found["database"]["engine"]:
        raise BackupError(
            f"备份来自 {found['database']['engine']},不能恢复到 {engine}",
            f"the backup is of {found['database']['engine']}, the target is {engine}",
        )
    dump_file = source / found["database"]["file"]
    if manifest.file_sha256(dump_file) != found["database"]["sha256"]:
        raise BackupError(
            f"数据库备份文件 {dump_file} 的摘要与清单不符",
            f"the database dump {dump_file} does not match the manifest's SHA-256",
        )
    media_root = Path(media_root)
    files.ensure_empty(media_root)
    backend = database.backend(engine)
    backend.ensure_empty(target)
    begun = time.perf_counter()
    backend.load(dump_file, target)
    loaded = time.perf_counter()
    files.restore(found["files"], source / files.ROOT, media_root)
    done = time.perf_counter()
    return {
        "database_seconds": round(loaded - begun, 3),
        "files_seconds": round(done - loaded, 3),
        "seconds": round(done - begun, 3),
    }


def verify_restored(
    source: Path, *, database_url: str, media_root: Path
) -> subprocess.CompletedProcess:
    """Run ``manage.py restore --verify`` as the restored instance (its database and
    files), the way the restored platform will start. Its output names what differs."""
    environment = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    command = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "restore",
        "--verify",
        "--input",
        str(source),
    ]
    return subprocess.run(  # nosec B603
        command, env=environment, capture_output=True, text=True, check=False
    )


def verify_instance(found: dict, *, media_root: Path | None = None) -> VerifyReport:
    """Compare this instance (the default database, MEDIA_ROOT) with a backup's manifest:
    migrations, per-table row counts, every file's SHA-256, files the rows name, and the
    audit chains (intact, heads equal to the manifest's)."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    begun = time.perf_counter()
    report = VerifyReport()
    with connection.cursor() as cursor:
        report.checks["migrations"] = _migration_differences(
            found["migrations"], database.migrations(cursor)
        )
        report.checks["tables"] = _count_differences(
            found["tables"], database.row_counts(cursor, connection.vendor)
        )
    report.checks["files"] = files.differences(found["files"], media_root)
    report.checks["referenced_files"] = files.missing_referenced(media_root)
    report.checks["audit"] = _audit_differences(found["audit_anchor"]["heads"])
    report.seconds = time.perf_counter() - begun
    return report


def _check_output(output: Path, media_root: Path) -> None:
    backend = storages["default"]
    if not isinstance(backend, FileSystemStorage):
        raise BackupError(
            "文件存储不是本地目录(对象存储由存储自身的版本与异地复制备份)",
            f"the file storage {type(backend).__name__} is not a local directory: back up an "
            "object store with its own versioning and replication",
        )
    if output.exists() and any(output.iterdir()):
        raise BackupError(
            f"备份目录 {output} 不是空的", f"the backup directory {output} is not empty"
        )
    if output.is_relative_to(media_root) or media_root.is_relative_to(output):
        raise BackupError(
            "备份目录不能在文件目录之内,也不能包含它",
            f"the backup directory must not be inside MEDIA_ROOT ({media_root}) nor contain it",
        )


def secret_files() -> set[Path]:
    """Files that must never enter a backup, should MEDIA_ROOT ever hold them: the demo
    secret, the OIDC signing key, and the SQLite database itself (dumped separately)."""
    from tongban.identity.oidc.keys import DEV_KEY_NAME

    var_dir = Path(settings.VAR_DIR)
    candidates = [settings.DEMO_SECRET_FILE, var_dir / DEV_KEY_NAME]
    if os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE"):
        candidates.append(Path(os.environ["OIDC_RSA_PRIVATE_KEY_FILE"]))
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        candidates += [Path(name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    return {Path(path).resolve() for path in candidates}


def _platform_version() -> dict:
    """The package version (installed, else pyproject.toml's) and ``git describe``."""
    version = ""
    try:
        version = importlib.metadata.version("tongban")
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError, KeyError):
            version = tomllib.loads(pyproject.read_text())["project"]["version"]
    return {"version": version or None, "git": _git_describe()}


def _git_describe() -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        result = subprocess.run(  # nosec B603
            [git, "describe", "--always", "--dirty"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None


def _record(sealed: dict, output: Path) -> None:
    """One audit record in the live chain: who backed up what, the counts, and the
    manifest's hash (a manifest rewritten later no longer matches it)."""
    values = {
        "manifest_sha256": sealed[manifest.HASH_KEY],
        "snapshot_at": sealed["snapshot_at"],
        "engine": sealed["database"]["engine"],
        "tables": len(sealed["tables"]),
        "rows": sum(sealed["tables"].values()),
        "files": sealed["files"]["count"],
        "file_bytes": sealed["files"]["bytes"],
        "database_bytes": sealed["database"]["size"],
    }
    with transaction.atomic():
        audit.record(
            f"{ACTOR}({_os_user()})",
            "backup.create",
            object_type="core.backup",
            object_id=sealed["id"],
            object_repr=str(output),
            changes={name: [None, value] for name, value in values.items()},
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid())


def _migration_differences(expected: dict, found: dict) -> list[str]:
    return [
        f"迁移不同 / migrations differ for {app}: {found.get(app)} (backup {expected.get(app)})"
        for app in sorted(expected.keys() | found.keys())
        if expected.get(app) != found.get(app)
    ]


def _count_differences(expected: dict, found: dict) -> list[str]:
    lines = []
    for table in sorted(expected.keys() | found.keys()):
        if table not in found:
            lines.append(f"表缺失 / table missing: {table}")
        elif table not in expected:
            lines.append(f"备份中没有的表 / table not in the backup: {table}")
        elif expected[table] != found[table]:
            lines.append(
                f"行数不同 / row count differs: {table} {found[table]} (backup {expected[table]})"
            )
    return lines


def _audit_differences(expected_heads: list[dict]) -> list[str]:
    result = audit.verify()
    lines = [
        f"审计链断裂 / audit chain broken: partition {b.partition} seq {b.seq} "
        f"record {b.record_id if b.record_id is not None else '-'}: {b.message_en}"
        for b in result.breaks
    ]
    found = {head["partition"]: head for head in audit.anchors()}
    for head in expected_heads:
        current = found.pop(head["partition"], None)
        if current != head:
            lines.append(
                f"审计链头不同 / audit chain head differs: partition {head['partition']} "
                f"{_head(current)} (backup {_head(head)})"
            )
    lines += [
        f"备份中没有的审计链 / audit chain not in the backup: partition {partition}"
        for partition in sorted(found)
    ]
    return lines


def _head(head: dict | None) -> str:
    return "none" if head is None else f"#{head['seq']} {head['hash'][:16]}…"


def _iso(moment: datetime.datetime) -> str:
    return hashing.utc_iso(moment)
