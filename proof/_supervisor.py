"""The stack's process supervisor: systemd's ``Restart=always`` on one machine.

``python -m proof._supervisor <stack dir>`` starts every service named in
``<stack dir>/services.json`` (``{name: {"argv": [...], "count": n}}``) with the stack's
environment, restarts any that exits (after ``RESTART_SECONDS``, as ``RestartSec=1``), and
keeps ``pids.json`` (``{"services": {name: [pid, ...]}, "restarts": {name: n}}``) current.
SIGHUP starts the services added to ``services.json`` since (the others keep running).
Each service runs in its own process group; when its main process dies, the rest of the group
(gunicorn's workers, an rq work horse) is killed before the restart, as systemd does with a
unit's control group. SIGTERM stops the services (SIGTERM, then SIGKILL after
``STOP_SECONDS``) and itself.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RESTART_SECONDS = 1.0
STOP_SECONDS = 15.0
POLL_SECONDS = 0.2


class Supervisor:
    def __init__(self, directory: Path):
        self.directory = directory
        self.env = {**os.environ, **json.loads((directory / "services-env.json").read_text())}
        self.slots: list[dict] = []
        self.restarts: dict[str, int] = {}
        self.stopping = self.reload = False
        self._add_new_services()

    def _add_new_services(self) -> None:
        """Slots for the services of services.json not running yet (at start, and on SIGHUP:
        a service added to the stack starts without restarting the others)."""
        spec = json.loads((self.directory / "services.json").read_text())
        for name, entry in spec.items():
            if name not in self.restarts:
                self.restarts[name] = 0
                self.slots += [
                    {"name": name, "argv": entry["argv"], "process": None, "due": 0.0}
                    for _n in range(entry.get("count", 1))
                ]

    def _start(self, slot) -> None:
        log = open(self.directory / "log" / f"{slot['name']}.log", "ab")  # noqa: SIM115
        slot["process"] = subprocess.Popen(
            slot["argv"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.env["PWD"],
            start_new_session=True,  # its own process group, as a systemd unit's cgroup
        )
        log.close()

    def _write_pids(self) -> None:
        services: dict[str, list[int]] = {}
        for slot in self.slots:
            process = slot["process"]
            if process is not None and process.poll() is None:
                services.setdefault(slot["name"], []).append(process.pid)
        state = {"supervisor": os.getpid(), "services": services, "restarts": self.restarts}
        temporary = self.directory / "pids.json.tmp"
        temporary.write_text(json.dumps(state))
        temporary.replace(self.directory / "pids.json")

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGHUP, self._hangup)
        (self.directory / "log").mkdir(exist_ok=True)
        while not self.stopping:
            changed = False
            if self.reload:
                self.reload = False
                self._add_new_services()
            now = time.monotonic()
            for slot in self.slots:
                process = slot["process"]
                if process is not None and process.poll() is not None:
                    # What the dead process left (gunicorn workers, an rq work horse) goes
                    # with it, as systemd stops a unit's cgroup before restarting it.
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    print(f"{slot['name']} {process.pid} exited {process.returncode}", flush=True)
                    slot["process"], slot["due"] = None, now + RESTART_SECONDS
                    self.restarts[slot["name"]] += 1
                    changed = True
                elif process is None and now >= slot["due"]:
                    self._start(slot)
                    changed = True
            if changed:
                self._write_pids()
            time.sleep(POLL_SECONDS)
        self._shutdown()

    def _stop(self, signum, frame) -> None:
        self.stopping = True

    def _hangup(self, signum, frame) -> None:
        self.reload = True

    def _shutdown(self) -> None:
        running = [s["process"] for s in self.slots if s["process"] is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        (self.directory / "pids.json").unlink(missing_ok=True)


if __name__ == "__main__":
    Supervisor(Path(sys.argv[1])).run()
