"""Waybills: reading them, making them, booking them with the courier.

- ``waybill_for``, ``list_waybills``, ``events_of``: what a user may see of the waybills.
- ``ship_result(case)``: the one delivery waybill of a concluded case to be posted,
  booked at once; ``book`` books a created waybill (and a collection's pickup); when
  the courier is down it stays ``created`` and ``retry_unbooked`` (a task) books it.

The lowest of the logistics modules: ``collections`` and ``desk`` make and book their
waybills with ``_create``, ``_center`` and ``book`` from here; ``tracking`` takes ``SYSTEM``.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tongban.audit import services as audit
from tongban.cases.models import Case, DeliveryMethod
from tongban.cases.models import Status as CaseStatus
from tongban.core import clock
from tongban.errors import InvalidInput, NotFound
from tongban.identity import access
from tongban.logistics import addresses
from tongban.logistics.models import Kind, PaidBy, Status, TrackingEvent, Waybill
from tongban.logistics.providers import registry
from tongban.logistics.providers.base import ProviderError, Shipment
from tongban.pagination import DEFAULT_LIMIT, decode_cursor, encode_cursor

logger = logging.getLogger(__name__)

SYSTEM = "system:logistics"
LIST_DEFERRED = (
    "sender_phone",
    "sender_address",
    "case__applicant_id_number",
    "case__form_data",
    "case__refusal_notice",
)


# --- reading --------------------------------------------------------------------------


def waybill_for(user, number: str) -> Waybill:
    """A waybill by its courier number or our reference, if ``user`` may see it (else 404)."""
    found = (
        Waybill.objects.filter(Q(reference=number) | Q(number=number))
        .select_related("case", "case__guide")
        .order_by("-pk")
        .first()
    )
    if found is None or not access.can(user, "logistics.view", found):
        raise NotFound("未找到该运单", "No such waybill")
    return found


def list_waybills(user, *, status: str = "", cursor: str | None = None, limit=DEFAULT_LIMIT):
    """The waybills ``user`` may see, newest first: (rows, next cursor)."""
    rows = access.scope(user, "logistics.view", Waybill.objects.all())
    if status:
        if status not in Status.values:
            raise InvalidInput(fields={"status": ["没有这个运单状态 / unknown status"]})
        rows = rows.filter(status=status)
    if cursor:
        (before,) = decode_cursor(cursor, 1)
        rows = rows.filter(pk__lt=before)
    # The list shows the recipient only: the sender's and the case's personal fields stay
    # encrypted in the database (each one read is a decryption).
    rows = rows.select_related("case").defer(*LIST_DEFERRED)
    found = list(rows.order_by("-pk")[: limit + 1])
    if len(found) <= limit:
        return found, None
    return found[:limit], encode_cursor([found[limit - 1].pk])


def events_of(waybill: Waybill) -> list[TrackingEvent]:
    """Newest first: by the courier's sequence, not by arrival."""
    return list(waybill.events.order_by("-sequence", "-pk"))


# --- posting a result -------------------------------------------------------------------


def ship_result(case: Case) -> Waybill | None:
    """The delivery waybill of a concluded case to be posted (made once, booked at once);
    ``None`` for a case not posted."""
    if case.delivery_method != DeliveryMethod.POST or case.status != CaseStatus.CONCLUDED:
        return None
    existing = (
        Waybill.objects.filter(case=case, kind=Kind.DELIVERY)
        .exclude(status__in=(Status.CANCELLED, Status.RETURNED, Status.FAILED))
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return book(existing) if existing.status == Status.CREATED else existing
    recipient = addresses.parse(case.delivery_address)
    phone = str(case.applicant.phone or "")
    waybill = _create(
        case,
        kind=Kind.DELIVERY,
        sender=_center(),
        recipient=(str(case.applicant_name), phone, recipient),
        by=SYSTEM,
    )
    return book(waybill)


def _center() -> tuple[str, str, addresses.Address]:
    sender = settings.LOGISTICS_SENDER
    return sender["name"], sender["phone"], addresses.parse(sender["address"])


def _create(case: Case, *, kind: str, sender, recipient, by, window=None) -> Waybill:
    """A created waybill; a recipient the courier would refuse is kept with its ``problem``
    (the desk corrects it) rather than lost."""
    name, phone, address = recipient
    errors = {
        # The center receiving collected materials has an office line, not a mobile.
        **addresses.party_errors(
            name, phone, prefix="recipient_", landline=kind == Kind.COLLECTION
        ),
        **addresses.address_errors(address, prefix="recipient_"),
    }
    problem = ";".join(m.split(" / ")[0] for ms in errors.values() for m in ms)[:300]
    for attempt in range(3):
        try:
            with transaction.atomic():
                waybill = Waybill.objects.create(
                    reference=_next_reference(case, kind),
                    provider=settings.LOGISTICS_PROVIDER,
                    kind=kind,
                    case=case,
                    department_id=case.department_id,
                    sender_name=sender[0],
                    sender_phone=sender[1],
                    sender_address=sender[2].full,
                    recipient_name=(name or "").strip()[:50],
                    recipient_phone=(phone or "").strip(),
                    recipient_address=address.full,
                    pickup_start=window[0] if window else None,
                    pickup_end=window[1] if window else None,
                    paid_by=PaidBy.COUNTY if settings.LOGISTICS_COUNTY_PAYS else PaidBy.APPLICANT,
                    problem=problem,
                    created_by=_actor_name(by),
                )
                audit.record(
                    by,
                    "logistics.waybill.create",
                    waybill,
                    changes={"status": [None, waybill.status], "case": [None, case.number]},
                    note=problem,
                )
            return waybill
        except IntegrityError:  # two makers took the same reference: take the next one
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _next_reference(case: Case, kind: str) -> str:
    letter = "D" if kind == Kind.DELIVERY else "C"
    made = Waybill.objects.filter(case=case, kind=kind).count()
    return f"{case.number}-{letter}{made + 1}"


def _actor_name(by) -> str:
    return by if isinstance(by, str) else getattr(by, "username", "")[:100]


# --- booking with the courier -------------------------------------------------------------


def book(waybill: Waybill, *, by=SYSTEM) -> Waybill:
    """Book a created waybill (and its pickup, for a collection). A courier that is down
    leaves it created with ``last_error`` (retried later); a refusal sets ``problem``."""
    if waybill.status != Status.CREATED or waybill.problem:
        return waybill
    provider = registry.get(waybill.provider)
    try:
        booking = provider.book(_shipment(waybill))
        if waybill.kind == Kind.COLLECTION:
            provider.book_pickup(
                booking.number,
                start=_iso(waybill.pickup_start),
                end=_iso(waybill.pickup_end),
                address=_party(waybill, "sender"),
            )
    except ProviderError as error:
        return _booking_failed(waybill, error, by=by)
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        if locked.status != Status.CREATED:
            return locked
        locked.number, locked.cost_fen = booking.number, booking.cost_fen
        locked.status, locked.booked_at = Status.BOOKED, clock.now()
        locked.attempts += 1
        locked.last_error = ""
        locked.save()
        audit.record(
            by,
            "logistics.waybill.book",
            locked,
            changes={
                "status": [Status.CREATED, Status.BOOKED],
                "number": [None, booking.number],
                "cost_fen": [None, booking.cost_fen],
                "paid_by": [None, locked.paid_by],
            },
        )
    return locked


def _booking_failed(waybill: Waybill, error: ProviderError, *, by) -> Waybill:
    logger.warning("courier booking of %s failed: %s", waybill.reference, error)
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        locked.attempts += 1
        locked.last_error = str(error)[:300]
        if not error.retryable:
            locked.problem = f"快递公司拒绝下单:{error}"[:300]
        locked.save(update_fields=["attempts", "last_error", "problem", "updated_at"])
        audit.record(
            by,
            "logistics.waybill.book_failed",
            locked,
            changes={"attempts": [waybill.attempts, locked.attempts]},
            note=locked.last_error,
        )
    return locked


def _shipment(waybill: Waybill) -> Shipment:
    county_pays = waybill.paid_by == PaidBy.COUNTY
    if waybill.kind == Kind.DELIVERY:
        payer = "sender" if county_pays else "recipient"  # 月结 or 到付
    else:
        payer = "recipient" if county_pays else "sender"  # the center pays, or the applicant
    return Shipment(
        reference=waybill.reference,
        kind=waybill.kind,
        sender=_party(waybill, "sender"),
        recipient=_party(waybill, "recipient"),
        payer=payer,
        callback_url=callback_url(waybill.provider),
    )


def _party(waybill: Waybill, side: str) -> dict:
    address = addresses.parse(str(getattr(waybill, f"{side}_address") or ""))
    return {
        "name": str(getattr(waybill, f"{side}_name")),
        "phone": str(getattr(waybill, f"{side}_phone") or ""),
        **address.as_dict(),
    }


def callback_url(provider: str) -> str:
    path = reverse("logistics:notify", kwargs={"provider": provider})
    return f"{settings.LOGISTICS_PUBLIC_URL}{path}"


def _iso(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def retry_unbooked(*, limit: int = 100) -> dict[str, int]:
    """Book the waybills left created while the courier was down."""
    pending = Waybill.objects.filter(status=Status.CREATED, problem="").order_by("pk")[:limit]
    counts = {"booked": 0, "waiting": 0}
    for waybill in pending:
        booked = book(waybill)
        counts["booked" if booked.status == Status.BOOKED else "waiting"] += 1
    return counts
