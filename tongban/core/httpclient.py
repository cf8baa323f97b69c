"""Signed JSON over kept-alive HTTP connections, shared by the clients of outside systems
(SMS gateway, courier, payment channel); each keeps only its own errors and status rules.

Connections are pooled per thread (``http.client`` connections are not thread-safe) and
shared per (scheme, netloc, timeout). A kept-alive connection the server has meanwhile
closed is retried once on a fresh one; any other failure raises ``Unreachable``.
"""

import http.client
import json
import threading
from urllib.parse import urlsplit

from tongban.core import httpsign

# What a kept-alive connection the server closed looks like: worth one more try.
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
_local = threading.local()


class Unreachable(Exception):
    """No answer (timeout, refused, broken twice): the caller's retryable error.

    ``broken`` tells a connection that broke from one that never answered.
    """

    def __init__(self, cause: Exception, *, broken: bool):
        super().__init__(cause)
        self.broken = broken

    def reason(self, silent: str) -> str:
        """The caller's message: 连接中断 when broken, else ``silent`` (e.g. 短信网关无响应)."""
        return f"{'连接中断' if self.broken else silent}: {self}"


def request(
    method: str, url: str, path: str, body: bytes = b"", *, app_key: str, secret: str, timeout
) -> tuple[int, bytes]:
    """Send ``body`` to ``url``'s path + ``path``, signed; the status and the raw answer."""
    parts = urlsplit(url)
    full_path = parts.path.rstrip("/") + path
    headers = httpsign.headers(app_key, secret, method, full_path, body)
    for reuse in (True, False):
        connection = _connection(parts, float(timeout), fresh=not reuse)
        try:
            connection.request(method, full_path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        except STALE as exc:
            connection.close()
            if not reuse:
                raise Unreachable(exc, broken=True) from exc
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            connection.close()
            raise Unreachable(exc, broken=False) from exc
    raise AssertionError("unreachable")  # the second try returns or raises


def json_answer(raw: bytes) -> dict:
    """An answer's JSON object; {} for another JSON value, the text's start for non-JSON."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {"message": raw[:200].decode(errors="replace")}
    return answer if isinstance(answer, dict) else {}


def _connection(url, timeout: float, *, fresh: bool) -> http.client.HTTPConnection:
    key = (url.scheme, url.netloc, timeout)
    pool = _local.__dict__.setdefault("connections", {})
    if fresh or key not in pool:
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        pool[key] = cls(url.hostname, url.port, timeout=timeout)
    return pool[key]
