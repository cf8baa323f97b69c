"""帮办代办 booking (portal/assist.py and its pages): checked field by field, audited, shown
to the person who booked and to the clerks of the booking's center only."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client

from tongban.audit.models import AuditRecord
from tongban.catalog.tests.factories import published_item
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound, RateLimited
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    TownCenterFactory,
    UserFactory,
    VillageCenterFactory,
    WindowFactory,
    staff_with_role,
)
from tongban.portal import assist
from tongban.portal.models import AssistBooking

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role


@pytest.fixture(autouse=True)
def fresh_counters():
    """The booking budgets live in the cache: each test starts with them unused."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town():
    return TownCenterFactory(name="哑柏镇便民服务中心")


@pytest.fixture
def town_clerk(town):
    """A clerk placed at a window of the town center."""
    window = WindowFactory(center=town)
    return staff_with_role(Role.CLERK, center=town, window=window)


def valid(center, **changes) -> dict:
    values = {
        "kind": AssistBooking.Kind.HELP,
        "center": center.pk,
        "date": assist.open_days()[0].isoformat(),
        "slot": AssistBooking.Slot.MORNING,
        "name": "王秀兰",
        "phone": "13912345678",
        "note": "",
    }
    values.update(changes)
    return values


# --- the service -------------------------------------------------------------------------


def test_book_records_the_booking_and_its_audit(town):
    booking = assist.book(**valid(town, note="带孙子的户口本"))
    assert booking.number.startswith(f"BB{clock.today():%Y%m%d}") and len(booking.number) == 14
    assert booking.status == AssistBooking.Status.BOOKED and booking.user is None
    record = AuditRecord.objects.get(action="portal.assist.book")
    assert record.object_id == str(booking.pk)


def test_the_phone_is_stored_encrypted(town):
    from django.db import connection

    booking = assist.book(**valid(town))
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM portal_assistbooking WHERE id = %s", [booking.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored
    assert AssistBooking.objects.get(pk=booking.pk).phone == "13912345678"


def test_every_fault_is_reported_at_once_in_chinese():
    with pytest.raises(InvalidInput) as error:
        assist.book(kind="x", center="", date="", slot="", name="", phone="123")
    fields = error.value.fields
    assert set(fields) == {"kind", "center", "date", "slot", "name", "phone"}
    assert fields["phone"][0].startswith("请填写 11 位手机号码")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2000-01-01"}, "date"),
        ({"slot": "night"}, "slot"),
        ({"name": "王" * 51}, "name"),
        ({"phone": "1391234567"}, "phone"),
        ({"note": "长" * 501}, "note"),
        ({"item": "NO-SUCH-ITEM"}, "item"),
        ({"kind": AssistBooking.Kind.HOME, "note": ""}, "note"),  # a home visit needs where
    ],
)
def test_a_wrong_field_is_named(town, change, field):
    with pytest.raises(InvalidInput) as error:
        assist.book(**valid(town, **change))
    assert list(error.value.fields) == [field]


def test_only_working_days_within_the_window_are_open(settings):
    settings.PORTAL_ASSIST_DAYS = 30
    today = datetime.date(2026, 9, 28)  # National Day week follows
    days = assist.open_days(today)
    assert days and days[0] > today and days[-1] <= today + datetime.timedelta(days=30)
    assert all(day.weekday() < 5 or day == datetime.date(2026, 10, 10) for day in days)
    assert datetime.date(2026, 10, 1) not in days  # 国庆节
    assert datetime.date(2026, 10, 3) not in days  # a Saturday


def test_a_weekend_is_refused(town):
    day = clock.today() + datetime.timedelta(days=1)
    while day in assist.open_days():
        day += datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as error:
        assist.book(**valid(town, date=day.isoformat()))
    assert "工作日" in error.value.fields["date"][0]


def test_village_stations_are_not_offered():
    village = VillageCenterFactory()
    assert village not in assist.bookable_centers()
    with pytest.raises(InvalidInput) as error:
        assist.book(**valid(village))
    assert list(error.value.fields) == ["center"]


def test_an_item_is_named_by_code_or_in_words(town):
    item = published_item()
    chosen = assist.book(**valid(town, item=item.implementation_code, item_text="ignored"))
    assert chosen.item == item and chosen.item_text == ""
    assert chosen.item_name == item.current_guide.name
    worded = assist.book(**valid(town, item_text="给老人办养老认证"))
    assert worded.item is None and worded.item_name == "给老人办养老认证"


def test_one_phone_books_at_most_three_times_a_day(town):
    for n in range(3):
        assist.book(**valid(town, name=f"测试{n}"))

    with pytest.raises(RateLimited) as refused:
        assist.book(**valid(town, name="第四次"))

    assert "预约次数过多" in refused.value.message and refused.value.retry_after > 0
    assert AssistBooking.objects.count() == 3


def test_one_client_address_is_limited_by_the_hour(client, town, settings):
    settings.PORTAL_ASSIST_PER_IP = 2
    for n in range(2):
        client.post("/assist/", valid(town, phone=f"139000000{n:02d}"))

    refused = client.post("/assist/", valid(town, phone="13900000099"))

    assert refused.status_code == 429 and "预约次数过多" in refused.content.decode()
    assert AssistBooking.objects.count() == 2


def test_a_clerk_of_the_center_completes_it_once(town, town_clerk):
    booking = assist.book(**valid(town))
    done = assist.complete(booking, by=town_clerk)
    assert done.status == AssistBooking.Status.DONE and done.handled_by == town_clerk
    assert AuditRecord.objects.filter(action="portal.assist.complete").count() == 1
    with pytest.raises(Conflict):
        assist.cancel(done, by=town_clerk)


def test_a_clerk_elsewhere_cannot_touch_it(town):
    booking = assist.book(**valid(town))
    elsewhere = staff_with_role(Role.CLERK, center=TownCenterFactory())
    with pytest.raises(NotFound):
        assist.cancel(booking, by=elsewhere)
    assert not assist.for_staff(elsewhere).exists()


# --- the pages ---------------------------------------------------------------------------


def test_anyone_books_and_sees_the_confirmation_in_the_same_browser(client, town):
    assert client.get("/assist/").status_code == 200
    response = client.post("/assist/", valid(town))
    booking = AssistBooking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assist/{booking.number}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert booking.number in text and "139****5678" in text and "13912345678" not in text
    assert Client().get(f"/assist/{booking.number}/").status_code == 404  # another browser


def test_the_form_shows_each_error_beside_its_field(client, town):
    response = client.post("/assist/", valid(town, phone="12", name=""))
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="e-phone"' in text and 'id="e-name"' in text
    assert 'value="12"' in text  # what was typed stays
    assert not AssistBooking.objects.exists()


def test_a_signed_in_person_finds_the_form_filled_and_the_booking_later(client, town):
    person = UserFactory(last_name="李", first_name="建国", phone="13700001111")
    client.force_login(person)
    text = client.get("/assist/").content.decode()
    assert 'value="李建国"' in text and 'value="13700001111"' in text
    client.post("/assist/", valid(town, name="李建国", phone="13700001111"))
    booking = AssistBooking.objects.get()
    assert booking.user == person
    later = Client()
    later.force_login(person)
    assert later.get(f"/assist/{booking.number}/").status_code == 200
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/assist/{booking.number}/").status_code == 404


def test_clerks_see_their_centers_bookings_and_mark_one_done(client, town, town_clerk):
    mine = assist.book(**valid(town))
    other = assist.book(**valid(TownCenterFactory()))
    verified_login(client, town_clerk)
    page = client.get("/workbench/assist/")
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.number in text and other.number not in text
    response = client.post(
        "/workbench/assist/", {"number": mine.number, "action": "done"}, follow=True
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.status == AssistBooking.Status.DONE and mine.handled_by == town_clerk
    assert f"预约 {mine.number} 已完成" in response.content.decode()
    client.post("/workbench/assist/", {"number": other.number, "action": "done"})
    other.refresh_from_db()
    assert other.status == AssistBooking.Status.BOOKED


def test_the_list_is_paginated_and_filtered(client, town, town_clerk, settings):
    from tongban.portal import assist_views

    for n in range(assist_views.PER_PAGE + 1):
        assist.book(**valid(town, name=f"测试{n}", phone=f"139123456{n:02d}"))
    verified_login(client, town_clerk)
    first = client.get("/workbench/assist/")
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == assist_views.PER_PAGE
    assert len(client.get("/workbench/assist/?page=2").context["page"].object_list) == 1
    assert not client.get("/workbench/assist/?status=done").context["page"].object_list


def test_the_list_is_for_clerks(client):
    verified_login(client, staff_with_role(Role.APPROVER))
    assert client.get("/workbench/assist/").status_code == 403
    client.logout()
    assert client.get("/workbench/assist/").status_code == 302  # to the staff sign-in


def test_the_list_runs_a_fixed_number_of_queries(
    client, town, town_clerk, django_assert_max_num_queries
):
    item = published_item()
    for n in range(5):
        assist.book(
            **valid(town, name=f"测试{n}", phone=f"139123456{n:02d}", item=item.implementation_code)
        )
    verified_login(client, town_clerk)
    client.get("/workbench/assist/")
    with django_assert_max_num_queries(20):
        assert client.get("/workbench/assist/").status_code == 200


def test_admin_is_read_only_for_the_centers_clerks(client, town, town_clerk):
    booking = assist.book(**valid(town))
    verified_login(client, town_clerk)
    listing = client.get("/admin/portal/assistbooking/")
    assert listing.status_code == 200 and booking.number in listing.content.decode()
    change = client.get(f"/admin/portal/assistbooking/{booking.pk}/change/")
    assert change.status_code == 200
    assert "139****5678" in change.content.decode()  # masked in the admin
    assert "13912345678" not in change.content.decode()
    assert client.get("/admin/portal/assistbooking/add/").status_code == 403
