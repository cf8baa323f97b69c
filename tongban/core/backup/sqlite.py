"""SQLite: the online backup API, consistent while the site keeps writing.

``sqlite3.Connection.backup`` copies every page in one step under a read transaction; in
WAL mode that blocks no writer and sees the database as of the step's start. The copy is
switched to a rollback journal so that reading it later leaves no -wal file beside it.
"""

import contextlib
import sqlite3
from pathlib import Path

from django.db import connection

from tongban.core import clock
from tongban.core.backup import BackupError, database

FILE = "database.sqlite3"


def dump(directory: Path) -> database.Snapshot:
    if connection.in_atomic_block:
        raise BackupError(
            "不能在事务中备份 SQLite 数据库", "an SQLite backup cannot run inside a transaction"
        )
    connection.ensure_connection()
    copy = sqlite3.connect(directory / FILE)
    try:
        taken_at = clock.now()
        connection.connection.backup(copy)
        snapshot = database.Snapshot(
            file=FILE, engine="sqlite", taken_at=taken_at, tool=f"sqlite {sqlite3.sqlite_version}"
        )
        database.describe(snapshot, copy.cursor(), "sqlite")
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    return snapshot


def ensure_empty(settings_dict: dict) -> None:
    """A fresh SQLite instance is a file that does not exist yet, or one with no tables."""
    path = Path(settings_dict["NAME"])
    if not path.exists():
        return
    with _read_only(path) as target:
        tables = database.table_names(target.cursor(), "sqlite")
    if tables:
        raise BackupError(
            f"目标数据库 {path} 已有 {len(tables)} 张表,只能恢复到新的空实例",
            f"the target database {path} has {len(tables)} tables: restore into a fresh "
            "instance only",
        )


def load(dump_file: Path, settings_dict: dict) -> None:
    path = Path(settings_dict["NAME"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with _read_only(dump_file) as source:
        target = sqlite3.connect(path)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()


def _read_only(path: Path) -> contextlib.closing:
    """A read-only connection, closed on leaving (sqlite3's own ``with`` only commits)."""
    return contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
