"""When a message may go out: quiet hours and per-recipient rate limits (defer, never drop)."""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tongban.core import pii
from tongban.notify.models import Channel, Message

HOUR = datetime.timedelta(hours=1)
OPEN_STATUSES = (Message.Status.QUEUED, Message.Status.SENDING, Message.Status.SENT)


def quiet_hours() -> tuple[datetime.time, datetime.time] | None:
    raw = settings.NOTIFY_QUIET_HOURS.strip()
    if not raw:
        return None
    try:
        start, end = (datetime.time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"NOTIFY_QUIET_HOURS must be HH:MM-HH:MM, not {raw!r}") from exc
    return start, end


def after_quiet_hours(when: datetime.datetime) -> datetime.datetime:
    """``when``, or the end of the quiet hours it falls in (local time)."""
    window = quiet_hours()
    if window is None:
        return when
    start, end = window
    local = timezone.localtime(when)
    clock = local.time()
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return when
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += datetime.timedelta(days=1)
    return ends


def earliest_send(channel: str, address: str, urgent: bool, now: datetime.datetime):
    """When a new message may first be attempted. Urgent messages (codes) go at once."""
    if channel != Channel.SMS or urgent:
        return now
    when = after_quiet_hours(now)
    limit = settings.NOTIFY_SMS_PER_HOUR
    if limit <= 0:
        return when
    # Sliding window over the times already planned for this number.
    planned = sorted(
        Message.objects.filter(
            channel=Channel.SMS,
            address_index=pii.blind_index(address, "text"),
            status__in=OPEN_STATUSES,
            next_attempt_at__gt=now - HOUR,
        ).values_list("next_attempt_at", flat=True)
    )
    for _round in range(len(planned) + 1):
        recent = [at for at in planned if when - HOUR < at <= when]
        if len(recent) < limit:
            break
        when = after_quiet_hours(recent[-limit] + HOUR)
    return when
