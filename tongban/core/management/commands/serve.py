"""Serve the platform together with a task worker; Ctrl-C stops both.

``make run`` uses this so that one terminal runs the whole demo: the web server
(Django's development server) and ``manage.py worker`` for background tasks. When either
process ends, the other is stopped too, so nothing is left running.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "启动网站与后台任务进程 / Serve the site with a task worker"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = [
            subprocess.Popen(
                [*manage, "worker", "--no-reload", "--interval", "1", "--verbosity", "0"]
            ),
            subprocess.Popen([*manage, "runserver", f"{host}:{port}", "--noreload"]),
        ]
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
