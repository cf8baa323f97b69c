import datetime

import pytest
from django.db import connection
from django.test import override_settings

from tongban.errors import InvalidInput
from tongban.notify import services, tasks
from tongban.notify.models import Channel, Message
from tongban.notify.tests.conftest import MORNING, PHONE
from tongban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@override_settings(TASKS=DUMMY)
def test_send_stores_first_and_enqueues_after_commit(notice, django_capture_on_commit_callbacks):
    user = UserFactory(email="wangli@example.cn")
    backend = tasks.deliver_message.get_backend()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        messages = services.send(user, "case.accepted", notice, address=PHONE)
        assert Message.objects.count() == 3 and backend.results == []
    assert len(callbacks) == 2  # SMS and e-mail; the in-app message is delivered already
    by_channel = {m.channel: m for m in messages}
    assert by_channel[Channel.IN_APP].status == Message.Status.DELIVERED
    assert by_channel[Channel.SMS].address == PHONE
    assert by_channel[Channel.EMAIL].address == "wangli@example.cn"
    assert sorted(r.args[0] for r in backend.results) == sorted(
        m.pk for m in messages if m.channel != Channel.IN_APP
    )


def test_phones_and_email_addresses_are_not_readable_in_the_table(notice):
    user = UserFactory(email="wangli@example.cn")
    services.send(user, "case.accepted", notice, address=PHONE)

    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM notify_message WHERE address <> ''")
        raw = [value for (value,) in cursor.fetchall()]
    assert len(raw) == 2
    assert all(value.startswith("v1:") for value in raw)
    assert not any(PHONE in value or "wangli" in value for value in raw)
    assert Message.objects.get(channel=Channel.SMS).address == PHONE


def test_the_inbox_tracks_read_and_unread(notice):
    user, other = UserFactory(), UserFactory()
    [first] = services.send(user, "case.accepted", notice, channels=[Channel.IN_APP])
    services.send(user, "case.accepted", notice, channels=[Channel.IN_APP])
    assert services.unread_count(user) == 2 and services.unread_count(other) == 0
    services.mark_read(user, first.pk)
    assert services.unread_count(user) == 1
    assert [m.pk for m in services.inbox(user, unread_only=True)] != [first.pk]
    with pytest.raises(services.NotFound):
        services.mark_read(other, first.pk)


def test_the_same_key_gives_the_same_messages(notice):
    user = UserFactory()
    first = services.send(user, "case.accepted", notice, idempotency_key="case:1:accepted")
    again = services.send(user, "case.accepted", notice, idempotency_key="case:1:accepted")
    assert [m.pk for m in first] == [m.pk for m in again]
    assert Message.objects.count() == 1


def test_a_missing_variable_stores_nothing(notice):
    with pytest.raises(InvalidInput) as caught:
        services.send(UserFactory(), "case.accepted", {"姓名": "王丽"}, address=PHONE)
    assert "事项" in caught.value.fields["context"][0]
    assert not Message.objects.exists()


def test_a_channel_without_an_address_is_refused_when_asked_for(notice):
    with pytest.raises(InvalidInput):
        services.send(UserFactory(), "case.accepted", notice, channels=[Channel.SMS])


@override_settings(TASKS=DUMMY)
def test_quiet_hours_defer_sms_but_not_urgent_ones(notice, clock):
    clock.move_to(MORNING.replace(hour=23))
    [late] = services.send(None, "case.accepted", notice, address=PHONE)
    [urgent] = services.send(None, "case.accepted", notice, address=PHONE, urgent=True)
    assert late.next_attempt_at == MORNING.replace(hour=8) + datetime.timedelta(days=1)
    assert urgent.next_attempt_at == MORNING.replace(hour=23)


@override_settings(TASKS=DUMMY, NOTIFY_SMS_PER_HOUR=5)
def test_the_rate_limit_defers_and_never_drops(notice, clock):
    sent = [services.send(None, "case.accepted", notice, address=PHONE)[0] for _ in range(7)]
    times = [m.next_attempt_at for m in sent]
    assert times[:5] == [MORNING] * 5
    assert times[5] == times[6] == MORNING + datetime.timedelta(hours=1)
    other = services.send(None, "case.accepted", notice, address="13900002222")[0]
    assert other.next_attempt_at == MORNING
