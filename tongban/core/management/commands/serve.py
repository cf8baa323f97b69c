"""Serve the platform together with a task worker; Ctrl-C stops both.

``make run`` uses this so that one terminal runs the whole demo: the web server
(Django's development server), ``manage.py worker`` for background tasks and, in
development, the sandboxes of the outside systems: SMS (``manage.py sms_sandbox``: SMS show
on its page and in this console), the payment channel (``payment_sandbox``: its pay page),
the courier (``courier_sandbox``: its page advances the parcels) and the ID-card reader
(``card_reader_sandbox``: place a demo person's card on it). When one process
ends, the others are stopped too, so nothing is left running.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from tongban.identity.management.commands import provincial_idp_sandbox


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "启动网站与后台任务进程 / Serve the site with a task worker"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--sms-port", type=int, default=settings.NOTIFY_SANDBOX_PORT)
        parser.add_argument("--pay-port", type=int, default=settings.PAYMENTS_SANDBOX_PORT)
        parser.add_argument("--courier-port", type=int, default=settings.LOGISTICS_SANDBOX_PORT)
        parser.add_argument("--reader-port", type=int, default=settings.KIOSK_SANDBOX_PORT)

    def handle(self, *args, host, port, sms_port, pay_port, courier_port, reader_port, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = [
            [*manage, "worker", "--no-reload", "--interval", "1", "--verbosity", "0"],
            [*manage, "runserver", f"{host}:{port}", "--noreload"],
        ]
        if settings.NOTIFY_SANDBOX_AUTOSTART:
            commands.append(self._sms_sandbox(manage, host, port, sms_port))
        if settings.PAYMENTS_SANDBOX_AUTOSTART:
            commands.append(self._sandbox(manage, "payment_sandbox", "统一支付沙箱", pay_port))
        if settings.LOGISTICS_SANDBOX_AUTOSTART:
            commands.append(self._sandbox(manage, "courier_sandbox", "快递沙箱", courier_port))
        if settings.KIOSK_SANDBOX_AUTOSTART:
            reader = self._sandbox(manage, "card_reader_sandbox", "读卡器沙箱", reader_port)
            commands.append(reader)
        if settings.PROVINCIAL_OIDC_ISSUER.rstrip("/") == settings.PROVINCIAL_SANDBOX_URL:
            # In a thread of this process: provincial sign-in works against it (docs/sso.md).
            self.stdout.write(provincial_idp_sandbox.start_in_background())
        # The worker and the web process send SMS to the sandbox on the port chosen here.
        here = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # nosec B104  # compares the host, binds nothing
        env = {
            **os.environ,
            "NOTIFY_SANDBOX_PORT": str(sms_port),
            "PAYMENTS_SANDBOX_PORT": str(pay_port),
            "LOGISTICS_SANDBOX_PORT": str(courier_port),
            "KIOSK_SANDBOX_PORT": str(reader_port),
            # The sandboxes post their notices back to this server.
            "PAYMENTS_PUBLIC_URL": os.environ.get("PAYMENTS_PUBLIC_URL", here),
            "LOGISTICS_PUBLIC_URL": os.environ.get("LOGISTICS_PUBLIC_URL", here),
        }
        children = [subprocess.Popen(command, env=env) for command in commands]
        self.stdout.write(f"通办已启动 / Tongban is serving on http://{host}:{port}  (Ctrl-C 停止)")
        # Set explicitly: a shell that starts us in the background hands down SIGINT ignored.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(children)
        self.stdout.write("已停止 / stopped")

    def _sms_sandbox(self, manage, host, port, sms_port) -> list[str]:
        _free(sms_port, "--sms-port")
        receipts = f"http://{host}:{port}/notify/receipts/sandbox"
        self.stdout.write(f"短信沙箱 / SMS sandbox: http://127.0.0.1:{sms_port}/")
        return [*manage, "sms_sandbox", "--port", str(sms_port), "--receipt-url", receipts]

    def _sandbox(self, manage, command: str, label: str, sandbox_port: int) -> list[str]:
        _free(sandbox_port, f"{command} port")
        self.stdout.write(f"{label} / {command}: http://127.0.0.1:{sandbox_port}/")
        return [*manage, command, "--port", str(sandbox_port)]

    @staticmethod
    def _stop(children):
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()


def _free(port: int, option: str) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"端口 {port} 已被占用 / port in use ({option})")
