"""The database part: a consistent snapshot, what it contains, and loading it elsewhere.

What a snapshot contains (tables and their row counts, migrations applied, audit chain
heads) is read inside the snapshot itself, so the manifest describes exactly the rows the
dump holds even while the platform keeps writing. The same queries read a restored instance.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from tongban.audit.models import ChainHead
from tongban.core.backup import BackupError

ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}


@dataclass
class Snapshot:
    """A database dump in the backup directory and what it holds."""

    file: str
    engine: str
    taken_at: datetime.datetime
    tool: str
    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, dict] = field(default_factory=dict)
    heads: list[dict] = field(default_factory=list)


def engine_of(settings_dict: dict) -> str:
    try:
        return ENGINES[settings_dict["ENGINE"]]
    except KeyError:
        raise BackupError(
            f"不支持的数据库 {settings_dict['ENGINE']}",
            f"unsupported database engine {settings_dict['ENGINE']}",
        ) from None


def backend(engine: str):
    """The module that dumps, loads and inspects ``engine`` (``sqlite`` or ``postgresql``)."""
    from tongban.core.backup import postgres, sqlite

    return {"sqlite": sqlite, "postgresql": postgres}[engine]


def dump(directory: Path) -> Snapshot:
    """Snapshot the default database into ``directory``."""
    from django.db import connection

    return backend(engine_of(connection.settings_dict)).dump(directory)


def describe(snapshot: Snapshot, cursor, vendor: str) -> Snapshot:
    """Fill in what the snapshot holds, read through ``cursor`` inside the snapshot."""
    snapshot.tables = row_counts(cursor, vendor)
    snapshot.migrations = migrations(cursor)
    snapshot.heads = heads(cursor)
    return snapshot


def table_names(cursor, vendor: str) -> list[str]:
    """Every table of the platform's schema (SQLite's internal tables aside)."""
    if vendor == "sqlite":
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND substr(name, 1, 7) != 'sqlite_'"
        )
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    cursor.execute(sql)
    return sorted(row[0] for row in cursor.fetchall())


def row_counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for name in table_names(cursor, vendor):
        # The names come from the database's own catalog, quoted as identifiers.
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(name)}")  # nosec B608
        counts[name] = cursor.fetchone()[0]
    return counts


def migrations(cursor) -> dict[str, dict]:
    """Per app: the last migration applied (by name) and how many are applied."""
    cursor.execute("SELECT app, name FROM django_migrations")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return {
        app: {"last": max(names), "count": len(names)} for app, names in sorted(applied.items())
    }


def heads(cursor) -> list[dict]:
    """The audit chain heads, in the form ``audit_anchor`` exports them."""
    table = _quoted(ChainHead._meta.db_table)
    cursor.execute(f'SELECT "partition", seq, hash FROM {table} ORDER BY "partition"')  # nosec B608
    return [{"partition": p, "seq": s, "hash": h} for p, s, h in cursor.fetchall()]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
