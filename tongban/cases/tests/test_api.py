"""The public working-day calendar: GET /api/v1/calendar/due-date."""

import pytest

from tongban.cases import schedules

URL = "/api/v1/calendar/due-date"
pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_the_due_date_over_national_day(client):
    answer = client.get(URL, {"start": "2026-09-30", "working_days": 3})

    assert answer.status_code == 200
    assert answer.json() == {"due": "2026-10-10", "provisional": False, "unknown_years": []}


def test_spring_festival_and_its_adjusted_saturday(client):
    assert client.get(URL, {"start": "2026-02-13", "working_days": 2}).json()["due"] == "2026-02-24"
    assert client.get(URL, {"start": "2026-02-13", "working_days": 6}).json()["due"] == "2026-02-28"


def test_a_year_nobody_entered_is_flagged(client):
    body = client.get(URL, {"start": "2026-12-25", "working_days": 10}).json()

    assert body["provisional"] is True and body["unknown_years"] == [2027]


def test_an_entered_year_is_used(client):
    schedules.enter_schedule(
        year=2027, holidays=schedules.parse_dates("2027-01-01~2027-01-03"), workdays=[], by=None
    )
    body = client.get(URL, {"start": "2026-12-31", "working_days": 1}).json()

    assert body == {"due": "2027-01-04", "provisional": False, "unknown_years": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01", "working_days": 3}, "start"),
        ({"start": "2026-09-30", "working_days": -1}, "working_days"),
        ({"start": "2026-09-30", "working_days": 100000}, "working_days"),
        ({"start": "2026-09-30"}, "working_days"),
        ({"start": "9999-12-30", "working_days": 3650}, "start"),
    ],
)
def test_bad_input_is_refused_field_by_field(client, params, field):
    answer = client.get(URL, params)

    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid"
    assert any(name.endswith(field) for name in body["fields"]), body["fields"]
