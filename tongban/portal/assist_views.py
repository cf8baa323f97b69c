"""帮办代办 pages: the booking form (``/assist/``), its confirmation (``/assist/<number>/``)
and the clerks' list of their center's bookings (``/workbench/assist/``).

Thin: ``assist`` checks and records; these pages show its answers. The form works for anyone,
signed in or not (prefilled for a signed-in person); a confirmation is shown to the person's
account or the browser session that booked, to nobody else (404). The list is for clerks placed
at a service center (window intake's door, ``cases.intake``), who see their centers' bookings
and mark one done or cancelled (POST).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.errors import InvalidInput, NotFound, TongbanError
from tongban.identity.decorators import staff_page
from tongban.portal import assist
from tongban.portal.models import AssistBooking

PER_PAGE = 20
FIELDS = ("kind", "center", "date", "slot", "item", "item_text", "name", "phone", "note")


def _refused(request):
    return render(request, "portal/workbench/refused.html", status=403)


clerk_page = staff_page("cases.intake", refused=_refused)


def book(request):
    """The booking form; a valid booking goes to its confirmation."""
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FIELDS}
        try:
            booking = assist.book(**values, user=request.user, request=request)
        except InvalidInput as error:
            errors, status = error.fields, 422
        except TongbanError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            return redirect("portal:assist_booking", number=booking.number)
    else:
        values = _prefill(request)
    context = {
        "values": values,
        "errors": errors,
        "kinds": AssistBooking.Kind.choices,
        "slots": AssistBooking.Slot.choices,
        "centers": assist.bookable_centers(),
        "items": assist.bookable_items(),
        "days": assist.open_days(),
    }
    return render(request, "portal/assist/book.html", context, status=status)


def _prefill(request) -> dict:
    values = dict.fromkeys(FIELDS, "")
    values["kind"] = AssistBooking.Kind.HELP
    values["item"] = request.GET.get("item", "")
    user = request.user
    if user.is_authenticated and not user.is_staff:
        values["name"] = user.get_full_name()
        values["phone"] = str(user.phone or "")
    return values


def booking(request, number: str):
    """The confirmation: what was booked, where and when, and what to bring."""
    try:
        found = assist.visible_booking(request, number)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "portal/assist/booking.html", {"booking": found})


@clerk_page
def staff_list(request):
    """A center's bookings, soonest first, by status (待办理 by default); POST marks one."""
    if request.method == "POST":
        return _act(request)
    status = request.GET.get("status", AssistBooking.Status.BOOKED)
    if status not in AssistBooking.Status.values:
        status = ""
    page = Paginator(assist.for_staff(request.user, status=status or None), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "statuses": AssistBooking.Status.choices,
        "has_center": bool(assist.clerk_centers(request.user)),
    }
    return render(request, "portal/assist/staff_list.html", context)


@require_POST
def _act(request):
    number = request.POST.get("number", "")
    action = request.POST.get("action", "")
    back = request.POST.get("next") or reverse("portal:workbench_assist")
    if not back.startswith("/workbench/assist/"):
        back = reverse("portal:workbench_assist")
    handle = {"done": assist.complete, "cancel": assist.cancel}.get(action)
    try:
        if handle is None:
            raise InvalidInput(fields={"action": ["未知的操作 / unknown action"]})
        found = assist.staff_booking(request.user, number)
        handle(found, by=request.user, note=request.POST.get("note", ""), request=request)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        label = "已完成" if action == "done" else "已取消"
        messages.success(request, f"预约 {found.number} {label}")
    return redirect(back)
