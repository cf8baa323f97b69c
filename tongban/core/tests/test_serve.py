"""``manage.py serve`` as ``make run`` uses it: a web server and a worker, stopped together."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return state != "Z"


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


def _wait_for_page(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                assert "沙箱" in page.read().decode()
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the sandbox on port {port} did not answer")


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find the children")
def test_serve_runs_web_and_worker_and_ctrl_c_stops_both(tmp_path):
    env = {
        **os.environ,
        "TONGBAN_VAR_DIR": str(tmp_path),
        "TONGBAN_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
    }
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=600)
    port, sms_port, pay_port, courier_port, reader_port = (_free_port() for _ in range(5))
    # Started as a non-interactive shell starts a background job: with SIGINT ignored.
    serve = subprocess.Popen(
        [
            *manage,
            "serve",
            *("--port", str(port), "--sms-port", str(sms_port)),
            *("--pay-port", str(pay_port), "--courier-port", str(courier_port)),
            *("--reader-port", str(reader_port)),
        ],
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while (_health(port) or {}).get("status") != "ok" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _health(port)["status"] == "ok"
        children = _children(serve.pid)
        assert len(children) == 6  # web, worker, the SMS, payment, courier and reader sandboxes
        for sandbox_port in (sms_port, pay_port, courier_port, reader_port):
            _wait_for_page(sandbox_port, deadline)

        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=20) == 0
        assert not any(_alive(child) for child in children)
    finally:
        if serve.poll() is None:
            serve.kill()
