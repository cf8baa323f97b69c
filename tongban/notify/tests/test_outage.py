"""The issue's outage: 1,000 SMS while the provider is down for 300 s, then recovery.

Time is simulated (time-machine) with the production backoff profile; the enqueued tasks
are collected by the dummy backend and run here in order of their ``run_after``.
"""

import datetime
import heapq
import itertools
import socket

import pytest
from django.db.models import Count, Q
from django.test import override_settings

from tongban.notify import services, tasks
from tongban.notify.models import Message
from tongban.notify.tests.conftest import MORNING

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
OUTAGE = datetime.timedelta(seconds=300)
COUNT = 1000


def run_until_idle(backend, clock, sandbox, capture) -> None:
    """Run due tasks; jump the clock to the next one; bring the provider back after 300 s."""
    queue, order = [], itertools.count()
    while True:
        for result in backend.results:
            heapq.heappush(queue, (result.task.run_after or MORNING, next(order), result))
        backend.results = []
        if not queue:
            return
        now = max(queue[0][0], datetime.datetime.now(datetime.UTC))
        clock.move_to(now)
        if now >= MORNING + OUTAGE and sandbox.failing:
            sandbox.recover()
        with capture(execute=True):
            while queue and queue[0][0] <= now:
                result = heapq.heappop(queue)[2]
                result.task.call(*result.args)


@override_settings(TASKS=DUMMY, NOTIFY_SMS_PER_HOUR=0, NOTIFY_CIRCUIT_COOLDOWN_SECONDS=30)
def test_a_300_second_outage_loses_nothing_and_sends_nothing_twice(
    sandbox, notice, clock, django_capture_on_commit_callbacks
):
    backend = tasks.deliver_message.get_backend()
    sandbox.fail()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(COUNT):
            services.send(
                None, "case.accepted", notice, address=f"138{n:08d}", idempotency_key=f"outage:{n}"
            )
    run_until_idle(backend, clock, sandbox, django_capture_on_commit_callbacks)

    assert Message.objects.filter(status=Message.Status.SENT).count() == COUNT
    assert len(sandbox.messages) == COUNT and sandbox.duplicates == 0
    assert len({m["client_msg_id"] for m in sandbox.messages}) == COUNT
    successes = Message.objects.annotate(ok=Count("attempt_log", filter=Q(attempt_log__ok=True)))
    assert set(successes.values_list("ok", flat=True)) == {1}
    # The circuit kept the dead provider from being hammered: a handful of probes in 300 s.
    assert sandbox.calls - COUNT <= 20
    # Nothing went out during the outage, and everything soon after the provider came back.
    sent_at = Message.objects.values_list("sent_at", flat=True)
    assert MORNING + OUTAGE <= min(sent_at) <= max(sent_at) <= MORNING + 2 * OUTAGE


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@override_settings(TASKS=DUMMY, NOTIFY_SMS_PER_HOUR=0, NOTIFY_CIRCUIT_COOLDOWN_SECONDS=30)
def test_messages_stored_while_the_gateway_process_is_gone_are_sent_once_it_is_back(
    sandbox, notice, clock, settings, django_capture_on_commit_callbacks
):
    """The gateway stopped (connection refused, not 503) while the platform keeps sending:
    one message every 5 s for 300 s; then it comes back on its address."""
    backend = tasks.deliver_message.get_backend()
    config = settings.NOTIFY_PROVIDERS["sandbox"]
    settings.NOTIFY_PROVIDERS = {
        **settings.NOTIFY_PROVIDERS,
        "sandbox": {**config, "url": f"http://127.0.0.1:{closed_port()}"},
    }
    arrivals = [MORNING + datetime.timedelta(seconds=5 * n) for n in range(60)]
    queue, order = [], itertools.count()
    while arrivals or queue or backend.results:
        for result in backend.results:
            heapq.heappush(queue, (result.task.run_after or clock_now(), next(order), result))
        backend.results = []
        if arrivals and (not queue or arrivals[0] <= queue[0][0]):
            clock.move_to(arrivals.pop(0))
            n = 60 - len(arrivals)
            with django_capture_on_commit_callbacks(execute=True):
                services.send(
                    None, "case.accepted", notice, address=f"139{n:08d}", idempotency_key=f"o{n}"
                )
            continue
        clock.move_to(max(queue[0][0], clock_now()))
        if clock_now() >= MORNING + OUTAGE:  # the gateway is back on its address
            settings.NOTIFY_PROVIDERS = {**settings.NOTIFY_PROVIDERS, "sandbox": config}
        with django_capture_on_commit_callbacks(execute=True):
            while queue and queue[0][0] <= clock_now():
                result = heapq.heappop(queue)[2]
                result.task.call(*result.args)

    sms = Message.objects.filter(channel="sms")
    assert sms.count() == 60 and set(sms.values_list("status", flat=True)) == {"sent"}
    assert len(sandbox.messages) == 60 and sandbox.duplicates == 0
    assert sandbox.calls == 60  # the refused calls never reached it; each message once after
    sent_at = sms.values_list("sent_at", flat=True)
    assert min(sent_at) >= MORNING + OUTAGE and max(sent_at) <= MORNING + 2 * OUTAGE


def clock_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
