"""The kiosk's pages: start screen, enrolment, ID-card sign-in, the menu, applying by touch,
my cases and the printable receipt, guide and progress look-up, and the end of a session.

Thin: ``services`` decides, ``cases.intake`` files (``Channel.KIOSK``), ``cases.tracking``
reads. Every page but the start screen and enrolment needs an enrolled terminal; the person
pages need a kiosk session (``services.is_kiosk_session``), else back to the start screen.
"""

import uuid
from functools import wraps

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tongban.cases import intake, storing, tracking
from tongban.cases.models import Channel, Status
from tongban.catalog.models import Guide
from tongban.errors import InvalidInput, NotFound, PermissionDenied, RateLimited
from tongban.identity import access, realname
from tongban.identity.decorators import staff_page
from tongban.kiosk import services
from tongban.kiosk.models import KioskTerminal
from tongban.licenses import uses

T = "kiosk/{}.html"


def _refused(request, message: str, status: int = 403):
    return render(request, T.format("message"), {"message": message}, status=status)


def terminal_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.kiosk_terminal is None:
            return _refused(request, "本设备不是已登记的自助终端 / not an enrolled kiosk")
        return view(request, *args, **kwargs)

    return wrapped


def kiosk_person(view):
    """An enrolled terminal and a kiosk session; otherwise the start screen."""

    @wraps(view)
    @terminal_required
    def wrapped(request, *args, **kwargs):
        if not services.is_kiosk_session(request):
            return redirect("kiosk:start")
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


@never_cache
def start(request):
    if services.is_kiosk_session(request) and request.kiosk_terminal is not None:
        return redirect("kiosk:menu")
    # The welcome screen has nothing personal: no idle clearing there (the reading one has).
    idle = "1" if request.GET.get("card") else "0"
    return render(
        request, T.format("start"), {"terminal": request.kiosk_terminal, "kiosk_idle": idle}
    )


@staff_page(
    "kiosk.enroll",
    refused=lambda request: _refused(request, "只有系统管理员或服务中心管理员可以登记自助终端"),
)
def enroll(request):
    terminals = access.scope(
        request.user, "kiosk.enroll", KioskTerminal.objects.filter(is_active=True)
    ).select_related("center")
    if request.method == "POST":
        terminal = get_object_or_404(terminals, pk=request.POST.get("terminal") or 0)
        response = redirect("kiosk:start")
        services.enroll(response, terminal, by=request.user, request=request)
        logout(request)  # no staff session is left open on a public terminal
        return response
    context = {"terminals": terminals, "current": request.kiosk_terminal}
    return render(request, T.format("enroll"), context)


@require_GET
@never_cache
@terminal_required
def card(request):
    """The start screen polls here: is there a (new) card on the reader?"""
    if services.is_kiosk_session(request):
        return JsonResponse({"status": "signed_in", "next": reverse("kiosk:menu")})
    outcome = services.card_sign_in(request, request.kiosk_terminal)
    answer = {"status": outcome.status, "message": outcome.message}
    if outcome.status == "signed_in":
        answer["next"] = reverse("kiosk:menu")
    return JsonResponse(answer)


@require_POST
@never_cache
def end(request):
    """The idle timer or the 退出 button: sign out, flush, back to the start screen."""
    services.end_session(request, reason=request.POST.get("reason", "exit"))
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": "ended", "next": reverse("kiosk:start")})
    return redirect("kiosk:start")


@kiosk_person
def menu(request):
    return render(request, T.format("menu"), {"items": services.kiosk_items()})


@terminal_required
def guides(request):
    """办事指南查询: what the kiosk can take, with each guide's essentials."""
    items = services.kiosk_items(limit=20)
    return render(request, T.format("guides"), {"items": items})


@never_cache
@terminal_required
def track(request):
    """进度查询: the case number and the phone or ID number, on the numeric pad."""
    context = {"errors": {}}
    status = 200
    if request.method == "POST":
        try:
            case = tracking.track(
                request.POST.get("number"),
                request.POST.get("secret"),
                ip=request.META.get("REMOTE_ADDR"),
            )
        except InvalidInput as error:
            context["errors"], status = error.fields, 422
        except NotFound as error:
            context["not_found"] = error.message
        except RateLimited as error:
            return _refused(request, error.message, 429)
        else:
            context["result"] = tracking.public_status(case)
    return render(request, T.format("track"), context, status=status)


@kiosk_person
def apply(request, code: str):
    try:
        guide = intake.guide_in_force(code)
    except NotFound as error:
        return _refused(request, error.message, 404)
    user = request.user
    if guide.online_depth < Guide.OnlineDepth.PRE_REVIEW:
        return _refused(request, "该事项暂不支持自助申请,请到窗口办理", 404)
    if realname.level_of(user) < intake.SELF_SERVICE_LEVEL:
        return _refused(
            request, realname.LevelRequired(intake.SELF_SERVICE_LEVEL, user.real_name_level).message
        )
    person = intake.person_of(user)
    known = intake.prefill(user, guide, person=person)
    offers = uses.offer_for(guide, user)
    plan = services.plan(guide, user, known=known, offers=offers, person=person)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and not plan.blocking:
        try:
            case = intake.submit(
                user=user,
                guide=guide,
                form_data=_form_data(request, plan),
                materials=_materials(plan),
                channel=Channel.KIOSK,
                idempotency_key=_token(request),
            )
        except (InvalidInput, PermissionDenied, storing.StorageUnavailable) as error:
            errors = getattr(error, "fields", None) or {"": [error.message]}
        else:
            return redirect("kiosk:receipt", number=case.number)
    posted = request.POST if request.method == "POST" else None
    context = {
        "guide": guide,
        "plan": plan,
        "fields": [_row(f, posted, errors) for f in plan.fields],
        "errors": errors,
        "other_errors": _other_errors(errors, plan),
        "token": request.POST.get("token") or uuid.uuid4().hex,
    }
    return render(request, T.format("apply"), context, status=422 if errors else 200)


def _token(request) -> str | None:
    token = str(request.POST.get("token") or "")
    return f"kiosk:{token}" if token.isalnum() and len(token) <= 40 else None


def _form_data(request, plan) -> dict:
    data = {}
    for field in plan.fields:
        key, control = field["key"], field["control"]
        if control == "prefilled":
            continue
        if control == "check":
            data[key] = request.POST.get(key) == "1"
        elif control == "multi":
            data[key] = request.POST.getlist(key)
        elif request.POST.get(key, "") != "":
            data[key] = request.POST[key]
    return data


def _materials(plan) -> list[dict]:
    return [
        {
            "spec": row["spec"].pk,
            "reference": {"source": "license", "id": row["license"].identifier},
        }
        for row in plan.materials
        if row["way"] == "license"
    ]


def _row(field: dict, posted, errors) -> dict:
    key = field["key"]
    value = posted.get(key, "") if posted is not None else ""
    values = posted.getlist(key) if posted is not None else []
    return {
        **field,
        "value": value,
        "values": values,
        "shown": services.shown(field) if field.get("filled") else "",
        "errors": errors.get(f"form_data.{key}", []),
    }


def _other_errors(errors: dict, plan) -> list[str]:
    """Messages not beside a field: free text the kiosk cannot take, a material, the rest."""
    shown = {f"form_data.{f['key']}" for f in plan.fields}
    found = []
    for name, problems in errors.items():
        if name not in shown:
            found.extend(problems)
    return found


@kiosk_person
def my_cases(request):
    rows, _next = tracking.my_cases(request.user, limit=10)
    return render(request, T.format("my_cases"), {"cases": rows})


@kiosk_person
def receipt(request, number: str):
    try:
        case = tracking.my_case(request.user, number)
    except NotFound as error:
        return _refused(request, error.message, 404)
    context = {"case": case, "accepted": case.status not in (Status.SUBMITTED,)}
    return render(request, T.format("receipt"), context)
