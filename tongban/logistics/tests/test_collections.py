"""上门收件: the applicant (or a clerk) books a courier to collect paper materials."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tongban.cases.models import CaseEvent
from tongban.cases.tests.factories import applicant_person, clerk_of
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity.tests.helpers import verified_login
from tongban.logistics import addresses, services
from tongban.logistics.models import Kind, Status, Waybill
from tongban.logistics.tests.factories import CHINA, filed_case, posted_case
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db
MONDAY_9AM = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)
HOME = addresses.parse("周至县哑柏镇东街村3组")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


def tomorrow(start: int, end: int):
    day = MONDAY_9AM + datetime.timedelta(days=1)
    return day.replace(hour=start), day.replace(hour=end)


def book(case, by=None, **overrides):
    start, end = tomorrow(9, 11)
    values = {"name": "王小明", "phone": "13912345678", "address": HOME}
    values.update(start=start, end=end)
    values.update(overrides)
    return services.book_collection(case, by=by or case.applicant, **values)


def test_the_applicant_books_a_courier_to_their_door(courier):
    case = filed_case()
    waybill = book(case)
    assert (waybill.kind, waybill.status, waybill.problem) == (Kind.COLLECTION, Status.BOOKED, "")
    sent = courier.waybills[waybill.number]
    assert sent["kind"] == "collection"
    assert sent["sender"]["detail"] == "哑柏镇东街村3组"
    assert sent["recipient"]["name"] == "周至县政务服务中心"
    assert sent["pickup"]["start"].startswith("2026-03-03T09:00")
    assert sent["payer"] == "recipient"  # the center pays: free to the applicant


def test_the_arrival_of_the_materials_is_recorded_on_the_case(courier):
    case = filed_case()
    waybill = book(case)
    courier.advance(waybill.number, "picked_up")
    courier.advance(waybill.number, "delivered")
    services.refresh(waybill)
    case.refresh_from_db()
    assert case.status == "submitted"  # the status is the case's own business
    assert CaseEvent.objects.get(case=case, verb="collect").note.endswith(waybill.number)
    assert Message.objects.filter(template_code="logistics.collected").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": MONDAY_9AM + datetime.timedelta(minutes=30)}, "start"),
        ({"start": MONDAY_9AM + datetime.timedelta(days=8)}, "start"),
        (dict(zip(("start", "end"), tomorrow(9, 9), strict=True)), "end"),
        (dict(zip(("start", "end"), tomorrow(19, 21), strict=True)), "end"),
        ({"phone": "12345"}, "phone"),
        ({"address": addresses.parse("周至县文昌路88号")}, "detail"),
    ],
)
def test_a_bad_booking_is_refused_field_by_field(courier, change, field):
    with pytest.raises(InvalidInput) as caught:
        book(filed_case(), **change)
    assert field in caught.value.fields
    assert not Waybill.objects.exists()


def test_one_open_collection_per_case(courier):
    case = filed_case()
    book(case)
    with pytest.raises(Conflict):
        book(case)


def test_a_concluded_case_takes_no_materials(courier):
    with pytest.raises(Conflict):
        book(posted_case())


def test_someone_else_cannot_book_for_the_case(courier):
    with pytest.raises(NotFound):
        book(filed_case(), by=applicant_person())


def test_a_clerk_books_for_the_applicant(courier):
    case = filed_case()
    waybill = book(case, by=clerk_of(case.item))
    assert waybill.status == Status.BOOKED and waybill.created_by


def test_the_booking_page_books_and_shows_the_waybill(client, courier):
    case = filed_case()
    client.force_login(case.applicant)
    url = reverse("logistics:collect", kwargs={"number": case.number})
    form = client.get(url)
    assert form.status_code == 200 and "预约上门收件" in form.content.decode()
    answer = client.post(
        url,
        {
            "name": "王小明",
            "phone": "13912345678",
            "province": "陕西省",
            "city": "西安市",
            "county": "周至县",
            "detail": "哑柏镇东街村3组",
            "day": "2026-03-03",
            "start": "09:00",
            "end": "11:00",
        },
        follow=True,
    )
    page = answer.content.decode()
    assert answer.status_code == 200 and "已预约上门收件" in page
    assert Waybill.objects.get().number in page


def test_the_booking_page_shows_errors_next_to_the_fields(client, courier):
    case = filed_case()
    client.force_login(case.applicant)
    url = reverse("logistics:collect", kwargs={"number": case.number})
    form = {"name": "王小明", "phone": "1391234", "day": "2026-03-03"}
    answer = client.post(url, {**form, "start": "09:00", "end": "11:00"})
    page = answer.content.decode()
    assert answer.status_code == 422
    assert "手机号码应为以1开头的11位数字" in page and "请填写详细地址" in page


def test_staff_book_through_the_page_once_verified(client, courier):
    case = filed_case()
    clerk = clerk_of(case.item)
    verified_login(client, clerk)
    url = reverse("logistics:collect", kwargs={"number": case.number})
    assert client.get(url).status_code == 200
