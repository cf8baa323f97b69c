"""The reviews API: a person rates a case, the public statistics, the staff's ledger."""

import pytest
from django.test import Client

from tongban.identity.tests.helpers import verified_login
from tongban.org.tests.factories import DepartmentFactory
from tongban.reviews import services
from tongban.reviews.tests.factories import concluded, handler, supervisor

pytestmark = pytest.mark.django_db


def test_a_person_rates_their_case_and_a_bad_rating_opens_a_rectification():
    case = concluded()
    client = Client()
    client.force_login(case.applicant)
    body = {"case_number": case.number, "level": 2, "scores": {"usability": 2}, "comment": "卡"}
    answer = client.post("/api/v1/reviews", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["rectification_id"] is not None
    again = client.post("/api/v1/reviews", body, content_type="application/json")
    assert again.status_code == 409


def test_a_wrong_level_is_a_422_naming_the_field():
    case = concluded()
    client = Client()
    client.force_login(case.applicant)
    body = {"case_number": case.number, "level": 0}
    answer = client.post("/api/v1/reviews", body, content_type="application/json")
    assert answer.status_code == 422 and "level" in answer.json()["fields"]


def test_statistics_are_public():
    case = concluded()
    services.rate(case.applicant, case=case, level=5, channel="web")
    (row,) = Client().get("/api/v1/reviews/stats").json()
    assert (row["reviews"], row["satisfaction"]) == (1, 100.0)


def test_staff_list_their_departments_rectifications_page_by_page(django_assert_max_num_queries):
    first, second = concluded(), concluded()
    second_department = DepartmentFactory()
    for case in (first, second):
        services.rate(case.applicant, case=case, level=1, channel="web", comment="差")
    client = Client()
    verified_login(client, handler(first.department))
    with django_assert_max_num_queries(12):
        found = client.get("/api/v1/reviews/rectifications").json()
    assert [row["case_number"] for row in found["results"]] == [first.number]
    other = Client()
    verified_login(other, handler(second_department))
    assert other.get("/api/v1/reviews/rectifications").json()["results"] == []
    boss = Client()
    verified_login(boss, supervisor())
    page = boss.get("/api/v1/reviews/rectifications", {"limit": 1}).json()
    assert len(page["results"]) == 1 and page["next_cursor"]
