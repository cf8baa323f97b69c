"""The logistics app's public functions: post a concluded case's result (送达), collect
paper materials from the applicant's door (上门收件), take the courier's tracking.

- ``ship_result(case)``: on ``case_concluded`` for a case to be posted; one delivery
  waybill per case (a re-send makes the next), booked with the courier at once. When the
  courier is down the waybill stays ``created`` and ``retry_unbooked`` (a task) books it.
- ``book_collection(case, party=…, start=…, end=…, by=…)``: a courier to the applicant's
  door while the case is submitted, waiting for supplements or accepted.
- ``apply_callback(provider, body=…, path=…, headers=…)``: a signed tracking push. Every
  push is logged (``CourierCallback``); a forged one changes nothing, a repeated one
  (same ``event_id``) is recorded once, an older one (``sequence`` at or below the last
  applied) is kept in the tracks but never moves the status back. 签收 of a delivery
  waybill delivers the case (``cases.services.deliver_by_system``); 揽收 records 寄出 on
  the case; a collection's arrival records 上门收件.
- ``refresh(waybill)``: pull the tracks when pushes are missing (``tasks.sweep``).
- ``book``, ``correct``, ``cancel``, ``resend``: the clerk's mail desk.

Every state change is one transaction with its audit record; calls to the courier happen
outside it (the courier is idempotent by our ``reference``).
"""

import datetime
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tongban.audit import services as audit
from tongban.cases import services as cases
from tongban.cases.models import Case, DeliveryMethod
from tongban.cases.models import Status as CaseStatus
from tongban.core import clock
from tongban.core import httpsign as signing
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.identity import access
from tongban.logistics import addresses
from tongban.logistics.models import (
    FINAL,
    IN_FLIGHT,
    RANK,
    CourierCallback,
    Kind,
    PaidBy,
    Status,
    TrackingEvent,
    Waybill,
)
from tongban.logistics.providers import registry
from tongban.logistics.providers.base import ProviderError, Shipment, Track
from tongban.logistics.providers.courier_http import track_from
from tongban.notify import services as notify
from tongban.pagination import DEFAULT_LIMIT, decode_cursor, encode_cursor

logger = logging.getLogger(__name__)

SYSTEM = "system:logistics"
Outcome = CourierCallback.Outcome
# The courier's event codes → the status they mean.
CODES = {
    "PICKED_UP": Status.PICKED_UP,
    "IN_TRANSIT": Status.IN_TRANSIT,
    "OUT_FOR_DELIVERY": Status.OUT_FOR_DELIVERY,
    "SIGNED": Status.DELIVERED,
    "RETURNED": Status.RETURNED,
    "FAILED": Status.FAILED,
}
# Cases that may still send paper materials in (上门收件).
COLLECTABLE = frozenset(
    {CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.ACCEPTED}
)
DISPATCHED = frozenset(
    {Status.PICKED_UP, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERED}
)
LIST_DEFERRED = (
    "sender_phone",
    "sender_address",
    "case__applicant_id_number",
    "case__form_data",
    "case__refusal_notice",
)
PICKUP_DAYS_AHEAD = 7
PICKUP_HOURS = (8, 20)  # couriers visit between 8:00 and 20:00
MAX_BODY = 20_000


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


# --- tracking -------------------------------------------------------------------------------


def apply_callback(provider: str, *, body: bytes, path: str, headers) -> str:
    """Check, log and apply one tracking push; its ``CourierCallback.Outcome``.

    ``headers``: a function giving a request header by name."""
    options = registry.options(provider)
    secret = options.get("app_secret")
    signed = bool(
        secret
        and headers("AppKey") == options.get("customer_code")
        and signing.verify(secret, "POST", path, body, headers)
    )
    text = body[:MAX_BODY].decode("utf-8", errors="replace")
    try:
        data = json.loads(body)
        number = str(data.get("waybill_no") or "")[:40]
    except (ValueError, AttributeError):
        data, number = None, ""
    if not signed:
        logger.warning("courier push with a bad signature for %r from %s", number, provider)
        return _log(provider, text, False, Outcome.BAD_SIGNATURE, number=number)
    try:
        track = track_from(data)
        at = datetime.datetime.fromisoformat(track.at)
        if at.tzinfo is None:
            raise ValueError("a time without its offset")
    except (ValueError, KeyError, TypeError) as exc:
        return _log(provider, text, True, Outcome.INVALID, number=number, note=str(exc))
    waybill = Waybill.objects.filter(provider=provider, number=number).first()
    if waybill is None:
        logger.warning("courier push for unknown waybill %r from %s", number, provider)
        return _log(provider, text, True, Outcome.UNKNOWN, number=number, event=track.event_id)
    return apply_track(waybill, track, source="push", raw=text)


def _log(provider, text, signed, outcome, *, number="", event="", note="") -> str:
    CourierCallback.objects.create(
        provider=provider,
        waybill_number=number,
        event_id=event[:64],
        body=text,
        signature_ok=signed,
        outcome=outcome,
        note=note[:300],
        received_at=clock.now(),
    )
    return outcome


def apply_track(waybill: Waybill, track: Track, *, source: str, raw: str | None = None) -> str:
    """Record one tracking event and move the waybill forward if it is news: one
    transaction with the waybill locked, so pushes for one waybill apply one at a time."""
    at = datetime.datetime.fromisoformat(track.at)
    if at.tzinfo is None:
        raise ValueError(f"event {track.event_id} has a time without its offset")
    status = CODES.get(track.code, "")
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        seen = TrackingEvent.objects.filter(provider=locked.provider, event_id=track.event_id)
        if seen.exists():
            outcome, note = Outcome.DUPLICATE, "轨迹已记录"
        else:
            TrackingEvent.objects.create(
                waybill=locked,
                provider=locked.provider,
                event_id=track.event_id[:64],
                sequence=track.sequence,
                code=track.code[:32],
                status=status,
                description=track.description or track.code,
                location=track.location,
                at=at,
                source=source,
                received_at=clock.now(),
            )
            if track.sequence <= locked.last_sequence:
                outcome, note = Outcome.STALE, f"序号 {track.sequence} ≤ {locked.last_sequence}"
            else:
                outcome, note = Outcome.APPLIED, ""
                _advance(locked, track, status, at)
        if raw is not None:
            _log(
                locked.provider,
                raw,
                True,
                outcome,
                number=locked.number,
                event=track.event_id,
                note=note,
            )
    if outcome != Outcome.APPLIED:
        logger.debug("courier event %s for %s: %s", track.event_id, locked.number, outcome)
    return outcome


def _advance(waybill: Waybill, track: Track, status: str, at) -> None:
    before = waybill.status
    waybill.last_sequence = track.sequence
    waybill.last_event_at = at
    moves = bool(status) and not waybill.is_final and RANK[status] > RANK[before]
    if moves:
        waybill.status = status
        if status == Status.DELIVERED:
            waybill.delivered_at = at
    waybill.save()
    audit.record(
        SYSTEM,
        "logistics.waybill.track",
        waybill,
        changes={
            "status": [before, waybill.status],
            "sequence": [None, track.sequence],
            "event": [None, track.code],
        },
        note=track.description,
    )
    if moves:
        _announce(waybill, before)


def _announce(waybill: Waybill, before: str) -> None:
    """The case's side of a move: 寄出 and 送达 for a result, 上门收件 for materials."""
    status = waybill.status
    dispatched = waybill.kind == Kind.DELIVERY and status in DISPATCHED and before not in DISPATCHED
    if not dispatched and status not in FINAL:
        return  # 运输中, 派送中: news for the tracks only
    case = Case.objects.select_related("applicant", "guide").get(pk=waybill.case_id)
    if waybill.kind == Kind.DELIVERY:
        if dispatched:
            cases.record_event(case, "dispatch", by=SYSTEM, note=f"邮件已寄出,运单号 {waybill}")
            _notice(case, waybill, "logistics.dispatched")
        if status == Status.DELIVERED:
            if case.status == CaseStatus.CONCLUDED:
                cases.deliver_by_system(
                    case, system="logistics", note=f"邮寄送达,已签收,运单号 {waybill}"
                )
            else:
                logger.warning("waybill %s signed for; case %s is %s", waybill, case, case.status)
        elif status in (Status.RETURNED, Status.FAILED):
            _notice(case, waybill, "logistics.returned")
    elif status == Status.DELIVERED:
        note = f"上门收件的材料已送达,运单号 {waybill}"
        cases.record_event(case, "collect", by=SYSTEM, note=note)
        _notice(case, waybill, "logistics.collected")


def _notice(case: Case, waybill: Waybill, template: str) -> None:
    user = case.applicant
    phone = str(user.phone) if user.phone else ""
    notify.send(
        user,
        template,
        {
            "办件编号": case.number,
            "事项名称": case.guide.name,
            "运单号": waybill.number,
            "快递状态": waybill.get_status_display(),
        },
        channels=["in_app", "sms"] if phone else ["in_app"],
        address=phone or None,
        idempotency_key=f"logistics:{waybill.pk}:{template}",
        by=SYSTEM,
    )


def refresh(waybill: Waybill) -> int:
    """Pull the courier's tracks of ``waybill`` and apply the ones missed; how many applied."""
    if not waybill.number or waybill.is_final:
        return 0
    try:
        tracks = registry.get(waybill.provider).tracks(waybill.number)
    except ProviderError as error:
        logger.warning("tracks of %s unavailable: %s", waybill.number, error)
        return 0
    applied = 0
    for track in sorted(tracks, key=lambda t: t.sequence):
        try:
            outcome = apply_track(waybill, track, source="pull")
        except ValueError:
            continue
        applied += outcome == Outcome.APPLIED
    return applied


def refresh_stale(*, limit: int = 100) -> int:
    """Refresh the waybills on the way that have heard nothing for a while."""
    hours = getattr(settings, "LOGISTICS_REFRESH_AFTER_HOURS", 6)
    quiet_since = clock.now() - datetime.timedelta(hours=hours)
    stale = Waybill.objects.filter(status__in=IN_FLIGHT, updated_at__lt=quiet_since)
    return sum(refresh(waybill) for waybill in stale.order_by("updated_at")[:limit])


# --- collection at the door (上门收件) ---------------------------------------------------------


def book_collection(
    case: Case, *, name: str, phone: str, address: addresses.Address, start, end, by
) -> Waybill:
    """Book a courier to collect the paper materials of ``case`` from ``address`` between
    ``start`` and ``end``; the applicant or a clerk of the case's department."""
    if not access.can(by, "cases.view", case):
        raise NotFound("未找到该办件", "No such case")
    access.require(by, "logistics.book_collection", case)
    if case.status not in COLLECTABLE:
        raise Conflict("办件当前状态不需要寄送材料", "This case does not take paper materials now")
    open_one = Waybill.objects.filter(case=case, kind=Kind.COLLECTION).exclude(status__in=FINAL)
    if open_one.exists():
        raise Conflict("该办件已预约上门收件", "A collection is already booked for this case")
    errors = {
        **addresses.party_errors(name, phone),
        **addresses.address_errors(address),
        **_window_errors(start, end),
    }
    if errors:
        raise InvalidInput(fields=errors)
    waybill = _create(
        case,
        kind=Kind.COLLECTION,
        sender=(name.strip(), phone.strip(), address),
        recipient=_center(),
        by=by,
        window=(start, end),
    )
    return book(waybill, by=by)


def _window_errors(start, end) -> dict[str, list[str]]:
    if not isinstance(start, datetime.datetime):
        return {"start": ["请选择上门时间 / choose a pickup time"]}
    if not isinstance(end, datetime.datetime):
        return {"end": ["请选择上门时间段的结束时间 / choose when the window ends"]}
    now = clock.now()
    start_local, end_local = timezone.localtime(start), timezone.localtime(end)
    if start < now + datetime.timedelta(hours=1):
        return {"start": ["上门时间至少在一小时之后 / at least one hour from now"]}
    if start > now + datetime.timedelta(days=PICKUP_DAYS_AHEAD):
        return {"start": ["只能预约7天内的上门时间 / within the next 7 days"]}
    if end <= start or end - start < datetime.timedelta(hours=1):
        return {"end": ["上门时间段至少一小时 / the window is at least one hour"]}
    first, last = PICKUP_HOURS
    if (
        start_local.date() != end_local.date()
        or start_local.hour < first
        or (end_local.hour, end_local.minute) > (last, 0)
    ):
        return {"end": ["快递员上门时间为当日 8:00–20:00 / between 8:00 and 20:00, same day"]}
    return {}


# --- the mail desk ----------------------------------------------------------------------------


def correct(waybill: Waybill, *, by, name: str, phone: str, address_line: str) -> Waybill:
    """Correct the recipient of a waybill not yet booked (the address the courier needs),
    then book it."""
    _require_manage(by, waybill)
    if waybill.status != Status.CREATED or waybill.kind != Kind.DELIVERY:
        raise Conflict("只能修改尚未下单的送达运单", "Only an unbooked delivery can be corrected")
    party = addresses.party(name, phone, addresses.parse(address_line), prefix="recipient_")
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        locked.recipient_name, locked.recipient_phone = party.name, party.phone
        locked.recipient_address = party.address.full
        changes = {"problem": [locked.problem or None, None], "recipient": [None, "corrected"]}
        locked.problem = ""
        locked.save()
        audit.record(by, "logistics.waybill.correct", locked, changes=changes)
    return book(locked, by=by)


def book_now(waybill: Waybill, *, by) -> Waybill:
    """The desk's 立即下单: book a created waybill now rather than waiting for the retry."""
    _require_manage(by, waybill)
    if waybill.status != Status.CREATED:
        raise Conflict("运单已下单", "The waybill is booked already")
    if waybill.problem:
        raise Conflict(f"请先修改收件信息:{waybill.problem}", "Correct the recipient first")
    return book(waybill, by=by)


def cancel(waybill: Waybill, *, by, reason: str = "") -> Waybill:
    """Cancel a waybill not yet picked up (the courier is told when it was booked)."""
    _require_manage(by, waybill)
    if waybill.status not in (Status.CREATED, Status.BOOKED):
        raise Conflict("快件已揽收,不能取消", "Picked up already: it cannot be cancelled")
    if waybill.status == Status.BOOKED:
        try:
            registry.get(waybill.provider).cancel(waybill.number)
        except ProviderError as error:
            if error.retryable:
                raise Conflict(
                    "快递公司暂时无法取消,请稍后再试", "The courier is unavailable"
                ) from error
            raise Conflict(f"快递公司拒绝取消:{error}", "The courier refused") from error
    with transaction.atomic():
        locked = Waybill.objects.select_for_update().get(pk=waybill.pk)
        before = locked.status
        locked.status = Status.CANCELLED
        locked.save()
        audit.record(
            by,
            "logistics.waybill.cancel",
            locked,
            changes={"status": [before, Status.CANCELLED]},
            note=reason,
        )
    return locked


def resend(waybill: Waybill, *, by) -> Waybill:
    """Post the result again after a return, a failure or a cancellation: a new waybill
    to the same recipient, booked at once."""
    _require_manage(by, waybill)
    if waybill.kind != Kind.DELIVERY or waybill.status not in (
        Status.RETURNED,
        Status.FAILED,
        Status.CANCELLED,
    ):
        raise Conflict("只有退回、投递失败或已取消的送达运单可以重寄", "Nothing to re-send")
    case = Case.objects.get(pk=waybill.case_id)
    if case.status != CaseStatus.CONCLUDED:
        raise Conflict("办件已送达或不在待送达状态", "The case is not waiting for delivery")
    newer = Waybill.objects.filter(case=case, kind=Kind.DELIVERY, pk__gt=waybill.pk)
    if newer.exclude(status__in=FINAL).exists():
        raise Conflict("该办件已有新的寄递运单", "A newer waybill is on its way")
    fresh = _create(
        case,
        kind=Kind.DELIVERY,
        sender=_center(),
        recipient=(
            str(waybill.recipient_name),
            str(waybill.recipient_phone or ""),
            addresses.parse(str(waybill.recipient_address or "")),
        ),
        by=by,
    )
    return book(fresh, by=by)


def _require_manage(user, waybill: Waybill) -> None:
    if not access.can(user, "logistics.view", waybill):
        raise NotFound("未找到该运单", "No such waybill")
    if not access.can(user, "logistics.manage", waybill):
        raise PermissionDenied()
