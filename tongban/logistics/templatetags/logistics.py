"""``{% delivery_panel case audience %}``: the case's waybills and tracking on the
applicant's case page (``audience`` "applicant") and the workbench (``"staff"``).

Two queries: the case's waybills, then their events. Staff who may manage waybills get the
action that applies (立即下单, 取消, 重新寄送) and the link to book a collection.
"""

from django import template
from django.db.models import Prefetch
from django.template.loader import render_to_string

from tongban.identity import access
from tongban.logistics.models import FINAL, Kind, Status, TrackingEvent, Waybill
from tongban.logistics.services import COLLECTABLE

register = template.Library()
COURIERS = {"sandbox": "快递沙箱(开发测试)", "courier_http": "合作快递公司"}
RESENDABLE = (Status.RETURNED, Status.FAILED, Status.CANCELLED)


@register.simple_tag(takes_context=True)
def delivery_panel(context, case, audience: str) -> str:
    events = Prefetch(
        "events",
        queryset=TrackingEvent.objects.order_by("-sequence", "-pk"),
        to_attr="newest_events",
    )
    waybills = list(Waybill.objects.filter(case=case).prefetch_related(events).order_by("-pk"))
    if not waybills and case.delivery_method != "post" and case.status not in COLLECTABLE:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    may_manage = audience == "staff" and access.holds(user, "logistics.manage_waybill")
    open_delivery = any(w.kind == Kind.DELIVERY and w.status not in FINAL for w in waybills)
    for waybill in waybills:
        waybill.action = _action(waybill, open_delivery)
    open_collection = any(w.kind == Kind.COLLECTION and w.status not in FINAL for w in waybills)
    may_collect = (
        case.status in COLLECTABLE
        and not open_collection
        and (audience == "applicant" or may_manage)
    )
    return render_to_string(
        "logistics/panel.html",
        {
            "case": case,
            "waybills": waybills,
            "audience": audience,
            "may_manage": may_manage,
            "may_collect": may_collect,
            "courier": COURIERS.get(waybills[0].provider, waybills[0].provider) if waybills else "",
        },
        request=request,
    )


def _action(waybill: Waybill, open_delivery: bool) -> str:
    if waybill.status == Status.CREATED:
        return "" if waybill.problem else "book"
    if waybill.status == Status.BOOKED:
        return "cancel"
    if waybill.kind == Kind.DELIVERY and waybill.status in RESENDABLE and not open_delivery:
        return "resend"
    return ""
