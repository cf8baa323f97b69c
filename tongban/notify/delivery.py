"""Delivering one stored message: claim it, call its provider, record the outcome.

Safe to run twice or in two workers at once: a conditional UPDATE (queued → sending) lets
one caller claim the message, and the provider deduplicates by the message's ``uid``.
Failures retry with exponential backoff and jitter; an open circuit defers without calling
the provider; exhausted retries go dead (dead-letter list) with an alert.
"""

import datetime
import random
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, Value, When

from tongban.core import clock
from tongban.notify import circuit, policy
from tongban.notify.models import Channel, DeliveryAttempt, Message
from tongban.notify.providers import ProviderError, registry
from tongban.notify.providers.base import Outgoing

Status = Message.Status
# A claim older than this is taken back by ``deliver_due`` (the worker died mid-send).
CLAIM_LEASE = datetime.timedelta(minutes=5)
CIRCUIT_OPEN = "服务商熔断中,暂缓发送 / provider circuit open, deferred"


def backoff(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt ``attempt`` (1-based): exponential, capped, jittered."""
    ceiling = min(
        settings.NOTIFY_RETRY_CAP_SECONDS,
        settings.NOTIFY_RETRY_BASE_SECONDS * settings.NOTIFY_RETRY_FACTOR ** (attempt - 1),
    )
    return datetime.timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def deliver(message_id: int) -> str:
    """Try to send one message now; returns what happened (for logs and tests)."""
    from tongban.notify.tasks import schedule

    now = clock.now()
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.status != Status.QUEUED:
        return "skipped"
    if message.next_attempt_at and message.next_attempt_at > now:
        return "not_due"  # an early or duplicate task; the planned one comes later
    provider_name = registry.for_channel(message.channel)
    later = circuit.wait_until(provider_name, now)
    if later is not None:
        if Message.objects.filter(pk=message_id, status=Status.QUEUED).update(
            next_attempt_at=later, last_error=CIRCUIT_OPEN
        ):
            transaction.on_commit(lambda: schedule(message_id, later))
        return "deferred"
    claimed = Message.objects.filter(pk=message_id, status=Status.QUEUED).update(
        status=Status.SENDING, next_attempt_at=now + CLAIM_LEASE, provider=provider_name
    )
    if not claimed:
        return "skipped"
    return _attempt(message, provider_name, now)


def _attempt(message: Message, provider_name: str, now) -> str:
    number = message.attempts + 1
    outgoing = Outgoing(
        address=message.address,
        subject=message.subject,
        body=message.body,
        template=message.template_code,
        client_msg_id=message.uid.hex,
    )
    started = time.perf_counter()
    try:
        provider_message_id = registry.get(provider_name).send(outgoing)
    except ProviderError as exc:
        return _failed(message, provider_name, number, exc, _ms(started))
    with transaction.atomic():
        # A receipt may have arrived first: delivered stays delivered.
        Message.objects.filter(pk=message.pk).update(
            status=Case(
                When(status=Status.DELIVERED, then=Value(Status.DELIVERED)),
                default=Value(Status.SENT),
            ),
            attempts=number,
            sent_at=now,
            next_attempt_at=now,
            provider_message_id=provider_message_id,
            last_error="",
        )
        DeliveryAttempt.objects.create(
            message=message,
            number=number,
            provider=provider_name,
            at=now,
            ok=True,
            duration_ms=_ms(started),
        )
        if circuit.succeeded(provider_name):
            _bring_forward(message.channel, now)
    return "sent"


def _bring_forward(channel: str, now) -> None:
    """The provider is back: what waited for it (circuit or backoff) is due now.

    One sweep task sends them; their own later tasks find them sent and do nothing.
    """
    from tongban.notify.tasks import deliver_due as sweep

    waiting = Q(last_error=CIRCUIT_OPEN) | Q(attempts__gt=0)  # not quiet hours or rate limits
    Message.objects.filter(
        waiting, channel=channel, status=Status.QUEUED, next_attempt_at__gt=now
    ).update(next_attempt_at=now)
    transaction.on_commit(sweep.enqueue)


def _failed(message, provider_name: str, number: int, exc: ProviderError, ms: int) -> str:
    from tongban.notify import services
    from tongban.notify.tasks import schedule

    now = clock.now()
    error = str(exc)[:1000]
    retry = exc.retryable and number < settings.NOTIFY_MAX_ATTEMPTS
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            number=number,
            provider=provider_name,
            at=now,
            ok=False,
            error=error,
            duration_ms=ms,
        )
        if exc.retryable:
            circuit.failed(provider_name, now)
        if retry:
            later = now + backoff(number)
            if message.channel == Channel.SMS and not message.urgent:
                later = policy.after_quiet_hours(later)  # a retry waits out the night too
            Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=Status.QUEUED, attempts=number, next_attempt_at=later, last_error=error
            )
            transaction.on_commit(lambda: schedule(message.pk, later))
            return "retry"
        final = Status.DEAD if exc.retryable else Status.FAILED
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=final, attempts=number, next_attempt_at=None, last_error=error
        )
        message.refresh_from_db()
        services.alert_dead_letter(message)
    return final


def deliver_due(limit: int = 1000) -> int:
    """Send what is due (messages whose task was lost, or on a backend without delays)."""
    now = clock.now()
    Message.objects.filter(status=Status.SENDING, next_attempt_at__lt=now).update(
        status=Status.QUEUED
    )
    due = list(
        Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk) == "sent" for pk in due)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
