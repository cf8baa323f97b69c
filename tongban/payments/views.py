"""The payer's pages (order, 去支付, back from the channel) and the channel's notice endpoint.

Pages are thin: a service call and a template. The notice endpoint answers the channel's
protocol: ``{"code": "SUCCESS"}`` for a notice handled (applied or not: retrying would
change nothing), 401 for a bad signature, 400 for a malformed notice, so the channel
retries only what it should.
"""

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.errors import Conflict, NotFound, PermissionDenied
from tongban.identity import access
from tongban.identity.views import person_required
from tongban.payments import services
from tongban.payments.models import Callback
from tongban.payments.providers import registry

Outcome = Callback.Outcome
REFUSED = {
    Outcome.BAD_SIGNATURE: (401, "SIGNATURE_INVALID", "签名校验失败"),
    Outcome.INVALID: (400, "INVALID_NOTICE", "通知格式错误"),
}


def refusals(view):
    """``NotFound`` → 404, ``PermissionDenied`` → 403, ``Conflict`` → 409, the channel down
    → 503: a page with the Chinese message."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (NotFound, PermissionDenied, Conflict, services.ChannelUnavailable) as error:
            context = {"message": error.message}
            return render(request, "payments/message.html", context, status=error.status)

    return wrapped


@person_required
@refusals
def order(request, number: str):
    found = services.order_for_user(request.user, number)
    return render(request, "payments/order.html", _context(request, found))


@require_POST
@person_required
@refusals
def pay(request, number: str):
    """去支付: to the channel's pay page."""
    found = services.order_for_user(request.user, number)
    started = services.start_payment(found, by=request.user)
    return redirect(started.pay_url)


@person_required
@refusals
def returned(request, number: str):
    """Back from the channel: when its notice is not in yet, ask the channel."""
    found = services.order_for_user(request.user, number)
    if found.status == found.Status.PAYING:
        services.settle(found)
        found.refresh_from_db()
    return render(request, "payments/order.html", {**_context(request, found), "returned": True})


def _context(request, found) -> dict:
    return {
        "order": found,
        "case": found.case,
        "can_pay": access.can(request.user, "payments.pay", found) and services.payable(found),
    }


@csrf_exempt
@require_POST
def notify(request, provider: str):
    """The channel's asynchronous notice (signed; see ``providers.channel_http``)."""
    if not registry.known(provider):
        return JsonResponse({"code": "NOT_FOUND", "message": "未知的支付渠道"}, status=404)
    callback = services.apply_notice(
        provider, request.headers, request.body, request.META.get("REMOTE_ADDR")
    )
    if callback.outcome in REFUSED:
        status, code, message = REFUSED[callback.outcome]
        return JsonResponse({"code": code, "message": message}, status=status)
    return JsonResponse({"code": "SUCCESS", "message": callback.get_outcome_display()})
