"""The stack's own PostgreSQL 15 cluster (Debian's pg_createcluster), on port 5442.

Its own cluster, so the fault tests can restart it without touching the shared server.
Commands run as root (pg_ctlcluster drops to the postgres user by itself); SQL runs as the
postgres superuser over the local socket.
"""

import subprocess
from pathlib import Path

VERSION, NAME = "15", "proof"
SETTINGS = {
    "max_connections": "300",
    "shared_buffers": "256MB",
    # Durable commits stay on; the faults prove nothing acknowledged is lost.
    "synchronous_commit": "on",
    "listen_addresses": "localhost",
}


def _run(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def exists() -> bool:
    return Path(f"/etc/postgresql/{VERSION}/{NAME}").is_dir()


def online() -> bool:
    return _run("pg_ctlcluster", VERSION, NAME, "status", check=False).returncode == 0


def create(port: int) -> None:
    _run("pg_createcluster", VERSION, NAME, "-p", str(port))
    for key, value in SETTINGS.items():
        _run("pg_conftool", VERSION, NAME, "set", key, value)


def start() -> None:
    if not online():
        _run("pg_ctlcluster", VERSION, NAME, "start")


def stop() -> None:
    if exists() and online():
        _run("pg_ctlcluster", VERSION, NAME, "stop", "-m", "fast")


def restart() -> None:
    _run("pg_ctlcluster", VERSION, NAME, "restart", "-m", "fast")


def psql(port: int, sql: str, database: str = "postgres") -> str:
    result = _run(
        "runuser", "-u", "postgres", "--",
        "psql", "-p", str(port), "-d", database, "-tAc", sql,
    )  # fmt: skip
    return result.stdout.strip()


def ensure_database(port: int, password: str) -> None:
    """Role and database ``tongban`` (the role owns it), created when absent."""
    if psql(port, "SELECT 1 FROM pg_roles WHERE rolname = 'tongban'") != "1":
        psql(port, f"CREATE ROLE tongban LOGIN PASSWORD '{password}'")
    if psql(port, "SELECT 1 FROM pg_database WHERE datname = 'tongban'") != "1":
        psql(port, "CREATE DATABASE tongban OWNER tongban")


def postmaster_pid() -> int | None:
    pidfile = Path(f"/var/lib/postgresql/{VERSION}/{NAME}/postmaster.pid")
    try:
        return int(pidfile.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None
