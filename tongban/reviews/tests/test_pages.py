"""The reviews pages through the test client: the applicant's rating, the window pad, the
rectification desk and its steps, the supervisor's appeals, the reviewer's page, the public
statistics."""

import pytest
from django.test import Client
from django.urls import reverse

from tongban.cases.tests.factories import applicant_person
from tongban.identity.tests.helpers import verified_login
from tongban.org.tests.factories import DepartmentFactory
from tongban.reviews import services
from tongban.reviews.models import Rectification, Review
from tongban.reviews.tests.factories import Role, concluded, handler, supervisor, town_window

pytestmark = pytest.mark.django_db
S = Rectification.Status


def person(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


@pytest.fixture
def case():
    return concluded()


@pytest.fixture
def rect(case):
    review = services.rate(case.applicant, case=case, level=2, channel="web", comment="等太久")
    return review.rectification


def test_the_applicant_rates_the_case_once_from_its_page(case):
    client = person(case.applicant)
    url = reverse("reviews:case", args=[case.number])
    assert "提交评价" in client.get(url).content.decode()
    answer = client.post(url, {"level": "1", "score_efficiency": "1", "comment": "太慢"})
    assert answer.status_code == 302
    review = Review.objects.get(case=case)
    assert (review.level, review.scores, review.real_name) == (
        1,
        {"efficiency": 1, "overall": 1},
        True,
    )
    page = client.get(url).content.decode()
    assert "提交评价" not in page and "待回访" in page


def test_the_rating_form_says_what_is_wrong(case):
    answer = person(case.applicant).post(reverse("reviews:case", args=[case.number]), {})
    assert answer.status_code == 422
    assert "请选择评价等级" in answer.content.decode()


def test_another_person_cannot_open_the_rating_page(case):
    client = person(applicant_person())
    assert client.get(reverse("reviews:case", args=[case.number])).status_code == 404


def test_the_window_pad_takes_an_anonymous_rating_without_sign_in():
    window, clerk = town_window()
    client = Client()
    url = reverse("reviews:window", args=[window.pk])
    assert "请对本次窗口服务进行评价" in client.get(url).content.decode()
    answer = client.post(url, {"level": "5", "score_attitude": "5", "via": "qr"})
    assert answer.status_code == 302 and "done=1" in answer["Location"]
    review = Review.objects.get()
    assert (review.channel, review.staff, review.real_name) == ("qr", clerk, False)


def test_the_departments_clerk_works_the_rectification_from_the_desk(rect):
    clerk = handler(rect.department)
    client = staff(clerk)
    listing = client.get(reverse("reviews:desk")).content.decode()
    assert reverse("reviews:rectification", args=[rect.pk]) in listing
    url = reverse("reviews:rectification", args=[rect.pk])
    assert "回访核实" in client.get(url).content.decode()
    answer = client.post(url, {"action": "visit_back", "note": "已电话回访"})
    assert answer.status_code == 302
    rect.refresh_from_db()
    assert rect.status == S.VISITED
    refused = client.post(url, {"action": "visit_back", "note": ""})
    assert refused.status_code == 409


def test_another_departments_clerk_neither_lists_nor_opens_it(rect):
    client = staff(handler(DepartmentFactory()))
    listing = client.get(reverse("reviews:desk")).content.decode()
    assert reverse("reviews:rectification", args=[rect.pk]) not in listing
    assert client.get(reverse("reviews:rectification", args=[rect.pk])).status_code == 404


def test_the_supervisor_finds_the_appeal_and_rereviews_it(rect, case):
    services.appeal(rect, by=handler(rect.department, Role.DEPT_ADMIN), note="恶意差评")
    client = staff(supervisor())
    queue = client.get(reverse("reviews:appeals")).content.decode()
    assert "恶意差评" in queue
    url = reverse("reviews:rectification", args=[rect.pk])
    client.post(url, {"action": "rereview", "outcome": "malicious", "note": "属实"})
    rect.refresh_from_db()
    assert rect.status == S.CLOSED and rect.review.excluded == "malicious"


def test_a_clerk_cannot_open_the_appeal_queue():
    assert staff(handler(DepartmentFactory())).get(reverse("reviews:appeals")).status_code == 403


def test_the_reviewer_accepts_the_feedback_on_their_page(rect, case):
    clerk = handler(rect.department)
    services.visit_back(rect, by=clerk, note="已回访")
    services.rectify(rect, by=clerk, note="已改")
    services.feed_back(rect, by=clerk, note="已改进排队叫号")
    client = person(case.applicant)
    url = reverse("reviews:mine", args=[rect.pk])
    assert "已改进排队叫号" in client.get(url).content.decode()
    client.post(url, {"action": "accept"})
    rect.refresh_from_db()
    assert rect.status == S.ACCEPTED
    assert person(applicant_person()).get(url).status_code == 404


def test_the_statistics_page_is_public(rect):
    page = Client().get(reverse("reviews:stats")).content.decode()
    assert rect.department.name in page and "0.0%" in page


def test_the_review_panel_links_a_concluded_case_to_its_rating(case, rf):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = case.applicant
    html = Template("{% load reviews %}{% review_panel case %}").render(
        Context({"case": case, "request": request})
    )
    assert reverse("reviews:case", args=[case.number]) in html
