"""Processes and network links for the outage scenario (``proof.faults_outage``).

``Service`` is one child process (a sandbox, gunicorn, the task worker) with its log file;
``Link`` is a TCP forwarder between two loopback ports that can be cut (``down``: the
listening socket closes and open connections are reset, so callers get "connection
refused") and restored (``up``). A link models a network partition: the payment channel
keeps working for the people paying at it while the platform cannot reach it, nor it the
platform.
"""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on {port} after {timeout:.0f} s")


class Service:
    def __init__(self, name: str, argv: list[str], env: dict, logs: Path, port: int = 0):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> "Service":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=os.getcwd()
            )
        if self.port:
            wait_for_port(self.port, timeout)
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (gunicorn and the sandboxes end gracefully), SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Link:
    """``127.0.0.1:listen`` → ``127.0.0.1:target``, byte for byte, while up."""

    def __init__(self, listen: int, target: int):
        self.listen, self.target = listen, target
        self.server: socket.socket | None = None
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()

    def up(self) -> "Link":
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.listen))
        server.listen(128)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def down(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (Linux)
            server.close()
        with self.lock:
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _address = server.accept()
            except OSError:
                return  # closed by down()
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), 10)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open.update((client, upstream))
            threading.Thread(target=self._serve, args=(client, upstream), daemon=True).start()

    def _serve(self, client: socket.socket, upstream: socket.socket) -> None:
        other = threading.Thread(target=_pump, args=(client, upstream), daemon=True)
        other.start()
        _pump(upstream, client)
        other.join()
        with self.lock:
            for sock in (client, upstream):
                self.open.discard(sock)
                sock.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
