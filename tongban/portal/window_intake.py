"""Window intake (窗口收件): a clerk files a case for a walk-in applicant.

The clerk finds the person's account by ID number (the real-name check at the window, L3,
is the clerk's own: they look at the ID card) or, for someone without one, opens it for the
phone they give (``realname.register_at_window``), picks the item, fills the guide's form with
what the population base already knows filled in, uploads the materials and records 帮办代办
for the elderly and disabled. The channel follows the clerk's center: county window, town
center or village station.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from tongban.cases import services
from tongban.cases.models import Channel, DeliveryMethod
from tongban.catalog.models import ServiceItem
from tongban.core.pii import blind_index, mask
from tongban.errors import InvalidInput, TongbanError
from tongban.identity import access, realname
from tongban.identity.models import User
from tongban.licenses import uses
from tongban.org.models import ServiceCenter, StaffMembership
from tongban.portal.workbench import _message, staff_required

CHANNEL_OF_LEVEL = {
    ServiceCenter.Level.COUNTY: Channel.COUNTY_WINDOW,
    ServiceCenter.Level.TOWN: Channel.TOWN_CENTER,
    ServiceCenter.Level.VILLAGE: Channel.VILLAGE_STATION,
}


@staff_required
def intake(request):
    membership = _membership(request.user)
    if membership is None or not access.can(request.user, "cases.intake", membership.window):
        return render(request, "portal/workbench/refused.html", status=403)
    data = request.POST if request.method == "POST" else request.GET
    number = (data.get("id_number") or "").strip().upper()
    applicant = _account(number) if number else None
    item = ServiceItem.objects.filter(implementation_code=data.get("item") or "").first()
    guide = item.current_guide if item else None
    errors = {}
    if request.method == "POST" and data.get("register") == "1" and applicant is None:
        opened = _register(request, membership, number)
        if opened is not None:
            query = urlencode({"id_number": number, "item": data.get("item") or ""})
            return redirect(f"{reverse('portal:workbench_intake')}?{query}")
    elif request.method == "POST" and applicant and guide:
        try:
            case = _file(request, membership, applicant, item)
        except InvalidInput as error:
            errors = error.fields or {}
            messages.error(request, _message(error))
        except TongbanError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, f"已收件,办件编号 {case.number}")
            return redirect("portal:workbench_case", number=case.number)
    context = {
        "membership": membership,
        "channel": CHANNEL_OF_LEVEL.get(membership.center.level),
        "id_number": number,
        "applicant": applicant,
        "not_found": bool(number) and applicant is None,
        "item": item,
        "guide": guide,
        "fields": _fields(applicant, guide, data) if applicant and guide else [],
        "specs": _specs(guide, applicant),
        "errors": errors,
        "assistants": data.get("assisted") == "1",
        "deliveries": DeliveryMethod.choices,
        "delivery": data.get("delivery") or DeliveryMethod.WINDOW,
        "delivery_address": data.get("delivery_address", ""),
    }
    return render(request, "portal/workbench/intake.html", context)


def _register(request, membership, number: str):
    """Open an account for a walk-in applicant whose ID card the clerk has seen (L3)."""
    try:
        user = realname.register_at_window(
            phone=request.POST.get("phone", ""),
            id_number=number,
            name=(request.POST.get("name") or "").strip(),
            by=request.user,
            window=membership.window,
            request=request,
        )
    except TongbanError as error:
        messages.error(request, _message(error))
        return None
    messages.success(request, f"已为 {user.get_full_name()} 开通账号并完成实名核验(L3)")
    return user


def _membership(user):
    return (
        StaffMembership.objects.active()
        .filter(user=user, role=StaffMembership.Role.CLERK, center__isnull=False)
        .select_related("center", "window")
        .order_by("pk")
        .first()
    )


def _specs(guide, applicant) -> list:
    """The guide's materials, each with the applicant's e-license that can replace it."""
    if guide is None:
        return []
    offers = uses.offer_for(guide, applicant) if applicant else {}
    specs = list(guide.materials.all())
    for spec in specs:
        spec.offered = offers.get(spec.pk)
    return specs


def _account(number: str):
    return User.objects.filter(id_number_hash=blind_index(number, "id_number")).first()


def _fields(applicant, guide, data) -> list[dict]:
    known = services.prefill(applicant, guide)
    rows = []
    for field in (guide.form_schema or {}).get("fields", []):
        key = field.get("key")
        prefilled = known.get(key)
        rows.append(
            {
                "key": key,
                "label": field.get("label", key),
                "required": field.get("required", False),
                "value": _shown(field, prefilled) if prefilled else data.get(f"form_{key}", ""),
                "source": prefilled["source_label"] if prefilled else "",
            }
        )
    return rows


def _shown(field: dict, prefilled: dict) -> str:
    """A prefilled value as the page shows it: ID numbers masked."""
    value = str(prefilled["value"])
    return mask(value, "id_number") if field.get("type") == "id_number" else value


def _file(request, membership, applicant, item):
    guide = item.current_guide
    form = {
        field["key"]: request.POST.get(f"form_{field['key']}", "")
        for field in (guide.form_schema or {}).get("fields", [])
    }
    offers = uses.offer_for(guide, applicant)
    materials = []
    for spec in guide.materials.all():
        offered = offers.get(spec.pk)
        if offered is not None and request.POST.get(f"use_license_{spec.pk}") == "1":
            reference = {"source": "license", "id": offered.identifier}
            materials.append({"spec": spec.pk, "reference": reference})
        elif f"material_{spec.pk}" in request.FILES:
            materials.append({"spec": spec.pk, "file": request.FILES[f"material_{spec.pk}"]})
    assisted = request.POST.get("assisted") == "1"
    return services.submit(
        user=applicant,
        by=request.user,
        item_code=item.implementation_code,
        form_data=form,
        materials=materials,
        channel=CHANNEL_OF_LEVEL[membership.center.level],
        window=membership.window,
        assisted_by=request.user if assisted else None,
        assist_note=(request.POST.get("assist_note") or "").strip() if assisted else "",
        delivery=request.POST.get("delivery", ""),
        delivery_address=request.POST.get("delivery_address", ""),
    )
