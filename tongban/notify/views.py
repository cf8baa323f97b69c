"""Delivery receipts posted by SMS providers: signed like the API calls, recorded, answered;
and the person's inbox (我的消息, ``/my/messages/``): their in-app messages, unread first, each
marked read by a POST, or all at once.
"""

import datetime
import json

from django.conf import settings
from django.contrib import messages as flash
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.core import clock
from tongban.core import httpsign as signing
from tongban.errors import InvalidInput, NotFound
from tongban.identity.views import person_required
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


# --- the inbox ------------------------------------------------------------------------------


@person_required
def inbox(request):
    cursor, problem = request.GET.get("cursor") or None, ""
    try:
        rows, next_cursor = services.inbox_page(request.user, cursor=cursor)
    except InvalidInput as error:
        rows, next_cursor = services.inbox_page(request.user)
        problem, cursor = error.fields["cursor"][0], None
    context = {
        "inbox": rows,
        "next_cursor": next_cursor,
        "cursor": cursor,
        "cursor_error": problem,
        "unread": services.unread_count(request.user),
    }
    return render(request, "notify/inbox.html", context)


@require_POST
@person_required
def mark_read(request, pk: int):
    try:
        services.mark_read(request.user, pk)
    except NotFound as error:
        return render(request, "notify/inbox_message.html", {"message": error.message}, status=404)
    return redirect(_back(request))


@require_POST
@person_required
def mark_all_read(request):
    count = services.inbox(request.user, unread_only=True).update(read_at=clock.now())
    if count:
        flash.success(request, _("已将 %(count)d 条消息标为已读") % {"count": count})
    return redirect(_back(request))


def _back(request) -> str:
    """The inbox page the form was on (a cursor from this site only, never a URL)."""
    cursor = str(request.POST.get("cursor") or "")
    page = reverse("notify:inbox")
    return f"{page}?cursor={cursor}" if cursor.replace("-", "").replace("_", "").isalnum() else page
