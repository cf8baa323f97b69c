"""一件事一次办 pages: the published bundles, one bundle's questionnaire, form and material
list (filed once by a signed-in L2 person), and the applicant's progress across departments.

Views are thin: ``bundles.services`` decides what applies, files and reads progress. The
combined form is drawn like the single-item apply page (``portal.applicant``): values the
registries know are filled in and never asked for. docs/bundles.md describes the pages.
"""

import uuid
from collections import defaultdict
from types import SimpleNamespace

from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse

from tongban.bundles import receipts, services
from tongban.bundles.models import Bundle, BundleCase, BundleChild, BundleItem
from tongban.cases import intake, storing
from tongban.cases.models import Channel, DeliveryMethod
from tongban.catalog.models import MaterialSpec
from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.gateway.idempotency import idempotent
from tongban.identity import access, realname
from tongban.identity.enterprises import acting_enterprise, scopes_for
from tongban.identity.views import person_required
from tongban.pagination import DEFAULT_LIMIT, page
from tongban.portal.applicant import _fields, _form_data, _message, _token, refusals

TEMPLATE = "bundles/{}.html"
QUESTION_PREFIX = "q_"


# --- what is published, and what each bundle saves -----------------------------------------


def published_bundles():
    """The published bundles (one version per code once ``publishing`` retires the old)."""
    return Bundle.objects.filter(status=Bundle.Status.PUBLISHED)


def figures_of(bundles: list[Bundle]) -> dict[int, dict]:
    """``services.figures(bundle)`` for every bundle of a page, in two queries whatever
    their number: the items with their guides, and the material names of those guides
    (``services.figures`` asks twice per bundle)."""
    items = BundleItem.objects.select_related("item__current_guide")
    prefetch_related_objects(bundles, Prefetch("items", queryset=items))
    guides = {entry.item.current_guide_id for b in bundles for entry in b.items.all()}
    names = defaultdict(list)
    for guide_id, name in MaterialSpec.objects.filter(guide__in=guides).values_list(
        "guide_id", "name"
    ):
        names[guide_id].append(name)
    found = {}
    for bundle in bundles:
        entries = list(bundle.items.all())
        asked = [name for entry in entries for name in names[entry.item.current_guide_id]]
        found[bundle.pk] = {
            "items": len(entries),
            "materials_asked": len(set(asked)),
            "materials_separately": len(asked),
            "visits_saved": max(len(entries) - 1, 0),
            "promised_days": bundle.promised_days,
            "promised_days_separately": sum(
                entry.item.current_guide.promised_days or 0 for entry in entries
            ),
        }
    return found


def index(request):
    """一件事一次办: the published bundles with what each saves."""
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = page(
            published_bundles(), keys=("code", "pk"), cursor=cursor, limit=DEFAULT_LIMIT
        )
    except InvalidInput:
        rows, next_cursor = page(
            published_bundles(), keys=("code", "pk"), cursor=None, limit=DEFAULT_LIMIT
        )
    figures = figures_of(rows)
    entries = [{"bundle": bundle, "figures": figures[bundle.pk]} for bundle in rows]
    return render(request, TEMPLATE.format("index"), {"entries": entries, "next": next_cursor})


# --- one bundle: questionnaire, combined form, one material list, filing once -------------


@refusals
def detail(request, code: str):
    bundle = services.published(code)
    posted = request.method == "POST"
    refused = _may_not_file(request) if posted else None
    if refused is not None:
        return refused
    params = request.POST if posted else request.GET
    answers = answers_from(bundle, params)
    asked = posted or not bundle.questions or any(_question(q) in params for q in bundle.questions)
    errors = services.check_answers(bundle, answers) if asked else {}
    context = {
        "bundle": bundle,
        "questions": _question_rows(bundle, answers, errors),
        "answered": asked and not errors,
        "errors": errors,
    }
    if not context["answered"]:
        return render(request, TEMPLATE.format("detail"), context, status=422 if errors else 200)
    return _answered(request, bundle, answers, context)


def answers_from(bundle: Bundle, params) -> dict:
    """The questionnaire's answers given as ``q_<key>`` parameters."""
    return {q["key"]: params[_question(q)] for q in bundle.questions if params.get(_question(q))}


def _question(question: dict) -> str:
    return f"{QUESTION_PREFIX}{question['key']}"


def _question_rows(bundle: Bundle, answers: dict, errors: dict) -> list[dict]:
    return [
        {
            **question,
            "name": _question(question),
            "value": str(answers.get(question["key"], "")),
            "errors": errors.get(f"answers.{question['key']}", []),
        }
        for question in bundle.questions
    ]


def _may_not_file(request):
    """The refusal page for whoever may not file here (or ``None``): signed-in persons at
    real-name level L2, with the ``apply`` scope when acting for an enterprise."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.can(user, "bundles.file"):
        return render(request, "identity/staff_refused.html", status=403)
    level = realname.level_of(user)
    if level < intake.SELF_SERVICE_LEVEL:
        error = realname.LevelRequired(intake.SELF_SERVICE_LEVEL, level)
        target = f"{reverse('identity:realname')}?required={int(intake.SELF_SERVICE_LEVEL)}"
        return _message(request, error.message, 403, realname_url=target)
    enterprise = acting_enterprise(request)
    if enterprise is not None and "apply" not in scopes_for(user, enterprise):
        raise PermissionDenied("您没有获得该法人授权申请办理事项", "No apply scope")
    return None


def _answered(request, bundle, answers, context):
    items = services.applicable(bundle, answers)
    form = SimpleNamespace(form_schema={"fields": services.combined_fields(items)})
    merged = services.combined_materials(items)
    person = request.user.is_authenticated and request.user.kind == request.user.Kind.PERSON
    enterprise = acting_enterprise(request) if person else None
    known = intake.prefill(request.user, form, enterprise) if person else {}
    errors: dict[str, list[str]] = {}
    unavailable = False
    if request.method == "POST":
        try:
            number = _file(request, bundle, answers, form, known, merged, enterprise)
        except InvalidInput as error:
            errors = error.fields or {"": [error.message]}
        except storing.StorageUnavailable as error:  # a full disk: nothing filed, the form again
            errors, unavailable = {"": [error.message]}, True
        else:
            return redirect(f"{reverse('bundles:my_case', args=[number])}?new=1")
    posted = request.POST if request.method == "POST" else {}
    context.update(
        {
            "items": items,
            "enterprise": enterprise,
            "fields": _fields(form, known, posted, errors),
            "materials": _material_rows(
                merged, errors, request.user if person else None, enterprise
            ),
            "errors": errors,
            "other_errors": _other_errors(errors),
            "deliveries": DeliveryMethod.choices,
            "delivery": request.POST.get("delivery") or DeliveryMethod.WINDOW,
            "delivery_address": request.POST.get("delivery_address", ""),
            "token": request.POST.get("token") or uuid.uuid4().hex,
            "signed_in": person,
        }
    )
    status = 503 if unavailable else 422 if errors else 200
    return render(request, TEMPLATE.format("detail"), context, status=status)


def _material_rows(merged, errors, person=None, enterprise=None) -> list[dict]:
    """The one material list; a shared-data material is exempt when the registries can
    supply it for this applicant (anonymous visitors see what applies in general)."""
    return [
        {
            "material": entry,
            "exempt": entry.shared_data
            and (person is None or services.registry_supplies(entry, person, enterprise)),
            "field": f"material_{index}",
            "shared": len(entry.specs),
            "errors": errors.get(f"materials.{entry.key}", []),
        }
        for index, entry in enumerate(merged)
    ]


def _other_errors(errors: dict) -> list[str]:
    """Errors that belong to no field shown (e.g. an item only for enterprises)."""
    shown = ("form_data.", "materials.", "answers.", "delivery")
    return [m for key, problems in errors.items() if not key.startswith(shown) for m in problems]


def _file(request, bundle, answers, form, known, merged, enterprise) -> str:
    """File once; the number of the filing. The form's one-time token makes a double
    submit return the first filing (the gateway's idempotency records, keyed by the token:
    a multipart body cannot be read again to fingerprint it once Django has parsed it)."""
    uploads = {
        entry.key: request.FILES[f"material_{index}"]
        for index, entry in enumerate(merged)
        if f"material_{index}" in request.FILES
    }

    def create():
        parent = services.submit(
            bundle,
            user=request.user,
            answers=answers,
            form_data=_form_data(request, form, known),
            materials=uploads,
            enterprise=enterprise,
            channel=Channel.WEB,
            delivery=request.POST.get("delivery", ""),
            delivery_address=request.POST.get("delivery_address", ""),
        )
        return 201, {"number": parent.number}

    token = _token(request)
    if token is None:
        return create()[1]["number"]
    key = f"bundle-{bundle.code}-{token}"
    shim = SimpleNamespace(
        user=request.user, method="POST", path=request.path, META={}, body=key.encode()
    )
    return idempotent(shim, key, create)[1]["number"]


# --- the applicant's filings -----------------------------------------------------------------


def own_case(user, number: str) -> BundleCase:
    """A filing the user may see (``bundles.view_case``); ``NotFound`` for any other."""
    found = (
        access.scope(user, "bundles.view_case", BundleCase.objects.select_related("bundle"))
        .filter(number=str(number)[:32])
        .first()
    )
    if found is None:
        raise NotFound("没有找到该一件事办件", "No such bundle filing")
    return found


@person_required
def my_cases(request):
    """我的一件事: the person's filings, newest first (keyset pages)."""
    rows = access.scope(
        request.user, "bundles.view_case", BundleCase.objects.select_related("bundle")
    ).order_by("-pk")
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    found = list(rows[: DEFAULT_LIMIT + 1])
    next_before = found[DEFAULT_LIMIT - 1].pk if len(found) > DEFAULT_LIMIT else None
    context = {"rows": found[:DEFAULT_LIMIT], "next_before": next_before}
    return render(request, TEMPLATE.format("my_cases"), context)


@person_required
@refusals
def my_case(request, number: str):
    """One progress view across departments: each item, its department and case."""
    parent = own_case(request.user, number)
    context = {
        "parent": parent,
        "rows": services.progress(parent),
        "new": request.GET.get("new") == "1",
    }
    return render(request, TEMPLATE.format("my_case"), context)


@person_required
@refusals
def receipt(request, number: str):
    """The one 受理回执 of the whole filing (PDF); its code leads back to the progress page."""
    parent = own_case(request.user, number)
    return receipts.receipt_response(request, parent, tracking_url=progress_url(request, parent))


def progress_url(request, parent: BundleCase) -> str:
    return request.build_absolute_uri(reverse("bundles:my_case", args=[parent.number]))


# --- the bundle context of a child case (workbench, applicant's case page) ------------------


def context_of(case) -> dict | None:
    """The filing a child case belongs to and its sibling items with their departments and
    statuses (no sibling's form or materials), or ``None`` for a case filed on its own."""
    child = BundleChild.objects.filter(case=case).select_related("bundle_case__bundle").first()
    if child is None:
        return None
    parent = child.bundle_case
    return {
        "parent": parent,
        "rows": [
            {**row, "this": row["case_number"] == case.number} for row in services.progress(parent)
        ],
    }
