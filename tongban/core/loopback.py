"""A small HTTP service on loopback, the shape every sandbox of an outside system shares.

Subclasses set ``handler`` (a ``BaseHTTPRequestHandler`` class reading its sandbox from
``self.state``) and keep their protocol logic; ``serve`` binds (``manage.py`` commands then
call ``server.serve_forever()``), ``start`` serves from a daemon thread (tests), ``stop``.
``SandboxCommand`` is the ``manage.py`` command running one in the foreground until Ctrl-C
(``manage.py serve`` starts them as child processes and waits for their started line).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management.base import BaseCommand


class JsonHandler(BaseHTTPRequestHandler):
    """What every sandbox's handler shares: keep-alive HTTP/1.1, quiet logs, JSON answers."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes

    def log_message(self, format, *args):  # the sandboxes' consoles show events, not requests
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _json(self, status: int, data: dict):
        self._send(status, "application/json", json.dumps(data, ensure_ascii=False).encode())

    def _see_other(self, location: str = "/"):
        """303 to ``location``: a sandbox page's button posts, then shows the page again."""
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, content_type: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LoopbackService:
    handler: type[BaseHTTPRequestHandler]
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        handler = type("Handler", (self.handler,), {"state": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        return self.server

    def start(self, host: str = "127.0.0.1", port: int = 0):
        self.serve(host, port)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


class SandboxCommand(BaseCommand):
    """Serve the sandbox ``build`` makes on ``--host``/``--port`` until interrupted.

    Subclasses set ``help`` and ``started`` (the bilingual name in the started line), and give
    ``default_port`` and ``build``; extra options go in ``add_arguments`` (call ``super()``)
    and reach ``build`` as keyword arguments.
    """

    started: str

    def default_port(self) -> int:
        raise NotImplementedError

    def build(self, echo, **options) -> LoopbackService:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=self.default_port())

    def echo(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # the line is read through a pipe (``manage.py serve``)

    def handle(self, *args, host, port, **options):
        server = self.build(self.echo, **options).serve(host, port)
        self.echo(f"{self.started} on http://{host}:{port}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
