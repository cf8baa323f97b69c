"""Working days: the State Council's 2026 schedule, administrator-entered years, the flag for
unknown years, and the clock stopped by suspensions."""

import datetime
import io

import pytest
from openpyxl import Workbook

from tongban.audit.models import AuditRecord
from tongban.cases import schedules, workdays
from tongban.cases.models import HolidaySchedule
from tongban.errors import InvalidInput
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

D = datetime.date
pytestmark = pytest.mark.django_db


# --- 2026 from chinese-calendar ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # National Day + Mid-autumn: 10-01..10-07 off, Saturday 10-10 worked.
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 30), 10, D(2026, 10, 20)),
        # Sunday 09-20 is an adjusted workday.
        (D(2026, 9, 19), 1, D(2026, 9, 20)),
        # Spring Festival: Saturday 02-14 worked, 02-15..02-23 off, Saturday 02-28 worked.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        # 0 working days: due the same day (即办).
        (D(2026, 10, 3), 0, D(2026, 10, 3)),
    ],
)
def test_due_dates_follow_the_2026_schedule(start, days, due):
    assert workdays.due_date(start, days) == due
    assert not workdays.due(start, days).provisional


def test_the_day_of_acceptance_is_not_counted():
    assert workdays.due_date(D(2026, 11, 2), 1) == D(2026, 11, 3)
    assert workdays.working_days_between(D(2026, 11, 2), D(2026, 11, 2)) == 0


def test_working_days_between_skips_holidays_and_counts_adjusted_workdays():
    # 10-08, 10-09, 10-10 (Saturday worked) and 10-12.
    assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert workdays.is_workday(D(2026, 10, 10))
    assert not workdays.is_workday(D(2026, 10, 5))


# --- years nobody knows, and years an administrator entered --------------------------------------


def test_a_due_date_reaching_an_unknown_year_is_flagged():
    found = workdays.due(D(2026, 12, 25), 10)

    assert found.provisional
    assert found.unknown_years == (2027,)
    with pytest.raises(workdays.UnknownYear) as raised:
        workdays.due_date(D(2026, 12, 25), 10)
    assert "2027年" in raised.value.message
    with pytest.raises(workdays.UnknownYear):
        workdays.working_days_between(D(2026, 12, 25), D(2027, 1, 15))


def test_within_a_known_year_nothing_is_flagged():
    assert not workdays.due(D(2026, 12, 1), 20).provisional
    assert workdays.due_date(D(2026, 12, 1), 20) == D(2026, 12, 29)


def enter_2027(by=None):
    # A made-up schedule (the real one is published in November): New Year 01-01..01-03,
    # Spring Festival 02-06..02-12, Saturday 02-13 worked.
    return schedules.enter_schedule(
        year=2027,
        holidays=schedules.parse_dates("2027-01-01~2027-01-03\n2027-02-06~2027-02-12"),
        workdays=[D(2027, 2, 13)],
        by=by,
    )


def test_an_entered_schedule_for_a_new_year_takes_effect():
    assert workdays.due(D(2027, 2, 5), 1).provisional
    enter_2027()

    # 02-06..02-12 off, Saturday 02-13 worked.
    assert workdays.due(D(2027, 2, 5), 1) == workdays.Due(D(2027, 2, 13))
    assert workdays.due_date(D(2027, 2, 5), 2) == D(2027, 2, 15)
    # Across the year end: 12-31 (Thursday), then 01-01..01-03 off; 01-04 is a Monday.
    assert workdays.due_date(D(2026, 12, 30), 2) == D(2027, 1, 4)


def test_an_entered_2028_schedule_takes_effect_with_2027_still_unknown():
    schedules.enter_schedule(year=2028, holidays=[D(2028, 1, 3)], workdays=[D(2028, 1, 8)], by=None)
    assert workdays.due_date(D(2028, 1, 2), 1) == D(2028, 1, 4)
    assert workdays.due_date(D(2028, 1, 7), 1) == D(2028, 1, 8)
    assert workdays.due(D(2027, 12, 30), 2).unknown_years == (2027,)


def test_entered_rows_win_over_the_library():
    # Declare Friday 2026-10-09 a holiday (a correction the library does not know yet).
    schedules.enter_schedule(year=2026, holidays=[D(2026, 10, 9)], workdays=[], by=None)

    assert workdays.due_date(D(2026, 9, 30), 2) == D(2026, 10, 10)


def test_entering_a_year_again_replaces_it_and_is_audited():
    sysadmin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    enter_2027(by=sysadmin)
    schedules.enter_schedule(year=2027, holidays=[D(2027, 1, 1)], workdays=[], by=sysadmin)

    assert list(HolidaySchedule.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]
    records = AuditRecord.objects.filter(action="cases.holiday_schedule.enter")
    assert records.count() == 2
    assert records.last().changes["rows"] == [11, 1]


def test_a_schedule_with_dates_of_another_year_or_listed_twice_is_refused():
    with pytest.raises(InvalidInput) as raised:
        schedules.enter_schedule(
            year=2027, holidays=[D(2026, 10, 1), D(2027, 2, 6)], workdays=[D(2027, 2, 6)], by=None
        )
    assert set(raised.value.fields) == {"holidays", "workdays"}
    assert not HolidaySchedule.objects.exists()


def test_parse_dates_reads_ranges_and_reports_what_it_cannot_read():
    assert schedules.parse_dates("2027-10-01 至 2027-10-03, 2027-09-26") == [
        D(2027, 9, 26),
        D(2027, 10, 1),
        D(2027, 10, 2),
        D(2027, 10, 3),
    ]
    with pytest.raises(InvalidInput) as raised:
        schedules.parse_dates("2027-02-30 tomorrow", field="holidays")
    assert "2027-02-30" in raised.value.fields["holidays"][0]


def test_read_workbook():
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "类型"])
    sheet.append([datetime.datetime(2027, 1, 1), "放假"])
    sheet.append(["2027-02-13", "上班"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)

    assert schedules.read_workbook(buffer) == ([D(2027, 1, 1)], [D(2027, 2, 13)])


# --- the clock stopped ---------------------------------------------------------------------------


def test_a_suspension_stops_the_clock_from_its_first_day_to_the_day_before_resuming():
    # Accepted Monday 11-02; suspended Wednesday 11-04, resumed Friday 11-06: 11-04 and
    # 11-05 do not count, so 5 working days end on 11-11 instead of 11-09.
    stops = [(D(2026, 11, 4), D(2026, 11, 6))]
    assert workdays.due(D(2026, 11, 2), 5).date == D(2026, 11, 9)
    assert workdays.due(D(2026, 11, 2), 5, stops).date == D(2026, 11, 11)
    assert workdays.working_days_between(D(2026, 11, 2), D(2026, 11, 11), stops) == 5


def test_working_days_out_of_range_are_refused():
    with pytest.raises(InvalidInput):
        workdays.due(D(2026, 11, 2), -1)


# --- the admin page ------------------------------------------------------------------------------


def test_an_administrator_enters_a_year_in_the_admin(client):
    sysadmin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    verified_login(client, sysadmin)

    page = client.get("/admin/cases/holidayschedule/enter/")
    assert page.status_code == 200
    answer = client.post(
        "/admin/cases/holidayschedule/enter/",
        {"year": 2027, "holidays": "2027-01-01~2027-01-03", "workdays": ""},
    )

    assert answer.status_code == 302
    assert HolidaySchedule.objects.filter(year=2027).count() == 3
    assert AuditRecord.objects.filter(
        action="cases.holiday_schedule.enter", actor=sysadmin
    ).exists()
    listing = client.get("/admin/cases/holidayschedule/")
    assert "录入年度节假日安排" in listing.content.decode()


def test_the_admin_shows_errors_and_enters_nothing(client):
    verified_login(client, staff_with_role(StaffMembership.Role.SYSTEM_ADMIN))

    answer = client.post(
        "/admin/cases/holidayschedule/enter/", {"year": 2027, "holidays": "2026-01-01"}
    )

    assert answer.status_code == 200
    assert "不属于2027年" in answer.content.decode()
    assert not HolidaySchedule.objects.exists()


def test_a_clerk_cannot_enter_a_schedule(client):
    verified_login(client, staff_with_role(StaffMembership.Role.CLERK))

    answer = client.post(
        "/admin/cases/holidayschedule/enter/", {"year": 2027, "holidays": "2027-01-01"}
    )

    assert answer.status_code == 403
    assert not HolidaySchedule.objects.exists()
