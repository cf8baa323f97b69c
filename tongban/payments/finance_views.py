"""The finance desk (财务对账台) and the refund request form.

- ``/payments/finance/``: the reconciliations (finance staff and supervisors), a form to run
  one for a day (finance staff); each run's report with its discrepancies, resolved there,
  and its Excel export.
- ``/payments/finance/refunds/``: the refunds waiting for a decision and the latest decided,
  approved or rejected there by finance staff other than the requester.
- ``/payments/orders/<number>/refund/``: department staff ask for a refund of a paid order.

Staff in a TOTP-verified session; the rules are in ``finance_rules``. Views parse and call
``refunds`` / ``reconciliation``; the rules of the trade live there.
"""

import datetime
import io
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from tongban.audit import services as audit
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.identity import access
from tongban.identity.decorators import staff_page
from tongban.payments import (
    finance_rules,  # noqa: F401  (registers the rules)
    reconciliation,
    refunds,
)
from tongban.payments.models import Discrepancy, PaymentOrder, Refund
from tongban.payments.providers.base import ChannelError

DESK = "payments.reconciliation.view"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def finance_staff(action: str = DESK):
    return staff_page(action, refused=_refused, not_found_404=True)


def _refused(request):
    return render(request, "payments/finance/refused.html", status=403)


# --- reconciliation ------------------------------------------------------------------------


@finance_staff()
def desk(request):
    runs = list(reconciliation.runs(request.user).select_related("statement")[:60])
    context = {
        "runs": runs,
        "may_run": access.can(request.user, "payments.reconciliation.run"),
        "yesterday": reconciliation.yesterday().isoformat(),
        "providers": _providers(),
        "waiting_refunds": access.scope(request.user, "payments.refund.view", Refund.objects.all())
        .filter(status=Refund.Status.REQUESTED)
        .count(),
    }
    return render(request, "payments/finance/desk.html", context)


@require_POST
@finance_staff("payments.reconciliation.run")
def run(request):
    provider = request.POST.get("provider") or _providers()[0]
    if provider not in _providers():
        messages.error(request, _("未知的支付渠道"))
        return redirect("payments:finance_desk")
    try:
        date = datetime.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("请填写对账日期(YYYY-MM-DD)"))
        return redirect("payments:finance_desk")
    try:
        found = reconciliation.reconcile(provider, date, by=request.user)
    except InvalidInput as exc:
        for problems in exc.fields.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("payments:finance_desk")
    except ChannelError:
        messages.error(request, _("支付渠道暂时无法下载对账单,请稍后再试"))
        return redirect("payments:finance_desk")
    messages.success(request, _("对账完成:%(status)s") % {"status": found.get_status_display()})
    return redirect("payments:finance_report", number=found.pk)


@finance_staff()
def report(request, number: str):
    found = reconciliation.get(request.user, number)
    rows = list(reconciliation.discrepancies(found))
    context = {
        "run": found,
        "rows": rows,
        "open_count": sum(1 for row in rows if not row.resolved),
        "may_resolve": access.can(request.user, "payments.discrepancy.resolve"),
    }
    return render(request, "payments/finance/report.html", context)


@require_POST
@finance_staff("payments.discrepancy.resolve")
def resolve(request, number: str):
    found = reconciliation.get(request.user, number)
    item = Discrepancy.objects.filter(
        reconciliation=found, pk=_int(request.POST.get("discrepancy"))
    ).first()
    if item is None:
        raise Http404
    try:
        reconciliation.resolve(item, by=request.user, resolution=request.POST.get("resolution"))
    except (InvalidInput, Conflict) as exc:
        messages.error(request, _problems(exc))
    else:
        messages.success(request, _("差错已处理"))
    return redirect("payments:finance_report", number=found.pk)


@finance_staff()
def report_xlsx(request, number: str):
    found = reconciliation.get(request.user, number)
    content = workbook(found)
    audit.record(request.user, "payments.reconciliation.export", found, request=request)
    response = HttpResponse(content, content_type=XLSX)
    name = f"reconciliation-{found.provider}-{found.date.isoformat()}-{found.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


SUMMARY = (
    (gettext_lazy("支付渠道"), lambda r: r.provider),
    (gettext_lazy("对账日期"), lambda r: r.date.isoformat()),
    (gettext_lazy("结果"), lambda r: str(r.get_status_display())),
    (gettext_lazy("平台笔数"), lambda r: r.platform_count),
    (gettext_lazy("平台净额(元)"), lambda r: refunds.yuan(r.platform_amount)),
    (gettext_lazy("渠道笔数"), lambda r: r.channel_count),
    (gettext_lazy("渠道净额(元)"), lambda r: refunds.yuan(r.channel_amount)),
    (gettext_lazy("平账笔数"), lambda r: r.matched_count),
    (gettext_lazy("平账净额(元)"), lambda r: refunds.yuan(r.matched_amount)),
    (gettext_lazy("对账单 SHA-256"), lambda r: r.statement.sha256),
    (gettext_lazy("执行人"), lambda r: r.run_by),
)
COLUMNS = (
    gettext_lazy("差错类型"),
    gettext_lazy("订单号"),
    gettext_lazy("渠道交易号"),
    gettext_lazy("平台金额(元)"),
    gettext_lazy("渠道金额(元)"),
    gettext_lazy("说明"),
    gettext_lazy("已处理"),
    gettext_lazy("处理说明"),
)


def workbook(run) -> bytes:
    """The report as an Excel file: the summary, then one row per discrepancy."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(gettext_lazy("对账汇总"))
    sheet.append([_("对账报告")])
    sheet["A1"].font = Font(bold=True)
    for label, value in SUMMARY:
        sheet.append([str(label), value(run)])
    details = book.create_sheet(str(gettext_lazy("差错明细")))
    details.append([str(column) for column in COLUMNS])
    for cell in details[1]:
        cell.font = Font(bold=True)
    for row in reconciliation.discrepancies(run):
        details.append(
            [
                str(row.get_kind_display()),
                row.order_number,
                row.channel_order_id,
                None if row.platform_amount is None else refunds.yuan(row.platform_amount),
                None if row.channel_amount is None else refunds.yuan(row.channel_amount),
                row.note,
                str(_("是") if row.resolved else _("否")),
                row.resolution,
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# --- refunds ---------------------------------------------------------------------------------


@finance_staff()
def refund_queue(request):
    visible = access.scope(request.user, "payments.refund.view", Refund.objects.all())
    related = ("order", "order__case", "order__department", "requested_by", "decided_by")
    waiting = visible.filter(status=Refund.Status.REQUESTED).select_related(*related)
    decided = visible.exclude(status=Refund.Status.REQUESTED).select_related(*related)
    context = {
        "waiting": list(waiting.order_by("pk")[:200]),
        "decided": list(decided.order_by("-pk")[:50]),
        "may_decide": access.can(request.user, "payments.refund.decide"),
    }
    return render(request, "payments/finance/refunds.html", context)


@require_POST
@finance_staff("payments.refund.decide")
def decide(request, number: str):
    refund = refunds.get(request.user, number, "payments.refund.decide")
    decision, note = request.POST.get("decision"), request.POST.get("note", "")
    try:
        if decision == "approve":
            done = refunds.approve(refund, by=request.user, note=note)
        elif decision == "reject":
            done = refunds.reject(refund, by=request.user, note=note)
        else:
            raise InvalidInput(fields={"decision": ["请选择批准或驳回 / Approve or reject"]})
    except (InvalidInput, Conflict, PermissionDenied) as exc:
        messages.error(request, _problems(exc))
    else:
        messages.success(
            request,
            _("退费单 %(number)s:%(status)s")
            % {"number": done.number, "status": done.get_status_display()},
        )
    return redirect("payments:finance_refunds")


@require_http_methods(["GET", "POST"])
@finance_staff("payments.refund.request")
def request_refund(request, number: str):
    order = PaymentOrder.objects.select_related("case", "department").filter(number=number).first()
    if order is None or not access.can(request.user, "payments.refund.request", order):
        raise Http404
    errors, values = {}, {"amount": "", "reason": ""}
    if request.method == "POST":
        values = {"amount": request.POST.get("amount", ""), "reason": request.POST.get("reason")}
        try:
            refund = refunds.request_refund(
                order, amount=_fen(values["amount"]), reason=values["reason"], by=request.user
            )
        except InvalidInput as exc:
            errors = exc.fields
        except Conflict as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(
                request, _("退费申请已提交,等待财务审批:%(number)s") % {"number": refund.number}
            )
            return redirect("payments:refund_request", number=order.number)
    context = {
        "order": order,
        "refunds": list(order.refunds.select_related("requested_by", "decided_by")),
        "refundable": refunds.yuan(refunds.refundable(order)),
        "errors": errors,
        "values": values,
    }
    return render(request, "payments/finance/request_refund.html", context)


# --- helpers -------------------------------------------------------------------------------


def _providers() -> list[str]:
    from django.conf import settings

    current = settings.PAYMENTS_PROVIDER
    return [current, *sorted(name for name in settings.PAYMENTS_PROVIDERS if name != current)]


def _fen(text) -> int | str:
    """Yuan as typed ("12.5") to fen; what cannot be read goes on for the service to refuse."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return ""
    if not value.is_finite() or value.as_tuple().exponent < -2:
        return ""
    return int(value * 100)


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _problems(exc) -> str:
    found = [problem for problems in exc.fields.values() for problem in problems]
    return ";".join(found) or exc.message
