"""Delivery receipts posted by SMS providers: signed like the API calls, recorded, answered."""

import datetime
import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.core import clock
from tongban.core import httpsign as signing
from tongban.notify import services


@csrf_exempt
@require_POST
def receipt(request, provider: str):
    options = settings.NOTIFY_PROVIDERS.get(provider) or {}
    secret = options.get("app_secret")
    signed = (
        secret
        and request.headers.get("AppKey") == options.get("app_key")
        and signing.verify(secret, "POST", request.path, request.body, request.headers.get)
    )
    if not signed:
        return JsonResponse({"code": "SIGNATURE_INVALID", "message": "签名校验失败"}, status=401)
    try:
        data = json.loads(request.body)
        at = (
            datetime.datetime.fromtimestamp(int(data["delivered_at"]), tz=datetime.UTC)
            if data.get("delivered_at")
            else clock.now()
        )
        known = services.record_receipt(
            provider, str(data["client_msg_id"]), str(data.get("status", "")), at
        )
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"code": "INVALID_REQUEST", "message": "回执格式不正确"}, status=400)
    if not known:
        return JsonResponse({"code": "NOT_FOUND", "message": "没有这条消息"}, status=404)
    return JsonResponse({"code": "OK"})
