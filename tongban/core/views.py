from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tongban.core import services


@never_cache
@require_GET
def healthz(request):
    report = services.health()
    return JsonResponse(report, status=503 if report["status"] == "error" else 200)
