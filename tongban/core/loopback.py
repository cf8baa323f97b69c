"""A small HTTP service on loopback, the shape every sandbox of an outside system shares.

Subclasses set ``handler`` (a ``BaseHTTPRequestHandler`` class reading its sandbox from
``self.state``) and keep their protocol logic; ``serve`` binds (``manage.py`` commands then
call ``server.serve_forever()``), ``start`` serves from a daemon thread (tests), ``stop``.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
