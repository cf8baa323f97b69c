"""The ledger pages: the supervision view, a task with its reports, the unit's report form.

Staff in a TOTP-verified session who may read the ledger (``ledger_rules``); a task outside
their reach is a 404. Evidence downloads come from the task page (``?id=`` names the file).
"""

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.identity.decorators import staff_page
from tongban.metrics import ledger
from tongban.metrics.models import LedgerTask
from tongban.org.models import Department
from tongban.pagination import MAX_LIMIT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILLS = {"overdue": "F8D7DA", "due-soon": "FFF3CD"}


def ledger_staff(action: str = ledger.VIEW):
    return staff_page(action, refused=_refused, not_found_404=True)


def _refused(request):
    return render(request, "metrics/ledger/refused.html", status=403)


def _filters(params) -> dict:
    overdue = {"yes": True, "no": False}.get(params.get("overdue", ""))
    return {
        "plan": params.get("plan") or None,
        "status": params.get("status") or None,
        "unit": params.get("unit") or None,
        "overdue": overdue,
    }


def _row(task: LedgerTask, today=None) -> dict:
    return {"task": task, "due": ledger.due(task, today)}


@ledger_staff()
def supervision(request):
    params = request.GET
    errors, rows, next_cursor = {}, [], None
    try:
        found, next_cursor = ledger.tasks(
            request.user, **_filters(params), cursor=params.get("cursor"), limit=MAX_LIMIT
        )
        rows = [_row(task) for task in found]
    except InvalidInput as exc:
        errors = exc.fields
    next_query = params.copy()
    if next_cursor:
        next_query["cursor"] = next_cursor
    export_query = params.copy()
    export_query.pop("cursor", None)
    context = {
        "rows": rows,
        "params": params,
        "errors": errors,
        "plan": params.get("plan") or ledger.current_plan(),
        "plans": ledger.plan_names(),
        "statuses": LedgerTask.Status.choices,
        "units": Department.objects.filter(is_active=True).order_by("sort_order", "pk"),
        "warn_days": ledger.warn_days(),
        "next_query": next_query.urlencode() if next_cursor else "",
        "export_query": export_query.urlencode(),
        "counts": _counts(rows),
    }
    return render(request, "metrics/ledger/supervision.html", context)


def _counts(rows) -> dict:
    return {
        "total": len(rows),
        "completed": sum(r["task"].status == LedgerTask.Status.COMPLETED for r in rows),
        "overdue": sum(r["due"].overdue for r in rows),
        "due_soon": sum(r["due"].due_soon for r in rows),
    }


@ledger_staff()
def export(request):
    try:
        found = ledger.filtered(request.user, **_filters(request.GET))
    except InvalidInput as exc:
        return HttpResponse(str(exc.fields), status=400, content_type="text/plain")
    book = Workbook()
    sheet = book.active
    sheet.title = _("工作任务台账")
    headers = [
        _("序号"),
        _("任务类别"),
        _("任务名称"),
        _("牵头单位"),
        _("责任单位"),
        _("完成时限"),
        _("状态"),
        _("完成进度(%)"),
        _("预警"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for task in found.order_by("number"):
        due = ledger.due(task)
        sheet.append(
            [
                task.number,
                task.section,
                task.title,
                task.lead_text,
                task.responsible_text,
                task.deadline,
                task.get_status_display(),
                task.progress,
                _("已逾期") if due.overdue else _("临期") if due.due_soon else "",
            ]
        )
        if due.css:
            for cell in sheet[sheet.max_row]:
                cell.fill = PatternFill("solid", fgColor=FILLS[due.css])
    for column, width in zip("ABCDEFGHI", (6, 24, 36, 24, 48, 12, 10, 10, 8), strict=True):
        sheet.column_dimensions[column].width = width
    body = io.BytesIO()
    book.save(body)
    response = HttpResponse(body.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _attachment("ledger.xlsx")
    return response


@ledger_staff()
def detail(request, number: str):
    task = ledger.get(request.user, number, plan=request.GET.get("plan") or None)
    context = {
        "task": task,
        "due": ledger.due(task),
        "reports": list(task.reports.all()),
        "may_report": access.can(request.user, ledger.REPORT, task)
        and task.status != LedgerTask.Status.COMPLETED,
        "may_keep": access.can(request.user, ledger.KEEP, task),
        "plan_query": f"?plan={quote(task.plan)}",
    }
    return render(request, "metrics/ledger/detail.html", context)


@ledger_staff()
def evidence_file(request, number: str):
    task = ledger.get(request.user, number, plan=request.GET.get("plan") or None)
    item = ledger.evidence(request.user, task, request.GET.get("id"))
    with item.file.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = _attachment(item.name)
    return response


@ledger_staff()
@require_http_methods(["GET", "POST"])
def report(request, number: str):
    task = ledger.get(request.user, number, plan=request.GET.get("plan") or None)
    if not access.can(request.user, ledger.REPORT, task):
        raise NotFound("无权报送该任务", "Not your task")
    units = ledger.reporting_units(request.user, task)
    context = {"task": task, "units": units, "errors": {}, "values": {}}
    if request.method == "GET":
        return render(request, "metrics/ledger/report.html", context)
    values = request.POST
    department = next((d for d in units if str(d.pk) == values.get("department")), None)
    try:
        ledger.report_progress(
            task,
            by=request.user,
            content=values.get("content", ""),
            progress=values.get("progress", ""),
            completed=values.get("completed") == "on",
            files=request.FILES.getlist("files"),
            department=department if len(units) > 1 else None,
        )
    except (InvalidInput, Conflict) as exc:
        context.update(errors=exc.fields or {"__all__": [exc.message]}, values=values)
        return render(request, "metrics/ledger/report.html", context, status=400)
    return redirect(f"{request.path.rsplit('report/', 1)[0]}?plan={quote(task.plan)}")


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"
