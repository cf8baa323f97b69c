"""The shared HTTP client against a tiny loopback server: keep-alive, one retry, timeouts."""

import contextlib
import json
import time
from http.server import BaseHTTPRequestHandler

import pytest

from tongban.core import httpclient, httpsign
from tongban.core.loopback import LoopbackService


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = httpsign.verify("s3", "POST", self.path, body, self.headers.get)
        self.state.ports.append(self.client_address[1])
        time.sleep(self.state.delay)
        data = json.dumps({"signed": signed, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(data)
        self.close_connection = self.state.hang_up  # closes without saying so


class Server(LoopbackService):
    handler = Handler

    def __init__(self):
        self.ports, self.delay, self.hang_up = [], 0, False


@pytest.fixture
def server():
    service = Server().start()
    yield service
    service.stop()


def post(server, timeout=5):
    status, raw = httpclient.request(
        "POST", server.url + "/api/", "/x", b"{}", app_key="k", secret="s3", timeout=timeout
    )
    return status, httpclient.json_answer(raw)


def test_signed_requests_reuse_the_kept_alive_connection(server):
    assert post(server) == (200, {"signed": True, "path": "/api/x"})
    assert post(server) == (200, {"signed": True, "path": "/api/x"})
    assert len(server.ports) == 2 and len(set(server.ports)) == 1


def test_a_connection_the_server_closed_is_retried_once_on_a_fresh_one(server):
    server.hang_up = True
    assert post(server)[0] == 200
    assert post(server)[0] == 200
    assert len(server.ports) == 2 and len(set(server.ports)) == 2


def test_no_answer_in_time_is_unreachable(server):
    server.delay = 0.5
    with pytest.raises(httpclient.Unreachable) as caught:
        post(server, timeout=0.1)
    assert not caught.value.broken
    assert caught.value.reason("无响应").startswith("无响应: ")


def test_json_answer_falls_back_for_other_answers():
    assert httpclient.json_answer(b"") == {}
    assert httpclient.json_answer(b"[1]") == {}
    assert httpclient.json_answer(b"<html>") == {"message": "<html>"}
