"""The courier's tracking: signed pushes (``apply_callback``) and pulled tracks
(``refresh``, ``refresh_stale``), each event applied by ``apply_track``.

Every push is logged (``CourierCallback``); a forged one changes nothing, a repeated one
(same ``event_id``) is recorded once, an older one (``sequence`` at or below the last
applied) is kept in the tracks but never moves the status back. A move forward is
announced on the case: 揽收 records 寄出, 签收 of a delivery waybill delivers the case
(``cases.services.deliver_by_system``), a collection's arrival records 上门收件.
"""

import datetime
import json
import logging

from django.conf import settings
from django.db import transaction

from tongban.audit import services as audit
from tongban.cases import services as cases
from tongban.cases.models import Case
from tongban.cases.models import Status as CaseStatus
from tongban.core import clock
from tongban.core import httpsign as signing
from tongban.logistics.models import (
    FINAL,
    IN_FLIGHT,
    RANK,
    CourierCallback,
    Kind,
    Status,
    TrackingEvent,
    Waybill,
)
from tongban.logistics.providers import registry
from tongban.logistics.providers.base import ProviderError, Track
from tongban.logistics.providers.courier_http import track_from
from tongban.logistics.waybills import SYSTEM
from tongban.notify import services as notify

logger = logging.getLogger(__name__)

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
DISPATCHED = frozenset(
    {Status.PICKED_UP, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERED}
)
MAX_BODY = 20_000


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
