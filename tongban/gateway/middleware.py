"""Every call under /api/ is logged (no personal data: the route template, not the path),
and the plain-text 404/405 answers Django and ninja give outside an operation are turned into
the platform's JSON error shape."""

import logging
import time

from django.db import DatabaseError
from django.http import JsonResponse

from tongban.core import clock
from tongban.errors import NotFound, TongbanError
from tongban.gateway.models import CallLog

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
# Each API call costs one INSERT for its log row (query-count tests add it).
CALL_LOG_QUERIES = 1


class MethodNotAllowed(TongbanError):
    code = "method_not_allowed"
    status = 405
    message = "接口不支持此请求方法"
    message_en = "Method not allowed"


class CallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        started = time.perf_counter()
        response = self._json_errors(self.get_response(request))
        latency_ms = (time.perf_counter() - started) * 1000
        self._log(request, response, latency_ms)
        return response

    @staticmethod
    def _json_errors(response):
        if response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        error = NotFound() if response.status_code == 404 else MethodNotAllowed()
        replacement = JsonResponse(
            error.as_dict(), status=response.status_code, json_dumps_params={"ensure_ascii": False}
        )
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    @staticmethod
    def _log(request, response, latency_ms: float) -> None:
        caller = getattr(request, "gateway_caller", None)
        match = getattr(request, "resolver_match", None)
        route = "/" + match.route if match is not None and match.route else "(unmatched)"
        size = 0 if response.streaming else len(response.content)
        try:
            CallLog.objects.create(
                client=caller.client if caller else None,
                key_id=getattr(request, "gateway_key_id", "")[:40],
                method=request.method[:8],
                route=route[:200],
                status=response.status_code,
                latency_ms=round(latency_ms, 3),
                bytes_out=size,
                at=clock.now(),
            )
        except DatabaseError:
            # The call's answer matters more than its log line.
            logger.exception("gateway call log not written")
