"""/api/v1/logistics: own waybills for applicants, the department's for staff."""

import datetime

import pytest
import time_machine

from tongban.cases.tests.factories import applicant_person, approver_of, clerk_of
from tongban.identity.tests.helpers import verified_login
from tongban.logistics import services
from tongban.logistics.tests.factories import CHINA, filed_case, posted_case
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db
LIST = "/api/v1/logistics/waybills"


@pytest.fixture
def shipped(courier):
    """Two posted cases of two departments, shipped; the first one picked up."""
    first, second = posted_case(), posted_case()
    waybill = services.ship_result(first)
    courier.advance(waybill.number, "picked_up")
    services.refresh(waybill)
    services.ship_result(second)
    return first, second


def test_an_applicant_lists_only_their_own_waybills(client, shipped):
    first, _second = shipped
    client.force_login(first.applicant)
    rows = client.get(LIST).json()["results"]
    assert [row["case_number"] for row in rows] == [first.number]
    assert rows[0]["status"] == "picked_up" and rows[0]["paid_by"] == "county"
    assert "*" in rows[0]["recipient"]  # masked


def test_a_clerk_lists_their_departments_waybills(client, shipped):
    first, _second = shipped
    verified_login(client, clerk_of(first.item))
    assert [row["case_number"] for row in client.get(LIST).json()["results"]] == [first.number]


def test_finance_staff_list_every_department(client, shipped):
    verified_login(client, staff_with_role(StaffMembership.Role.FINANCE))
    assert len(client.get(LIST).json()["results"]) == 2


def test_staff_without_a_logistics_role_are_refused(client, shipped):
    verified_login(client, staff_with_role(StaffMembership.Role.CATALOG_ADMIN))
    assert client.get(LIST).status_code == 403


def test_the_list_pages_by_cursor_in_few_queries(client, courier, django_assert_max_num_queries):
    case = posted_case()
    clerk = clerk_of(case.item)
    waybill = services.ship_result(case)
    for _ in range(2):
        services.resend(services.cancel(waybill, by=clerk), by=clerk)
        waybill = case.waybills.order_by("-pk").first()
    verified_login(client, clerk)
    with django_assert_max_num_queries(12):
        page = client.get(LIST, {"limit": 2}).json()
    assert len(page["results"]) == 2 and page["next_cursor"]
    rest = client.get(LIST, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert len(rest["results"]) == 1 and rest["next_cursor"] is None
    filtered = client.get(LIST, {"status": "cancelled"}).json()["results"]
    assert {row["status"] for row in filtered} == {"cancelled"} and len(filtered) == 2
    assert client.get(LIST, {"status": "lost"}).status_code == 422


def test_a_waybill_with_its_events_newest_first(client, shipped):
    first, _second = shipped
    waybill = first.waybills.get()
    client.force_login(first.applicant)
    found = client.get(f"{LIST}/{waybill.number}").json()
    assert found["reference"] == waybill.reference
    assert [event["code"] for event in found["events"]] == ["PICKED_UP"]
    assert client.get(f"{LIST}/{waybill.reference}").status_code == 200


def test_someone_elses_waybill_is_not_found(client, shipped):
    first, second = shipped
    client.force_login(second.applicant)
    assert client.get(f"{LIST}/{first.waybills.get().number}").status_code == 404
    verified_login(client, approver_of(second.item))
    assert client.get(f"{LIST}/{first.waybills.get().number}").status_code == 404


def test_an_applicant_books_a_collection(client, courier):
    case = filed_case()
    client.force_login(case.applicant)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA), tick=False):
        answer = client.post(
            "/api/v1/logistics/collections",
            {
                "case_number": case.number,
                "name": "王小明",
                "phone": "13912345678",
                "province": "陕西省",
                "city": "西安市",
                "county": "周至县",
                "detail": "哑柏镇东街村3组",
                "start": "2026-03-03T09:00:00+08:00",
                "end": "2026-03-03T11:00:00+08:00",
            },
            content_type="application/json",
        )
    assert answer.status_code == 201, answer.content
    assert answer.json()["kind"] == "collection" and answer.json()["status"] == "booked"


def test_a_bad_collection_gets_its_fields_named(client, courier):
    case = filed_case()
    client.force_login(case.applicant)
    answer = client.post(
        "/api/v1/logistics/collections",
        {
            "case_number": case.number,
            "name": "王小明",
            "phone": "1",
            "province": "",
            "city": "西安市",
            "county": "周至县",
            "detail": "哑柏镇东街村3组",
            "start": "2020-01-01T09:00:00+08:00",
            "end": "2020-01-01T11:00:00+08:00",
        },
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert {"phone", "province", "start"} <= set(answer.json()["fields"])


def test_a_collection_for_an_unknown_case_is_not_found(client, courier):
    client.force_login(applicant_person())
    answer = client.post(
        "/api/v1/logistics/collections",
        {
            "case_number": "NOPE",
            "name": "王小明",
            "phone": "13912345678",
            "province": "陕西省",
            "city": "西安市",
            "county": "周至县",
            "detail": "哑柏镇东街村3组",
            "start": "2026-03-03T09:00:00+08:00",
            "end": "2026-03-03T11:00:00+08:00",
        },
        content_type="application/json",
    )
    assert answer.status_code == 404
