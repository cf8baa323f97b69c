"""The staff workbench (工作台): inbox, case detail with its actions, the material viewer.

Staff in a TOTP-verified session who may see cases (``cases.view``); a case outside their
reach is a 404. Every action calls ``cases.services`` or ``cases.flow`` (one transaction
each, audited); errors come back on the page as messages.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongban.bundles.views import context_of as bundle_context
from tongban.cases import clocks, flow, services, workdays
from tongban.cases.models import Case, Material, Status, Suspension
from tongban.errors import InvalidInput, NotFound, PermissionDenied, TongbanError
from tongban.identity import access
from tongban.identity.decorators import staff_page

INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")


def _refused(request):
    return render(request, "portal/workbench/refused.html", status=403)


staff_required = staff_page("cases.view", refused=_refused)


@staff_required
def inbox(request):
    params = request.GET
    tab = "department" if params.get("tab") == "department" else "mine"
    before = _int(params.get("before"))
    query = (params.get("q") or "").strip()
    if tab == "mine":
        rows, next_before = flow.inbox(
            request.user,
            before=before,
            status=params.get("status") or None,
            item=_int(params.get("item")),
            colour=params.get("colour") or None,
        )
    else:
        rows, next_before = services.list_cases(
            request.user, status=params.get("status") or None, before=before
        )
        _colour(rows)
    if query:
        rows = _search(request.user, query)
        next_before = None
    context = {
        "tab": tab,
        "rows": rows,
        "next_before": next_before,
        "statuses": Status.choices,
        "colours": flow.COLOURS,
        "params": params,
    }
    return render(request, "portal/workbench/inbox.html", context)


def _search(user, query: str) -> list[Case]:
    """By case number, or the applicant's name (whole, or its first two characters or more:
    the surname and a part of the given name), within the user's reach; the newest 50."""
    found = access.scope(user, "cases.view", Case.objects.all())
    rows = list(found.filter(number=query.upper()))
    if not rows:
        by_name = found.filter(applicant_name=query)
        if len(query) >= 2:
            by_name = found.filter(applicant_name__startswith=query)
        rows = list(by_name.select_related("guide").order_by("-pk")[:50])
    return _colour(rows)


def _colour(rows: list[Case]) -> list[Case]:
    """The time-limit colour of each row: two queries for the page, not two per row."""
    prefetch_related_objects(rows, "guide", "suspensions")
    calendar = workdays.Calendar()
    for case in rows:
        case.colour = flow.colour_of(case, calendar=calendar)
    return rows


@staff_required
def detail(request, number: str):
    case = _case(request.user, number)
    tasks = list(flow.tasks_for(case))
    for task in tasks:
        task.decisions = flow.decisions_of(task)
        task.may_do = access.can(request.user, "workflow.complete_task", task)
    context = {
        "case": case,
        "clock": clocks.clock_of(case),
        "colour": flow.colour_of(case),
        "form_rows": _form_rows(case),
        "materials": case.materials.filter(superseded=False).order_by("pk"),
        "events": case.events.select_related("actor").order_by("pk"),
        "tasks": tasks,
        "verbs": set(flow.verbs_for(case)),
        "specs": case.guide.materials.all(),
        "suspension_kinds": Suspension.Kind.choices,
        "supplement": getattr(case, "supplement", None) if hasattr(case, "supplement") else None,
        "bundle": bundle_context(case),  # 一件事: the filing and its sibling items
    }
    return render(request, "portal/workbench/detail.html", context)


def _form_rows(case: Case) -> list[dict]:
    fields = (case.guide.form_schema or {}).get("fields", [])
    return [
        {
            "label": field.get("label", field.get("key")),
            "value": case.form_data.get(field.get("key"), ""),
            "prefilled": bool(field.get("prefill")),
        }
        for field in fields
    ]


@staff_required
@require_POST
def act(request, number: str, action: str):
    case = _case(request.user, number)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(case, request.user, request.POST)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    except TongbanError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, "操作已完成")
    return redirect("portal:workbench_case", number=case.number)


@staff_required
def material(request, number: str, pk: int):
    """A stored file, inline, after the same check as the case (never a public media URL)."""
    case = _case(request.user, number)
    found = Material.objects.filter(case=case, pk=pk).exclude(file="").first()
    if found is None:
        raise Http404
    inline = found.content_type in INLINE_TYPES
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=found.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'none'"
    return response


def _case(user, number: str) -> Case:
    found = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    if found is None:
        raise Http404
    try:
        return flow.case_for(user, found)
    except NotFound as error:
        raise Http404 from error


def _message(error: TongbanError) -> str:
    fields = getattr(error, "fields", None) or {}
    details = ";".join(str(m) for items in fields.values() for m in items)
    return f"{error.message}{':' + details if details else ''}"


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- actions: each one call into cases.services or cases.flow --------------------------


def _task(case, user, data):
    task = flow.tasks_for(case).filter(pk=_int(data.get("task"))).first()
    if task is None:
        raise InvalidInput(fields={"task": ["请选择待办任务 / choose a ready task"]})
    return task


def _decide(case, user, data):
    flow.decide(
        case,
        _task(case, user, data),
        by=user,
        decision=data.get("decision", ""),
        reasons=data.get("reasons", ""),
    )


def _supplement(case, user, data):
    items = [
        {"material": _int(spec) or spec, "reason": data.get(f"reason_{spec}", "")}
        for spec in data.getlist("materials")
    ]
    services.request_supplement(case, by=user, items=items)


ACTIONS = {
    "accept": lambda case, user, data: services.accept(case, by=user, note=data.get("note", "")),
    "refuse": lambda case, user, data: services.refuse(case, by=user, reason=data.get("reason")),
    "supplement": _supplement,
    "decide": _decide,
    "send_back": lambda case, user, data: flow.send_back(
        case, _task(case, user, data), by=user, to=data.get("to", ""), reason=data.get("reason")
    ),
    "suspend": lambda case, user, data: services.suspend(
        case, by=user, kind=data.get("kind"), reason=data.get("reason")
    ),
    "resume": lambda case, user, data: services.resume(case, by=user, note=data.get("note", "")),
    "extend": lambda case, user, data: services.extend(
        case, by=user, days=_int(data.get("days")) or 0, reason=data.get("reason")
    ),
    "conclude": lambda case, user, data: services.conclude(
        case, by=user, note=data.get("note", "")
    ),
    "deliver": lambda case, user, data: services.deliver(case, by=user, note=data.get("note", "")),
}
