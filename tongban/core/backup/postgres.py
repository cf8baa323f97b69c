"""PostgreSQL: ``pg_dump -Fc`` of an exported snapshot, ``pg_restore`` into a fresh database.

A repeatable-read transaction exports its snapshot; ``pg_dump --snapshot`` dumps exactly
that snapshot while the same transaction counts the rows, reads the migrations and the
audit chain heads. The transaction stays open until the dump ends, so both see one moment.

The client tools must be the server's major version (Debian keeps each version in
/usr/lib/postgresql/<major>/bin); an older pg_dump refuses a newer server, and a newer one
writes dumps an older pg_restore cannot read.
"""

import contextlib
import os
import re
import shutil
import subprocess  # nosec B404: the PostgreSQL client tools, argument lists, no shell
from pathlib import Path

import psycopg

from tongban.core import clock
from tongban.core.backup import BackupError, database

FILE = "database.dump"
RESTORE_JOBS = 2


def dump(directory: Path) -> database.Snapshot:
    from django.db import connection

    source = connection.settings_dict
    with contextlib.closing(_connect(source)) as raw, raw.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        taken_at = clock.now()
        tool = _tool("pg_dump", _server_major(cursor))
        _run(
            [tool, "--format=custom", f"--snapshot={snapshot_id}", f"--file={directory / FILE}"],
            source,
            "pg_dump",
        )
        snapshot = database.Snapshot(
            file=FILE, engine="postgresql", taken_at=taken_at, tool=_version(tool)
        )
        database.describe(snapshot, cursor, "postgresql")
        cursor.execute("COMMIT")
    return snapshot


def ensure_empty(settings_dict: dict) -> None:
    """The target database must exist (``createdb``) and hold no table, view or sequence."""
    with contextlib.closing(_connect(settings_dict)) as raw, raw.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        )
        found = cursor.fetchone()[0]
    if found:
        raise BackupError(
            f"目标数据库 {settings_dict['NAME']} 已有 {found} 个表或序列,只能恢复到新的空数据库",
            f"the target database {settings_dict['NAME']} holds {found} tables or sequences: "
            "restore into a fresh, empty database only",
        )


def load(dump_file: Path, settings_dict: dict) -> None:
    with contextlib.closing(_connect(settings_dict)) as raw, raw.cursor() as cursor:
        tool = _tool("pg_restore", _server_major(cursor))
    _run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--jobs={RESTORE_JOBS}",
            f"--dbname={settings_dict['NAME']}",
            str(dump_file),
        ],
        settings_dict,
        "pg_restore",
    )


def _connect(settings_dict: dict) -> psycopg.Connection:
    try:
        return psycopg.connect(autocommit=True, **_conninfo(settings_dict))
    except psycopg.OperationalError as exc:
        raise BackupError(
            f"无法连接数据库 {settings_dict['NAME']}(恢复前请先用 createdb 建好空库):{exc}",
            f"cannot connect to database {settings_dict['NAME']} (create the empty target "
            f"with createdb first): {exc}",
        ) from exc


def _conninfo(settings_dict: dict) -> dict:
    info = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "sslmode": settings_dict.get("OPTIONS", {}).get("sslmode"),
    }
    return {key: value for key, value in info.items() if value is not None}


def _environment(settings_dict: dict) -> dict:
    """libpq variables for the client tools: the password stays out of the argument list."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
    }
    info = _conninfo(settings_dict)
    return {**os.environ, **{names[key]: str(value) for key, value in info.items()}}


def _server_major(cursor) -> int:
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def _tool(name: str, major: int) -> str:
    """The client tool of the server's major version, or say which one is missing."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}"), shutil.which(name)]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file() and _major(_version(str(candidate))) == major:
            return str(candidate)
    found = shutil.which(name)
    raise BackupError(
        f"需要 PostgreSQL {major} 版的 {name}(服务器版本 {major}),找到的是:"
        f"{_version(found) if found else '无'}",
        f"{name} of PostgreSQL {major} is needed (the server's major version); found: "
        f"{_version(found) if found else 'none'} (Debian: apt install postgresql-client-{major})",
    )


def _version(tool: str) -> str:
    result = subprocess.run(  # nosec B603
        [tool, "--version"], capture_output=True, text=True, check=False, timeout=30
    )
    return result.stdout.strip()


def _major(version: str) -> int | None:
    found = re.search(r"\(PostgreSQL\) (\d+)", version)
    return int(found.group(1)) if found else None


def _run(arguments: list[str], settings_dict: dict, name: str) -> None:
    result = subprocess.run(  # nosec B603
        arguments,
        env=_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"{name} 失败(退出码 {result.returncode}):{result.stderr.strip()}",
            f"{name} failed (exit {result.returncode}): {result.stderr.strip()}",
        )
