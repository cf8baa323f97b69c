"""The platform as production runs it, on this machine, on loopback (``make prod``).

    python -m proof.stack up|down|status

``up`` starts (idempotently): the stack's own PostgreSQL cluster on 5442 (database
``tongban``), migrations, static files, the demo county's catalog with accounts of its own
(``proof._seed``), and under a supervisor (``proof._supervisor``, systemd's
``Restart=always``) gunicorn on 8101 (``deploy/gunicorn.conf.py``), two rq task workers
(``manage.py rq_worker``, Redis database 3), the minute's ``notify_due`` (``proof._cron``, a
systemd timer in production) and the SMS, payment and courier sandboxes on
8126/8129/8128 with generated credentials; then nginx on 8100 (``deploy/nginx.conf``). It
returns when ``/healthz`` through nginx says ``ok``. Everything lives in var/proof/stack/:
``env`` (0600, the production environment), ``state.json`` (credentials, URLs), ``pids.json``,
``log/``. ``down`` stops what ``up`` started, the PostgreSQL cluster included.

In Python: ``Stack().up()``, ``.url``, ``.processes()``, ``.kill(name, sig, which=…)``,
``.restart(name)``, ``.manage(*args)``, ``.env``, ``.database_url``, ``.credentials``,
``.down()``.
"""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from proof import _env, _nginx, _postgres

BASE_DIR = Path(__file__).resolve().parent.parent
DIRECTORY = BASE_DIR / "var" / "proof" / "stack"
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
SUPERVISED = ("gunicorn", "task_worker", "cron", "sms", "payment", "courier")
TASK_WORKERS = 2


class StackError(RuntimeError):
    pass


class Stack:
    def __init__(self, directory: Path = DIRECTORY):
        self.directory = directory
        self.url = f"http://127.0.0.1:{_env.WEB_PORT}"

    # Configuration ------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        """The stack's production environment (generated on first use)."""
        return _env.ensure(self.directory)

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def state(self) -> dict:
        try:
            return json.loads((self.directory / "state.json").read_text())
        except FileNotFoundError:
            return {}

    def _save_state(self, **changes) -> None:
        state = {**self.state, **changes}
        path = self.directory / "state.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump(state, out, ensure_ascii=False, indent=2)

    @property
    def credentials(self) -> dict:
        """``{"gateway": {key_id, secret, scopes}, "staff": [...], "persons": [...]}``."""
        return self.state.get("credentials", {})

    def process_env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **self.env, "PWD": str(BASE_DIR), **extra}

    def manage(self, *args: str, check: bool = True, **extra_env: str):
        """Run ``manage.py`` with the stack's environment; the CompletedProcess (text)."""
        result = subprocess.run(
            [PYTHON, str(BASE_DIR / "manage.py"), *args],
            env=self.process_env(**extra_env),
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        )
        if check and result.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)}: {result.stderr[-2000:]}")
        return result

    def services(self) -> dict[str, dict]:
        """What the supervisor runs: name -> {argv, count}."""
        manage = [PYTHON, str(BASE_DIR / "manage.py")]
        sandbox = [PYTHON, "-m", "proof._sandboxes"]
        return {
            "gunicorn": {
                "argv": [
                    str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
                    "-c", str(BASE_DIR / "deploy" / "gunicorn.conf.py"), "tongban.wsgi",
                ],
            },
            "task_worker": {"argv": [*manage, "rq_worker"], "count": TASK_WORKERS},
            "cron": {"argv": [PYTHON, "-m", "proof._cron"]},
            "sms": {"argv": [*sandbox, "sms", "--port", str(_env.SMS_PORT)]},
            "payment": {"argv": [*sandbox, "payment", "--port", str(_env.PAY_PORT)]},
            "courier": {"argv": [*sandbox, "courier", "--port", str(_env.COURIER_PORT)]},
        }  # fmt: skip

    def gunicorn_env(self) -> dict[str, str]:
        """gunicorn's size: from the env file, else this process's environment, else 2 x 8."""
        size = {**os.environ, **self.env}
        return {
            "GUNICORN_BIND": f"127.0.0.1:{_env.APP_PORT}",
            "GUNICORN_WORKERS": size.get("GUNICORN_WORKERS", "2"),
            "GUNICORN_THREADS": size.get("GUNICORN_THREADS", "8"),
            "GUNICORN_ERROR_LOG": str(self.directory / "log" / "gunicorn-error.log"),
        }

    def nginx_values(self) -> dict[str, str]:
        return {
            "user": "root" if os.geteuid() == 0 else "nobody",
            "pid": str(self.directory / "nginx.pid"),
            "error_log": str(self.directory / "log" / "nginx-error.log"),
            "access_log": "off",
            "temp": str(self.directory / "nginx-temp"),
            "trusted_proxy": "127.0.0.1",
            "upstream": f"127.0.0.1:{_env.APP_PORT}",
            "listen": f"127.0.0.1:{_env.WEB_PORT}",
            "server_name": "127.0.0.1",
            "static_root": self.env.get("STATIC_ROOT", self.env["TONGBAN_VAR_DIR"] + "/static"),
        }

    # Up ------------------------------------------------------------------------------------
    def up(self, timeout: float = 180) -> "Stack":
        (self.directory / "log").mkdir(parents=True, exist_ok=True)
        env = self.env
        self._postgres_up(env)
        _step("migrate", self.manage, "migrate", "--noinput")
        if self.state.get("static") != _static_fingerprint():
            _step("collectstatic", self.manage, "collectstatic", "--noinput", "--verbosity", "0")
            self._save_state(static=_static_fingerprint())
        if not self.credentials:
            self._seed()
        self._supervisor_up()
        self._nginx_up()
        self._wait_healthy(timeout)
        env_file = str(self.directory / "env")
        self._save_state(url=self.url, database_url=self.database_url, env=env_file)
        return self

    def _postgres_up(self, env) -> None:
        if not _postgres.exists():
            _postgres.create(_env.PG_PORT)
        _postgres.start()
        _postgres.ensure_database(_env.PG_PORT, env["PROOF_DB_PASSWORD"])

    def _seed(self) -> None:
        """The demo county without its accounts, then the stack's own accounts.

        ``load_demo`` refuses production, so it runs once here with ``TONGBAN_ENV=development``
        against the stack's database (same keys); its accounts are removed at once, as
        production requires (``remove_demo_accounts``)."""
        _step("load_demo", self.manage, "load_demo", "--once", TONGBAN_ENV="development")
        _step("remove_demo_accounts", self.manage, "remove_demo_accounts")
        result = _step("seed", self.manage, "shell", "-c", "import proof._seed; proof._seed.main()")
        self._save_state(credentials=json.loads(result.stdout.strip().splitlines()[-1]))

    def _supervisor_up(self) -> None:
        running = self._supervisor_pid()
        services = json.dumps(self.services())
        path = self.directory / "services.json"
        if running:
            if not path.exists() or path.read_text() != services:
                path.write_text(services)
                os.kill(running, signal.SIGHUP)  # starts services added since
            return
        path.write_text(services)
        (self.directory / "services-env.json").write_text(
            json.dumps({**self.env, **self.gunicorn_env(), "PWD": str(BASE_DIR)})
        )
        (self.directory / "services-env.json").chmod(0o600)
        log = open(self.directory / "log" / "supervisor.log", "ab")  # noqa: SIM115
        subprocess.Popen(
            [PYTHON, "-m", "proof._supervisor", str(self.directory)],
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        _wait(lambda: self._supervisor_pid() is not None, 10, "supervisor")

    def _nginx_up(self) -> None:
        (self.directory / "nginx-temp").mkdir(exist_ok=True)
        config = _nginx.write_config(self.directory / "nginx", self.nginx_values())
        subprocess.run(["nginx", "-t", "-q", "-c", str(config)], check=True)
        if self._nginx_master():
            subprocess.run(["nginx", "-c", str(config), "-s", "reload"], check=True)
        else:
            subprocess.run(["nginx", "-c", str(config)], check=True)

    def _wait_healthy(self, timeout: float) -> None:
        _wait(lambda: self.health().get("status") == "ok", timeout, "/healthz status ok")

    def health(self) -> dict:
        """/healthz through nginx (``{}`` when nothing answers in time)."""
        try:
            answer = requests.get(f"{self.url}/healthz", timeout=10)
        except requests.RequestException:
            return {}
        try:
            return answer.json()
        except ValueError:
            return {"status": f"http {answer.status_code}"}

    # Processes -----------------------------------------------------------------------------
    def _supervisor_pid(self) -> int | None:
        try:
            pid = json.loads((self.directory / "pids.json").read_text())["supervisor"]
        except (FileNotFoundError, ValueError, KeyError):
            return None
        return pid if _alive(pid) else None

    def _nginx_master(self) -> int | None:
        try:
            pid = int((self.directory / "nginx.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def processes(self) -> dict[str, list[int]]:
        """Live pids per service; ``gunicorn`` is ``[master, *workers]``, ``nginx`` likewise."""
        try:
            supervised = json.loads((self.directory / "pids.json").read_text())["services"]
        except (FileNotFoundError, ValueError, KeyError):
            supervised = {}
        found = {name: [p for p in supervised.get(name, []) if _alive(p)] for name in SUPERVISED}
        if found["gunicorn"]:
            found["gunicorn"] += _children(found["gunicorn"][0])
        nginx = self._nginx_master()
        found["nginx"] = [nginx, *_children(nginx)] if nginx else []
        postmaster = _postgres.postmaster_pid()
        found["postgres"] = [postmaster] if postmaster and _alive(postmaster) else []
        return found

    def restarts(self) -> dict[str, int]:
        """How many times the supervisor restarted each service since ``up``."""
        try:
            return json.loads((self.directory / "pids.json").read_text())["restarts"]
        except (FileNotFoundError, ValueError, KeyError):
            return {}

    def kill(self, name: str, sig: int = signal.SIGKILL, which: str | int = "random") -> list[int]:
        """Send ``sig`` to processes of service ``name``; the pids signalled.

        ``which``: ``"random"`` (one; for gunicorn and nginx one of the workers), ``"master"``
        (the first pid: gunicorn's or nginx's master, the postmaster), ``"all"``, or an index.
        """
        pids = self.processes().get(name, [])
        if not pids:
            raise StackError(f"{name}: nothing running")
        if which == "all":
            chosen = pids
        elif which == "master":
            chosen = pids[:1]
        elif which == "random":
            workers = pids[1:] if name in ("gunicorn", "nginx") and len(pids) > 1 else pids
            chosen = [random.choice(workers)]
        else:
            chosen = [pids[int(which)]]
        for pid in chosen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        return chosen

    def restart(self, name: str) -> None:
        """Restart a service: PostgreSQL with pg_ctlcluster, nginx by a fresh start, the
        supervised ones by SIGTERM (the supervisor starts them again)."""
        if name == "postgres":
            _postgres.restart()
        elif name == "nginx":
            master = self._nginx_master()
            if master:
                os.kill(master, signal.SIGQUIT)
                _wait(lambda: self._nginx_master() is None, 15, "nginx to stop")
            self._nginx_up()
        elif name in SUPERVISED:
            self.kill(name, signal.SIGTERM, which="all" if name != "gunicorn" else "master")
        else:
            raise StackError(f"unknown service {name}")

    # Down and status -------------------------------------------------------------------------
    def down(self) -> None:
        master = self._nginx_master()
        if master:
            os.kill(master, signal.SIGQUIT)
            _wait(lambda: self._nginx_master() is None, 15, "nginx to stop")
        supervisor = self._supervisor_pid()
        if supervisor:
            os.kill(supervisor, signal.SIGTERM)
            _wait(lambda: not _alive(supervisor), 30, "supervisor to stop")
        _postgres.stop()

    def status(self) -> dict:
        return {
            "url": self.url,
            "health": self.health(),
            "processes": self.processes(),
            "restarts": self.restarts(),
        }


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except (FileNotFoundError, ValueError):
            continue
    return sorted(p for p in found if _alive(p))


def _static_fingerprint() -> str:
    """Changes when a static source file is added, removed or modified: collectstatic (which
    compresses every file, minutes on this machine) runs only then."""
    files = [f for f in (BASE_DIR / "tongban").glob("**/static/**/*") if f.is_file()]
    newest = max((f.stat().st_mtime for f in files), default=0)
    return f"{len(files)}:{newest:.0f}"


def _step(label: str, action, *args, **kwargs):
    """Run one step of ``up``, saying how long it took (stderr: stdout may be parsed)."""
    started = time.monotonic()
    result = action(*args, **kwargs)
    print(f"  {label}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return result


def _wait(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.3)
    raise StackError(f"timed out waiting for {what}")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    stack = Stack()
    if command == "up":
        started = time.monotonic()
        stack.up()
        print(f"通办生产形态已启动 / stack up at {stack.url} ({time.monotonic() - started:.0f} s)")
        print(f"state: {stack.directory / 'state.json'}")
    elif command == "down":
        stack.down()
        print("已停止 / stack down")
    elif command == "status":
        print(json.dumps(stack.status(), ensure_ascii=False, indent=2))
    else:
        print("usage: python -m proof.stack up|down|status", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
