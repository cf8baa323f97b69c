"""``{% payment_panel case audience %}``: the case's payment on the applicant's case page
(``audience`` "applicant") and the workbench (``"staff"``): order number, 缴款码, items and
amount in yuan, status, paid time; 去支付 for the payer while payable; for staff the channel
order id and how many notices came. One query (two for a failed order's 去支付)."""

from django import template
from django.db.models import Count
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from tongban.core.money import yuan
from tongban.identity import access
from tongban.payments import services
from tongban.payments.models import PaymentOrder

register = template.Library()


@register.simple_tag(takes_context=True)
def payment_panel(context, case, audience: str) -> str:
    staff = audience == "staff"
    rows = PaymentOrder.objects.filter(case=case).select_related("department").order_by("-pk")
    if staff:
        rows = rows.annotate(callback_count=Count("callbacks"))
    order = rows.first()
    if order is None:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    can_pay = not staff and access.can(user, "payments.pay", order) and services.payable(order)
    can_refund = (
        staff
        and order.status == PaymentOrder.Status.PAID
        and access.can(user, "payments.refund.request", order)
    )
    return render_to_string(
        "payments/panel.html",
        {
            "order": order,
            "staff": staff,
            "callbacks": getattr(order, "callback_count", 0),
            "can_pay": can_pay,
            "can_refund": can_refund,
            "csrf_token": get_token(request) if can_pay and request is not None else "",
        },
    )


@register.inclusion_tag("payments/_order_table.html")
def order_table(order, staff: bool = False, callbacks: int = 0) -> dict:
    items = [{**item, "yuan": yuan(item.get("amount", 0))} for item in order.items]
    return {"order": order, "items": items, "staff": staff, "callbacks": callbacks}
