import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tongban.core import services
from tongban.errors import Unavailable


@never_cache
@require_GET
def healthz(request):
    report = services.health()
    return JsonResponse(report, status=503 if report["status"] == "error" else 200)


def server_error(request):
    """Django's 500 handler, except while the database is away (a PostgreSQL restart or
    failover, seen by any middleware or view): 503 with Retry-After, JSON under /api/ and
    for /healthz, a page otherwise. Connections are health-checked at each request, so the
    next one after the database is back succeeds without restarting the application."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    away = Unavailable()
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse(away.as_dict(), status=away.status)
    else:
        response = HttpResponse(
            loader.render_to_string("503.html"), status=away.status, content_type="text/html"
        )
    response["Retry-After"] = str(away.retry_after)
    return response
