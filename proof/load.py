"""``make load``: the platform under a realistic mix ramped to USERS concurrent users.

    make load USERS=1000                 # the production-shape stack (proof.stack)
    python -m proof.load --users 200 --ramp 60 --hold 60 --target own   # own gunicorn, 8200

1. The target: the stack (``proof.stack``: nginx → gunicorn → PostgreSQL, Redis, rq workers),
   brought up if needed, with the limits below raised in its environment; or ``--target own``:
   gunicorn alone on 127.0.0.1:8200 over the database ``tongban_load``.
2. The volume (``proof.seed``, once per database): 50,000 cases, 10,000 licenses, 3,000
   persons, 64 clerks, a gateway client.
3. Locust headless (``proof/locustfile.py``) in its own process: USERS users spawned evenly
   over RAMP seconds, then HOLD seconds at full strength. The figures are those of the hold
   (Locust's statistics reset when the last user has started).
4. Meanwhile /proc is sampled every second: CPU seconds per process kind (nginx, gunicorn,
   task workers, postgres, redis, sandboxes, locust) and the machine's total.

Writes var/proof/load.json and prints a table: requests/s, p50/p95/p99 per endpoint,
failures by kind, CPU per process kind.

Limits raised for the test (every user comes from 127.0.0.1 here, where in the county each
has their own address): ``LICENSES_VERIFY_PER_IP``, ``CASES_TRACK_PER_IP`` and
``IDENTITY_FAILURES_PER_ADDRESS`` (a timed-out or refused sign-in would otherwise soon lock
every user out); the gateway client's ``rate_limit`` is set by the seed. Nothing else.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
BIN = BASE_DIR / ".venv" / "bin"
OUT = BASE_DIR / "var" / "proof"
LIMITS = {
    "LICENSES_VERIFY_PER_IP": "100000000",
    "CASES_TRACK_PER_IP": "100000000",
    "IDENTITY_FAILURES_PER_ADDRESS": "100000000",
}
OWN_PORT = 8200
WSGI = ["tongban.wsgi"]
OWN_DATABASE = "postgres://postgres@127.0.0.1:5432/tongban_load"
OWN_REDIS = "redis://127.0.0.1:6379/12"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="load test (docs/load.md)")
    parser.add_argument("--users", type=int, default=int(os.environ.get("USERS", 1000)))
    parser.add_argument("--ramp", type=int, default=int(os.environ.get("RAMP", 120)))
    parser.add_argument("--hold", type=int, default=int(os.environ.get("HOLD", 180)))
    parser.add_argument("--target", choices=("stack", "own"), default="stack")
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=OUT / "load.json")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the platform during the run (e.g. CATALOG_GUIDE_PAGE_SECONDS=0)",
    )
    args = parser.parse_args(argv)
    extra = dict(pair.split("=", 1) for pair in args.env)
    target = StackTarget(extra) if args.target == "stack" else OwnTarget(extra=extra)
    world = OUT / f"load-world-{args.target}.json"
    with target:
        seed(target.env, world, cases=args.cases)
        result = run(target, world, args.users, args.ramp, args.hold)
    result["conditions"] = conditions(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(table(result))
    print(f"\nwritten: {args.out}")
    return 0


def conditions(args) -> dict:
    return {
        "users": args.users,
        "ramp_seconds": args.ramp,
        "hold_seconds": args.hold,
        "target": args.target,
        "cpus": os.cpu_count(),
        "limits_raised": LIMITS,
        "settings": dict(pair.split("=", 1) for pair in args.env),
        "note": "one machine shared by the stack, Locust and other work; figures are of the hold",
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


# --- targets ---------------------------------------------------------------------------------


class StackTarget:
    """The production-shape stack, with the load test's limits in its environment for the
    run and its own environment back afterwards (the supervisor reads the environment when
    it starts, so each change is a restart: ``down``, then ``up``)."""

    def __init__(self, extra: dict[str, str] | None = None):
        self.wanted = {**LIMITS, **(extra or {})}

    def __enter__(self):
        from proof.stack import Stack

        self.stack = Stack()
        self.original = dict(self.stack.env)
        self.changed = any(self.original.get(k) != v for k, v in self.wanted.items())
        if self.changed:
            self._restart({**self.original, **self.wanted})
        self.stack.up()
        self.url = self.stack.url
        self.env = self.stack.process_env()
        return self

    def __exit__(self, *exc):
        if self.changed:
            self._restart(self.original)
            self.stack.up()
        return False  # the stack stays up (make prod's); `python -m proof.stack down` stops it

    def _restart(self, values: dict[str, str]) -> None:
        from proof import _env

        if self.stack.status()["processes"].get("gunicorn"):
            self.stack.down()
        _env.write(self.stack.directory / "env", values)

    def roots(self) -> dict[str, list[int]]:
        found = self.stack.processes()
        return {
            "nginx": found.get("nginx", []),
            "gunicorn": found.get("gunicorn", []),
            "task workers": found.get("task_worker", []),
            "postgres": found.get("postgres", []),
            "sandboxes": found.get("sms", []) + found.get("payment", []) + found.get("courier", []),
            "redis": _pids_named("redis-server"),
        }


class OwnTarget:
    """gunicorn alone (2 workers x 8 threads, as the stack) on ``port`` over a PostgreSQL
    database (default ``tongban_load`` on 8200)."""

    def __init__(self, database_url=OWN_DATABASE, port=OWN_PORT, extra: dict | None = None):
        self.database_url, self.port, self.extra = database_url, port, extra or {}
        self.redis_url = (extra or {}).get("REDIS_URL", OWN_REDIS)

    def __enter__(self):
        var = OUT / f"load-own-{self.port}"
        var.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            **own_environment(str(var), self.database_url, self.redis_url),
            **self.extra,
        }
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
            env=self.env,
            cwd=BASE_DIR,
            check=True,
        )
        self.server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(BASE_DIR / "deploy" / "gunicorn.conf.py"), *WSGI],
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            cwd=BASE_DIR,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(self.url + "/healthz")
        return self

    def __exit__(self, *exc):
        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=30)
        return False

    def roots(self) -> dict[str, list[int]]:
        return {
            "gunicorn": [self.server.pid],
            "postgres": _pids_named("postgres:", self.database_url.rsplit("/", 1)[1] + " "),
            "redis": _pids_named("redis-server"),
        }


def own_environment(var: str, database_url: str, redis_url: str = OWN_REDIS) -> dict[str, str]:
    """Production-like settings without production secrets (as bench/cases_http_bench.py):
    DEBUG off, PostgreSQL, Redis for the cache and sessions, the database task backend."""
    return {
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        "TONGBAN_ENV": "development",
        "DEBUG": "0",
        "SECRET_KEY": "load-dev-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TASKS_BACKEND": "database",
        "TONGBAN_VAR_DIR": var,
        "MEDIA_ROOT": os.path.join(var, "media"),
        "STATIC_ROOT": os.path.join(var, "static"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        **LIMITS,
    }


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # nosec B310  # the loopback server it started
            return
        except urllib.error.HTTPError:
            return  # up, even if a worker heartbeat is missing
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def seed(env: dict, world: Path, *, cases: int) -> None:
    """``proof.seed`` in the target's environment (a no-op on a seeded database)."""
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "proof.seed", "--cases", str(cases), "--world", str(world)],
        env=env,
        cwd=BASE_DIR,
        check=True,
    )
    print(f"seed ready in {time.monotonic() - started:.0f} s", flush=True)


# --- the run -------------------------------------------------------------------------------


def run(target, world: Path, users: int, ramp: int, hold: int, prefix: Path = OUT / "load"):
    """Locust against ``target`` while sampling CPU; the figures of the hold."""
    for suffix in ("_stats.csv", "_failures.csv", "_exceptions.csv", "_stats_history.csv"):
        Path(f"{prefix}{suffix}").unlink(missing_ok=True)
    command = [
        str(BIN / "locust"),
        "-f",
        str(BASE_DIR / "proof" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        f"{users / max(ramp, 1):.3f}",
        "--run-time",
        f"{ramp + hold}s",
        "--host",
        target.url,
        "--csv",
        str(prefix),
        "--reset-stats",
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    print(f"locust: {users} users over {ramp} s, then {hold} s held, at {target.url}", flush=True)
    locust = subprocess.Popen(command, env={**os.environ, "LOAD_WORLD": str(world)}, cwd=BASE_DIR)
    sampler = CpuSampler(lambda: {**target.roots(), "locust": [locust.pid]})
    sampler.start()
    time.sleep(ramp)
    sampler.mark("hold")
    locust.wait()
    sampler.stop()
    stats = read_stats(prefix)
    return {
        "endpoints": stats["endpoints"],
        "total": stats["total"],
        "failures": read_failures(prefix),
        "cpu_seconds_hold": sampler.seconds_since("hold"),
        "cpu_seconds_run": sampler.seconds_since("start"),
        "hold_seconds": sampler.elapsed_since("hold"),
        "locust_exit": locust.returncode,
    }


def read_stats(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    endpoints = [_row(r) for r in rows if r["Name"] != "Aggregated"]
    total = next((_row(r) for r in rows if r["Name"] == "Aggregated"), {})
    return {"endpoints": sorted(endpoints, key=lambda e: -e["requests"]), "total": total}


def _row(r: dict) -> dict:
    def number(key):
        try:
            return float(r[key])
        except (KeyError, ValueError):
            return None

    return {
        "name": f"{r['Type']} {r['Name']}".strip(),
        "requests": int(r["Request Count"]),
        "failures": int(r["Failure Count"]),
        "rps": number("Requests/s"),
        "p50": number("50%"),
        "p95": number("95%"),
        "p99": number("99%"),
        "max": number("Max Response Time"),
    }


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "name": f"{r['Method']} {r['Name']}",
            "error": r["Error"][:200],
            "count": int(r["Occurrences"]),
        }
        for r in rows
    ]


# --- CPU per process kind, from /proc --------------------------------------------------------


class CpuSampler(threading.Thread):
    """Every second: each kind's processes (the roots and their descendants) and their
    utime+stime. A process first seen after the start counts from zero (it was born during
    the run); one that ended loses at most its last second."""

    def __init__(self, roots, interval: float = 1.0):
        super().__init__(daemon=True)
        self.roots, self.interval = roots, interval
        self.ticks: dict[str, dict[int, int]] = {}
        self.marks: dict[str, tuple[float, dict[str, dict[int, int]], int]] = {}
        self.halt = threading.Event()
        self.machine_busy = 0
        self.mark("start")

    def mark(self, name: str) -> None:
        self.sample()
        snapshot = {kind: dict(pids) for kind, pids in self.ticks.items()}
        self.marks[name] = (time.monotonic(), snapshot, _machine_busy())

    def run(self) -> None:
        while not self.halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self.halt.set()
        self.join()
        self.sample()
        self.machine_busy = _machine_busy()

    def sample(self) -> None:
        try:
            roots = self.roots()
        except Exception:  # a stack mid-restart: keep the last figures
            return
        for kind, pids in roots.items():
            seen = self.ticks.setdefault(kind, {})
            for pid in _with_descendants(pids):
                ticks = _ticks(pid)
                if ticks is not None:
                    seen[pid] = max(ticks, seen.get(pid, 0))

    def seconds_since(self, name: str) -> dict[str, float]:
        _at, snapshot, busy = self.marks[name]
        found = {
            kind: round(
                sum(t - snapshot.get(kind, {}).get(pid, 0) for pid, t in pids.items()) / CLK_TCK,
                1,
            )
            for kind, pids in self.ticks.items()
        }
        found["machine (all processes)"] = round((self.machine_busy - busy) / CLK_TCK, 1)
        return found

    def elapsed_since(self, name: str) -> float:
        return round(time.monotonic() - self.marks[name][0], 1)


def _ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def _with_descendants(pids: list[int]) -> set[int]:
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.add(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(p) for p in (task / "children").read_text().split()]
            except (FileNotFoundError, ValueError, ProcessLookupError):
                continue
    return found


def _pids_named(*words: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if all(word in command for word in words):
            found.append(int(entry.name))
    return found


def _machine_busy() -> int:
    """All CPUs' non-idle ticks since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle


# --- the table -----------------------------------------------------------------------------


def table(result: dict) -> str:
    total = result["total"]
    lines = [
        f"hold {result['hold_seconds']} s at {result['conditions']['users']} users: "
        f"{total.get('requests', 0):,} requests, {total.get('rps') or 0:.1f} req/s, "
        f"{total.get('failures', 0):,} failures; p50 {total.get('p50')} ms, "
        f"p95 {total.get('p95')} ms, p99 {total.get('p99')} ms",
        "",
        f"{'endpoint':<52} {'reqs':>7} {'req/s':>7} {'fail':>5} "
        f"{'p50':>6} {'p95':>6} {'p99':>6}  (ms)",
    ]
    for e in result["endpoints"]:
        lines.append(
            f"{e['name'][:52]:<52} {e['requests']:>7} {e['rps'] or 0:>7.1f} {e['failures']:>5} "
            f"{_ms(e['p50'])} {_ms(e['p95'])} {_ms(e['p99'])}"
        )
    if result["failures"]:
        lines += ["", "failures by kind:"]
        lines += [f"  {f['count']:>6}  {f['error']}  ({f['name']})" for f in result["failures"]]
    hold = result["hold_seconds"] or 1
    lines += ["", f"CPU seconds during the hold ({hold} s; 1 core = {hold} s):"]
    for kind, seconds in sorted(result["cpu_seconds_hold"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {kind:<26} {seconds:>8.1f} s  = {seconds / hold:5.2f} cores")
    return "\n".join(lines)


def _ms(value) -> str:
    return f"{value:>6.0f}" if value is not None else f"{'-':>6}"


if __name__ == "__main__":
    sys.exit(main())
