"""The applicant's pages: applying online, my cases, the receipt, and tracking without sign-in.

Views are thin: ``cases.intake`` files, ``cases.services`` resubmits, ``cases.tracking`` and
``cases.receipts`` read. The application form is drawn from the guide's form definition; the
values the registries know (一证通办, ``intake.prefill``) are shown filled and read-only and
never asked for. docs/apply.md describes the pages for applicants.
"""

import uuid
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from tongban.bundles.models import BundleCase
from tongban.cases import intake, receipts, services, storing, tracking
from tongban.cases import materials as files
from tongban.cases.api import receipt_response
from tongban.cases.models import Channel, DeliveryMethod, Status
from tongban.catalog.models import Guide
from tongban.core.pii import mask
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from tongban.identity import access, realname
from tongban.identity.enterprises import acting_enterprise, scopes_for
from tongban.identity.models import User
from tongban.identity.views import person_required
from tongban.licenses import uses
from tongban.registry import sections

TEMPLATE = "portal/applicant/{}.html"
# The application form's steps (one page: each step is a part of the form).
STEPS = (
    gettext_lazy("填写申请表"),
    gettext_lazy("上传材料"),
    gettext_lazy("选择送达方式"),
    gettext_lazy("提交"),
)
MASKED_TYPES = frozenset({"id_number", "phone"})
SHARED_LABELS = {"registry.person": "人口库", "registry.entity": "法人库"}


def refusals(view):
    """``NotFound`` → 404 page, ``PermissionDenied`` → 403 page, in Chinese; a full disk → 503."""

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
        except storing.StorageUnavailable as error:  # e.g. a resubmission on a full disk
            return _message(request, error.message, 503)

    return wrapped


def _message(request, text: str, status: int, **extra):
    context = {"message": text, **extra}
    return render(request, TEMPLATE.format("message"), context, status=status)


# --- applying online ----------------------------------------------------------------------


@person_required
@refusals
def apply(request, code: str):
    guide = intake.guide_in_force(code)
    if guide.online_depth < Guide.OnlineDepth.PRE_REVIEW:
        raise NotFound("该事项暂不支持网上申请,请到窗口办理", "Not available online")
    if realname.level_of(request.user) < intake.SELF_SERVICE_LEVEL:
        error = realname.LevelRequired(intake.SELF_SERVICE_LEVEL, realname.level_of(request.user))
        target = f"{reverse('identity:realname')}?required={int(intake.SELF_SERVICE_LEVEL)}"
        return _message(request, error.message, 403, realname_url=target)
    enterprise = acting_enterprise(request)
    if enterprise is not None and "apply" not in scopes_for(request.user, enterprise):
        raise PermissionDenied("您没有获得该法人授权申请办理事项", "No apply scope")
    known = intake.prefill(request.user, guide, enterprise)
    offers = uses.offer_for(guide, request.user, enterprise=enterprise)
    on_file = sections.reusable_materials(request.user, [m.name for m in guide.materials.all()])
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        given, specs = _given_materials(request, guide, offers, on_file)
        try:
            case = intake.submit(
                user=request.user,
                guide=guide,
                form_data=_form_data(request, guide, known),
                materials=given,
                channel=Channel.WEB,
                enterprise=enterprise,
                idempotency_key=_token(request),
                delivery=request.POST.get("delivery", ""),
                delivery_address=request.POST.get("delivery_address", ""),
            )
        except InvalidInput as error:
            errors, status = _keyed_errors(error, specs), 422
        except storing.StorageUnavailable as error:  # nothing was filed: the form again
            errors, status = {"": [error.message]}, error.status
        else:
            return redirect(f"{reverse('portal:my_case', args=[case.number])}?new=1")
    fields = _fields(guide, known, request.POST if request.method == "POST" else {}, errors)
    materials = _material_rows(request, guide, enterprise, errors, offers, on_file)
    context = {
        "guide": guide,
        "item": guide.item,
        "enterprise": enterprise,
        "fields": fields,
        "materials": materials,
        "errors": errors,
        "error_links": _error_links(errors, fields, materials),
        "steps": STEPS,
        "deliveries": DeliveryMethod.choices,
        "delivery": request.POST.get("delivery") or DeliveryMethod.WINDOW,
        "delivery_address": request.POST.get("delivery_address", ""),
        "token": request.POST.get("token") or uuid.uuid4().hex,
    }
    return render(request, TEMPLATE.format("apply"), context, status=status)


def _token(request) -> str | None:
    """The form's one-time key: a double-clicked submit files one case, not two."""
    token = str(request.POST.get("token") or "")
    return f"web:{token}" if token.isalnum() and len(token) <= 40 else None


def _form_data(request, guide, known) -> dict:
    data = {}
    for field in (guide.form_schema or {}).get("fields", []):
        key, kind = field["key"], field["type"]
        if key in known:
            continue  # filled in by the platform, never taken from the browser
        if kind == "checkbox":
            data[key] = key in request.POST
        elif kind == "multiselect":
            data[key] = request.POST.getlist(key)
        elif request.POST.get(key, "") != "":
            data[key] = request.POST[key]
    return data


def _fields(guide, known, posted, errors) -> list[dict]:
    rows = []
    for field in (guide.form_schema or {}).get("fields", []):
        key = field["key"]
        filled = known.get(key)
        value = filled["value"] if filled else posted.get(key, "")
        rows.append(
            {
                **field,
                "filled": filled,
                "shown": _shown(field, value) if filled else "",
                "value": value,
                "values": posted.getlist(key) if hasattr(posted, "getlist") else [],
                "errors": errors.get(f"form_data.{key}", []),
            }
        )
    return rows


def _shown(field: dict, value) -> str:
    """A prefilled value as displayed: ID numbers and phones masked, like the account page."""
    kind = field["type"] if field["type"] in MASKED_TYPES else ""
    return mask(str(value), kind) if kind else str(value)


def _given_materials(request, guide, offers, on_file) -> tuple[list[dict], list[int]]:
    """Per material, in this order: the e-license offered that the applicant agreed to use
    instead; a file chosen or a photo taken; the material on file they chose to reuse."""
    given, specs = [], []
    for spec in guide.materials.all():
        upload = request.FILES.get(f"material_{spec.pk}") or request.FILES.get(f"photo_{spec.pk}")
        offered = offers.get(spec.pk)
        earlier = on_file.get(spec.name)
        if offered is not None and request.POST.get(f"use_license_{spec.pk}") == "1":
            reference = {"source": "license", "id": offered.identifier}
            given.append({"spec": spec.pk, "reference": reference})
        elif upload is not None:
            given.append({"spec": spec.pk, "file": upload})
        elif earlier is not None and request.POST.get(f"reuse_{spec.pk}") == str(earlier.id):
            reference = {"source": files.EARLIER, "id": str(earlier.id)}
            given.append({"spec": spec.pk, "reference": reference})
        else:
            continue
        specs.append(spec.pk)
    return given, specs


def _keyed_errors(error: InvalidInput, specs: list[int]) -> dict[str, list[str]]:
    """Errors by form field and by material spec (``materials[i]`` → ``materials.<spec>``)."""
    keyed: dict[str, list[str]] = {}
    for name, problems in (error.fields or {"": [error.message]}).items():
        if (
            name.startswith("materials[")
            and name[10:-1].isdigit()
            and int(name[10:-1]) < len(specs)
        ):
            name = f"materials.{specs[int(name[10:-1])]}"
        keyed.setdefault(name, []).extend(problems)
    return keyed


def _material_rows(request, guide, enterprise, errors, offers, on_file) -> list[dict]:
    """Each material: exempt through shared data, offered as an e-license (used unless the
    applicant unticks it), to upload or photograph, or reused from the materials on file."""
    person = intake.person_of(request.user)
    posted = request.method == "POST"
    rows = []
    for spec in guide.materials.all():
        shared = spec.shared_data_item if spec.shared_data_item in SHARED_LABELS else ""
        exempt = (shared == "registry.person" and person is not None) or (
            shared == "registry.entity" and enterprise is not None
        )
        rows.append(
            {
                "spec": spec,
                "exempt": SHARED_LABELS[shared] if exempt else "",
                "license": offers.get(spec.pk),
                "use_license": not posted or request.POST.get(f"use_license_{spec.pk}") == "1",
                "on_file": on_file.get(spec.name),
                "reuse": posted and bool(request.POST.get(f"reuse_{spec.pk}")),
                "errors": errors.get(f"materials.{spec.pk}", []),
            }
        )
    return rows


def _error_links(errors, fields, materials) -> list[dict]:
    """The summary at the top of a refused form: each problem, linking to its field."""
    anchors = {f"form_data.{f['key']}": (f"f-{f['key']}", f["label"]) for f in fields}
    for m in materials:
        anchors[f"materials.{m['spec'].pk}"] = (f"m-{m['spec'].pk}", m["spec"].name)
    anchors["delivery"] = ("f-delivery", gettext("结果送达方式"))
    anchors["delivery_address"] = ("f-delivery-address", gettext("邮寄地址"))
    links = []
    for key, problems in errors.items():
        target, label = anchors.get(key, ("", ""))
        links.extend(
            {"href": f"#{target}" if target else "", "label": label, "text": problem}
            for problem in problems
        )
    return links


# --- my cases -----------------------------------------------------------------------------


@person_required
@refusals
def my_cases(request):
    before = request.GET.get("before", "")
    enterprise = acting_enterprise(request)
    rows, next_before = tracking.my_cases(
        request.user, enterprise, before=int(before) if before.isdigit() else None
    )
    entries = [{"case": case, "clock": services.clock_of(case)} for case in rows]
    context = {"entries": entries, "next_before": next_before, "enterprise": enterprise}
    return render(request, TEMPLATE.format("my_cases"), context)


@person_required
@refusals
def my_case(request, number: str):
    case = tracking.my_case(request.user, number)
    return _detail(request, case, {})


def _detail(request, case, errors, status: int = 200):
    supplement = getattr(case, "supplement", None)
    can_resubmit = case.status == Status.SUPPLEMENT_REQUESTED and access.can(
        request.user, "cases.resubmit", case
    )
    context = {
        "case": case,
        "public": tracking.public_status(case),
        "clock": services.clock_of(case),
        "supplement": supplement,
        "can_resubmit": can_resubmit,
        "materials": case.materials.order_by("pk"),
        "errors": errors,
        "new": request.GET.get("new") == "1",
        "bundle_case": _bundle_case(request.user, case),
    }
    return render(request, TEMPLATE.format("my_case"), context, status=status)


def _bundle_case(user, case):
    """The 一件事 filing this case is a child of, when the user may follow it."""
    found = BundleCase.objects.filter(children__case=case).select_related("bundle").first()
    return found if found is not None and access.can(user, "bundles.view_case", found) else None


@require_POST
@person_required
@refusals
def resubmit(request, number: str):
    """补正: the materials the supplement request named, on the same case."""
    case = tracking.my_case(request.user, number)
    if case.status != Status.SUPPLEMENT_REQUESTED:
        return redirect("portal:my_case", number=case.number)  # nothing asked for
    given, specs = [], []
    for key, upload in request.FILES.items():
        spec = key.removeprefix("material_")
        if key.startswith("material_") and spec.isdigit():
            given.append({"spec": int(spec), "file": upload})
            specs.append(int(spec))
    try:
        services.resubmit(case, by=request.user, materials=given)
    except InvalidInput as error:
        return _detail(request, case, _keyed_errors(error, specs), status=422)
    return redirect("portal:my_case", number=case.number)


# --- the receipt ----------------------------------------------------------------------------


def receipt(request, number: str):
    """受理通知书 for the applicant and for staff who may see the case (TOTP-verified)."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.kind == User.Kind.STAFF and not user.is_verified():
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
    try:
        case = receipts.receipt_case(user, number)
    except NotFound as error:
        return _message(request, error.message, 404)
    return receipt_response(request, case)


# --- tracking without sign-in --------------------------------------------------------------


def track(request):
    """办件查询: the same answer for an unknown number and a wrong phone or ID number."""
    context = {"number": request.GET.get("number", "")[:32], "errors": {}}
    status = 200
    if request.method == "POST":
        context["number"] = request.POST.get("number", "")[:32]
        try:
            case = tracking.track(
                request.POST.get("number"), request.POST.get("secret"), ip=_ip(request)
            )
        except InvalidInput as error:
            context["errors"], status = error.fields, 422
        except NotFound as error:
            context["not_found"] = error.message
        except RateLimited as error:
            response = _message(request, error.message, 429)
            response["Retry-After"] = str(error.retry_after)
            return response
        else:
            context["result"] = tracking.public_status(case)
    return render(request, TEMPLATE.format("track"), context, status=status)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
