"""The platform's HTTP API under /api/v1/: each app mounts its router here.

Every error, whatever raised it, leaves as one JSON shape (docs/api.md)::

    {"code": "...", "message": "中文", "message_en": "English", "fields": {...}}
"""

import logging

from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from tongban import api_errors
from tongban.archives.api import router as archives_router
from tongban.bundles.api import router as bundles_router
from tongban.cases.api import cases_router
from tongban.cases.api import router as calendar_router
from tongban.catalog.api import router as items_router
from tongban.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TongbanError,
    Unauthenticated,
    Unavailable,
)
from tongban.gateway.api import oauth_router
from tongban.gateway.api import router as gateway_router
from tongban.identity.api import router as identity_router
from tongban.licenses.api import router as licenses_router
from tongban.logistics.api import router as logistics_router
from tongban.metrics.api import router as metrics_router
from tongban.org.api import router as org_router
from tongban.payments.api import router as payments_router
from tongban.registry.api import router as spaces_router
from tongban.reviews.api import router as reviews_router

logger = logging.getLogger(__name__)


class TongbanAPI(NinjaAPI):
    """Declares the platform's error answers on every operation (``tongban.api_errors``)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return api_errors.declare(schema)


api = TongbanAPI(
    title="通办 Tongban API",
    version="1",
    description="周至县一体化政务服务平台接口 / Zhouzhi County integrated government service API",
    urls_namespace="api",
)


def _answer(request, error: TongbanError):
    response = api.create_response(request, error.as_dict(), status=error.status)
    if getattr(error, "retry_after", None):  # 429 rate limits, 503 unavailable storage
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(TongbanError)
def tongban_error(request, exc: TongbanError):
    return _answer(request, exc)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        name = ".".join(str(part) for part in error.get("loc", ())[1:]) or "__all__"
        fields.setdefault(name, []).append(f"格式不正确 / {error.get('msg', 'invalid')}")
    return _answer(request, InvalidInput(fields=fields))


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return _answer(request, NotFound())


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        error = Unauthenticated()
    elif isinstance(exc, Throttled):
        error = RateLimited(retry_after=exc.wait or 60)
    elif exc.status_code == 403:
        error = PermissionDenied()
    elif exc.status_code == 404:
        error = NotFound()
    else:
        error = TongbanError(message_en=str(exc))
        error.status = exc.status_code
    return _answer(request, error)


@api.exception_handler(DataError)
def data_error(request, exc: DataError):
    # Values the database refuses (NUL characters in text on PostgreSQL, numbers out of a
    # column's range) come from the request: the fuzzer found them as 500s (docs/fuzzing.md).
    logger.warning("API input refused by the database: %s", exc)
    return _answer(request, InvalidInput("填写的内容含有无法保存的字符或数值", "Unstorable input"))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_away(request, exc: DatabaseError):
    # PostgreSQL restarting or failing over: a 503 the client retries, not a 500.
    logger.warning("API request while the database is away: %s", exc)
    return _answer(request, Unavailable())


@api.exception_handler(Exception)
def unexpected_error(request, exc: Exception):
    # The traceback goes to the log, never to the caller.
    logger.error("unexpected API error", exc_info=exc)
    return _answer(request, ServerError())


api.add_router("/org", org_router)
api.add_router("/items", items_router)
api.add_router("/gateway", gateway_router)
api.add_router("/oauth", oauth_router)
api.add_router("/spaces", spaces_router)
api.add_router("/identity", identity_router)
api.add_router("/calendar", calendar_router)
api.add_router("/cases", cases_router)
api.add_router("/licenses", licenses_router)
api.add_router("/archives", archives_router)
api.add_router("/bundles", bundles_router)
api.add_router("/payments", payments_router)
api.add_router("/logistics", logistics_router)
api.add_router("/reviews", reviews_router)
api.add_router("/metrics", metrics_router)
api.add_router("/notify", "tongban.notify.api.router")
