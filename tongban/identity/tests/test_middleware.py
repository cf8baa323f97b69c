"""SlidingSessionMiddleware: the idle timeout is renewed at most once a minute."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session

from tongban.identity.tests.factories import PersonAccountFactory

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_within_a_minute_write_nothing_and_later_ones_renew(client):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(PersonAccountFactory())
        client.get("/my/cases/")
        first = expiry(client)
        traveller.shift(datetime.timedelta(seconds=30))
        client.get("/my/cases/")
        assert expiry(client) == first
        traveller.shift(datetime.timedelta(seconds=31))
        client.get("/my/cases/")
        assert expiry(client) == first + datetime.timedelta(seconds=61)


def test_a_session_idle_longer_than_the_cookie_age_is_over(client, settings):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(PersonAccountFactory())
        client.get("/my/cases/")
        traveller.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/my/cases/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
