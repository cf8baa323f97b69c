"""帮办代办 booking (plan task 21): help for the elderly and people who find the web hard.

A person, signed in or not, books help at a service center for a working day's morning or
afternoon, up to ``PORTAL_ASSIST_DAYS`` days ahead: 帮办 (a clerk helps them do it), 代办 (a
clerk does it for them) or 上门 (at home, for the housebound). The clerks of that center see
the bookings on their workbench (``/workbench/assist/``) and mark each one done, or cancel it.

Every change is one transaction with its audit record. Name and phone are personal data: the
phone is stored encrypted, both are masked on staff lists.
"""

import datetime
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from tongban.audit import services as audit
from tongban.cases import workdays
from tongban.cases.rules import clerk_centers
from tongban.catalog.models import ServiceItem
from tongban.core import clock, throttle
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.org.models import ServiceCenter
from tongban.portal.models import AssistBooking

Kind, Slot, Status = AssistBooking.Kind, AssistBooking.Slot, AssistBooking.Status
# The browser session's own bookings (a person without an account sees them there).
SESSION_KEY = "portal_assist_bookings"
SESSION_KEEP = 20
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
NAME_MAX = 50
NOTE_MAX = 500
ITEM_TEXT_MAX = 100
# The centers a person may book at: the county center and the town centers (village
# stations send people to their town).
BOOKABLE_LEVELS = (ServiceCenter.Level.COUNTY, ServiceCenter.Level.TOWN)


def bookable_centers() -> QuerySet:
    return ServiceCenter.objects.filter(level__in=BOOKABLE_LEVELS).order_by("level", "name")


def bookable_items() -> QuerySet:
    """Items with a published guide, for the optional choice of what the help is about."""
    return (
        ServiceItem.objects.filter(is_active=True, current_guide__isnull=False)
        .select_related("current_guide")
        .order_by("current_guide__name")
    )


def open_days(today: datetime.date | None = None) -> list[datetime.date]:
    """The working days a booking may be made for: tomorrow up to ``PORTAL_ASSIST_DAYS``
    days from today (the cases app's working-day calendar: holidays and 调休 included)."""
    today = today or clock.today()
    calendar = workdays.Calendar()
    days = (today + datetime.timedelta(days=n) for n in range(1, settings.PORTAL_ASSIST_DAYS + 1))
    return [day for day in days if calendar.is_workday(day)]


def book(
    *,
    kind: str,
    center,
    date,
    slot: str,
    name: str,
    phone: str,
    item=None,
    item_text: str = "",
    note: str = "",
    user=None,
    request=None,
) -> AssistBooking:
    """Book help; every field is checked and all faults reported at once (``InvalidInput``).

    ``center``: a ``ServiceCenter`` or its id; ``date``: a date or ``YYYY-MM-DD``; ``item``: a
    ``ServiceItem``, its implementation code, or empty (``item_text`` says it in words)."""
    errors: dict[str, list[str]] = {}
    kind = str(kind or "")
    if kind not in Kind.values:
        errors["kind"] = ["请选择服务方式 / choose a kind of help"]
    found_center = _center(center)
    if found_center is None:
        errors["center"] = ["请选择服务中心 / choose a service center"]
    day = _date(date)
    if day is None:
        errors["date"] = ["请选择预约日期 / choose a date"]
    elif day not in open_days():
        errors["date"] = [
            f"请选择今后 {settings.PORTAL_ASSIST_DAYS} 天内的工作日 / choose a working day "
            f"within {settings.PORTAL_ASSIST_DAYS} days"
        ]
    slot = str(slot or "")
    if slot not in Slot.values:
        errors["slot"] = ["请选择上午或下午 / choose morning or afternoon"]
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = ["请填写姓名 / enter your name"]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"姓名不能超过 {NAME_MAX} 字 / at most {NAME_MAX} characters"]
    phone = re.sub(r"[\s]", "", str(phone or ""))
    if not phone:
        errors["phone"] = ["请填写联系电话 / enter a phone number"]
    elif not PHONE.match(phone):
        errors["phone"] = ["请填写 11 位手机号码或带区号的固定电话 / enter a valid phone number"]
    found_item = _item(item)
    if item and found_item is None:
        errors["item"] = ["未找到所选事项 / unknown item"]
    item_text = " ".join(str(item_text or "").split())
    if len(item_text) > ITEM_TEXT_MAX:
        errors["item_text"] = [f"事项不能超过 {ITEM_TEXT_MAX} 字 / at most {ITEM_TEXT_MAX}"]
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"说明不能超过 {NOTE_MAX} 字 / at most {NOTE_MAX} characters"]
    if kind == Kind.HOME and not note:
        errors["note"] = ["上门服务请写明地址 / give the address for a home visit"]
    if errors:
        raise InvalidInput(fields=errors)
    _throttle(phone, request)
    account = user if getattr(user, "is_authenticated", False) else None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                booking = AssistBooking.objects.create(
                    number=_number(),
                    kind=kind,
                    item=found_item,
                    item_text=item_text if found_item is None else "",
                    center=found_center,
                    date=day,
                    slot=slot,
                    name=name,
                    phone=phone,
                    note=note,
                    user=account,
                    created_at=clock.now(),
                )
                audit.record(account, "portal.assist.book", booking, request=request)
        except IntegrityError:  # the random number was taken: draw again
            continue
        if request is not None:
            _remember(request, booking)
        return booking
    raise Conflict("预约繁忙,请稍后再试", "Could not allot a booking number, try again")


def _throttle(phone: str, request) -> None:
    """Bookings need no account, so each phone number and each client address has a budget
    (``PORTAL_ASSIST_PER_PHONE`` a day, ``PORTAL_ASSIST_PER_IP`` an hour): a script cannot
    fill a center's days with made-up bookings."""
    message = "预约次数过多,请稍后再试或拨打咨询电话"
    message_en = "Too many bookings, try again later or call the hotline"
    throttle.count(
        "portal:assist-phone",
        phone,
        allowed=settings.PORTAL_ASSIST_PER_PHONE,
        window_seconds=24 * 3600,
        message=message,
        message_en=message_en,
    )
    if request is not None:
        throttle.count(
            "portal:assist-ip",
            request.META.get("REMOTE_ADDR") or "",
            allowed=settings.PORTAL_ASSIST_PER_IP,
            window_seconds=3600,
            message=message,
            message_en=message_en,
        )


def complete(booking: AssistBooking, *, by, note: str = "", request=None) -> AssistBooking:
    """A clerk of the booking's center marks it done."""
    return _handle(booking, Status.DONE, by=by, note=note, request=request)


def cancel(booking: AssistBooking, *, by, note: str = "", request=None) -> AssistBooking:
    """A clerk of the booking's center cancels it (the person called, or did not come)."""
    return _handle(booking, Status.CANCELLED, by=by, note=note, request=request)


def _handle(booking, status, *, by, note, request) -> AssistBooking:
    if booking.center_id not in clerk_centers(by):
        raise NotFound()
    with transaction.atomic():
        locked = AssistBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != Status.BOOKED:
            raise Conflict(
                f"该预约{locked.get_status_display()},不能再办理",
                "This booking is no longer open",
            )
        locked.status, locked.handled_by, locked.handled_at = status, by, clock.now()
        locked.save(update_fields=["status", "handled_by", "handled_at"])
        audit.record(
            by,
            f"portal.assist.{'complete' if status == Status.DONE else 'cancel'}",
            locked,
            changes={"status": [Status.BOOKED.value, status.value]},
            note=note,
            request=request,
        )
    return locked


def for_staff(user, *, status: str | None = Status.BOOKED) -> QuerySet:
    """The bookings at the centers where ``user`` is a clerk, soonest first."""
    rows = AssistBooking.objects.filter(center__in=clerk_centers(user))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("center", "item__current_guide", "handled_by").order_by(
        "date", "slot", "pk"
    )


def staff_booking(user, number: str) -> AssistBooking:
    found = AssistBooking.objects.filter(number=number, center__in=clerk_centers(user)).first()
    if found is None:
        raise NotFound()
    return found


def visible_booking(request, number: str) -> AssistBooking:
    """The booking if it is the signed-in person's, or this browser session made it."""
    found = (
        AssistBooking.objects.select_related("center", "item__current_guide")
        .filter(number=str(number or "").upper())
        .first()
    )
    if found is None:
        raise NotFound()
    own = request.user.is_authenticated and found.user_id == request.user.pk
    if not own and found.number not in request.session.get(SESSION_KEY, []):
        raise NotFound()
    return found


def _remember(request, booking: AssistBooking) -> None:
    numbers = [n for n in request.session.get(SESSION_KEY, []) if n != booking.number]
    request.session[SESSION_KEY] = [*numbers, booking.number][-SESSION_KEEP:]


def _number() -> str:
    return f"BB{clock.today():%Y%m%d}{secrets.randbelow(10**4):04d}"


def _center(value) -> ServiceCenter | None:
    if isinstance(value, ServiceCenter):
        return value if value.level in BOOKABLE_LEVELS else None
    try:
        return bookable_centers().filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _item(value) -> ServiceItem | None:
    if not value:
        return None
    if isinstance(value, ServiceItem):
        return value
    return bookable_items().filter(implementation_code=str(value)).first()
