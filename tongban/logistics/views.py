"""The logistics pages: the courier's tracking callback, the applicant's tracking page, the
pickup booking form (上门收件) and the clerk's mail desk (寄递工作台).

Thin: each calls ``services`` and shows what comes back; errors come back on the page.
"""

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.cases.models import Case
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.identity import access
from tongban.identity.decorators import staff_page, verified_session
from tongban.logistics import addresses, services
from tongban.logistics.models import CourierCallback, Status

Outcome = CourierCallback.Outcome
# How each outcome answers the courier: 200 stops its retries; a refused push is 401 or 400.
ANSWERS = {
    Outcome.APPLIED: (200, "OK", "已处理"),
    Outcome.DUPLICATE: (200, "OK", "重复推送,已忽略"),
    Outcome.STALE: (200, "OK", "已记录"),
    Outcome.BAD_SIGNATURE: (401, "SIGNATURE_INVALID", "签名校验失败"),
    Outcome.INVALID: (400, "INVALID_REQUEST", "推送格式不正确"),
    Outcome.UNKNOWN: (404, "NOT_FOUND", "没有这张运单"),
}


@csrf_exempt
@require_POST
def notify(request, provider: str):
    outcome = services.apply_callback(
        provider, body=request.body, path=request.path, headers=request.headers.get
    )
    status, code, message = ANSWERS[outcome]
    return JsonResponse({"code": code, "message": message, "outcome": outcome}, status=status)


def _signed_in(view):
    """A person, or a staff member in a TOTP-verified session (others sign in first)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.kind == user.Kind.STAFF and not verified_session(user):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return _answered(wrapped)


def _answered(view):
    """The service's refusals as a page: 404, 403 or 409 with its Chinese message."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            return _message(request, error.message, 404)
        except PermissionDenied as error:
            return _message(request, error.message, 403)
        except Conflict as error:
            return _message(request, error.message, 409)

    return wrapped


def _message(request, text: str, status: int):
    return render(request, "logistics/message.html", {"message": text}, status=status)


@_signed_in
def track(request, number: str):
    """One waybill with its tracking events, newest first."""
    waybill = services.waybill_for(request.user, number)
    context = {"waybill": waybill, "events": services.events_of(waybill)}
    return render(request, "logistics/track.html", context)


@_signed_in
def collect(request, number: str):
    """预约上门收件: the applicant (or a clerk for them) books a courier to their door."""
    case = Case.objects.select_related("guide").filter(number=number).first()
    if case is None or not access.can(request.user, "cases.view", case):
        raise NotFound("未找到该办件", "No such case")
    if not access.can(request.user, "logistics.book_collection", case):
        raise PermissionDenied()
    errors: dict = {}
    data = request.POST if request.method == "POST" else _defaults(case)
    if request.method == "POST":
        try:
            start, end = _window(data)
            waybill = services.book_collection(
                case,
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                address=addresses.from_fields(data),
                start=start,
                end=end,
                by=request.user,
            )
        except InvalidInput as error:
            errors = error.fields
        else:
            if waybill.status == Status.BOOKED:
                messages.success(request, _("已预约上门收件,快递员将按约定时间上门。"))
            else:
                messages.warning(request, _("预约已记录,快递公司暂时无法接单,系统将自动重试。"))
            return redirect("logistics:track", number=waybill.reference)
    context = {"case": case, "data": data, "errors": errors, "days": _days()}
    status = 422 if errors else 200
    return render(request, "logistics/collect.html", context, status=status)


HOME = {"province": "陕西省", "city": "西安市", "county": "周至县"}


def _defaults(case: Case) -> dict:
    line = addresses.parse(case.delivery_address) if case.delivery_address else None
    return {
        "name": str(case.applicant_name),
        "phone": str(case.applicant.phone or ""),
        **(line.as_dict() if line else HOME),
    }


def _days() -> list[datetime.date]:
    from tongban.core import clock

    today = clock.today()
    return [today + datetime.timedelta(days=n) for n in range(services.PICKUP_DAYS_AHEAD)]


def _window(data) -> tuple:
    """The chosen day and hours as aware datetimes (``None`` where not given or not valid)."""
    try:
        day = datetime.date.fromisoformat(data.get("day", ""))
        start = datetime.time.fromisoformat(data.get("start", ""))
        end = datetime.time.fromisoformat(data.get("end", ""))
    except ValueError as exc:
        message = "请选择上门日期和时间段 / choose a day and hours"
        raise InvalidInput(fields={"start": [message]}) from exc
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(day, start), zone),
        timezone.make_aware(datetime.datetime.combine(day, end), zone),
    )


# --- the mail desk ------------------------------------------------------------------------


def _desk_staff(view):
    return staff_page("logistics.view", refused=_desk_refused)(_answered(view))


def _desk_refused(request):
    return _message(request, _("您没有使用寄递工作台的权限"), 403)


@_desk_staff
def desk(request):
    status = request.GET.get("status") or ""
    try:
        rows, cursor = services.list_waybills(
            request.user, status=status, cursor=request.GET.get("cursor") or None
        )
    except InvalidInput as error:
        return _message(request, error.message, 400)
    context = {
        "rows": rows,
        "next_cursor": cursor,
        "statuses": Status.choices,
        "status": status,
        "may_manage": access.holds(request.user, "logistics.manage_waybill"),
    }
    return render(request, "logistics/desk.html", context)


DESK_ACTIONS = ("book", "cancel", "resend", "correct")


@_desk_staff
@require_POST
def desk_act(request, number: str, action: str):
    waybill = services.waybill_for(request.user, number)
    if action not in DESK_ACTIONS:
        raise NotFound()
    post = request.POST
    try:
        if action == "book":
            done = services.book_now(waybill, by=request.user)
        elif action == "cancel":
            done = services.cancel(waybill, by=request.user, reason=post.get("reason", ""))
        elif action == "resend":
            done = services.resend(waybill, by=request.user)
        else:
            done = services.correct(
                waybill,
                by=request.user,
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                address_line=post.get("address", ""),
            )
    except (Conflict, InvalidInput) as error:
        details = [m for ms in error.fields.values() for m in ms]
        messages.error(request, "; ".join([error.message, *details]))
    else:
        messages.success(
            request,
            _("运单 %(number)s:%(status)s") % {"number": done, "status": done.get_status_display()},
        )
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("logistics:desk")
