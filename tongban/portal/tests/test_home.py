"""The home page's live blocks (portal/home.py): hot items from the last 90 days' cases, life
events, departments with their item counts, and a signed-in person's pending cases and unread
messages, all in a fixed number of queries."""

import datetime
import uuid

import pytest
import time_machine
from django.core.cache import cache

from tongban.bundles.models import Bundle
from tongban.cases.models import Case, Status
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.core import clock
from tongban.notify import services as notify
from tongban.notify.models import Channel, Message
from tongban.org.tests.factories import DepartmentFactory, StaffFactory
from tongban.portal import home

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def message_for(user, subject="您的办件有新进展"):
    return Message.objects.create(
        recipient=user,
        channel=Channel.IN_APP,
        template_code="test",
        template_version=1,
        subject=subject,
        body=subject,
        status=Message.Status.DELIVERED,
        created_at=clock.now(),
        idempotency_key=uuid.uuid4().hex,
    )


def test_without_cases_the_fixed_hot_items_are_shown(client):
    page = client.get("/").content.decode()

    assert home.hot_items() == []
    assert "热门事项" in page and "?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" in page  # 营业执照


def test_hot_items_are_the_items_with_most_cases_in_the_last_90_days(client):
    busy, quiet, old = form_item(name="食品经营许可"), form_item(name="高龄津贴"), form_item()
    person = applicant_person()
    for _ in range(3):
        file_case(busy, person)
    file_case(quiet, person)
    with time_machine.travel(clock.now() - datetime.timedelta(days=120), tick=False):
        for _ in range(5):
            file_case(old, person)  # more cases, but long ago

    hot = home.hot_items()

    assert [(h["code"], h["cases"]) for h in hot] == [
        (busy.implementation_code, 3),
        (quiet.implementation_code, 1),
    ]
    page = client.get("/").content.decode()
    assert f'href="/items/{busy.implementation_code}/">食品经营许可</a>' in page
    assert page.index("食品经营许可") < page.index("高龄津贴")


def test_hot_items_leave_out_items_no_longer_in_force():
    item = form_item()
    file_case(item, applicant_person())
    item.is_active = False
    item.save(update_fields=["is_active"])

    assert home.hot_items() == []


def test_departments_show_their_items_in_force_and_link_to_the_catalog(client):
    department = DepartmentFactory(short_name="市场监管局", code="scjgj")
    form_item(department=department)
    form_item(department=department)
    DepartmentFactory(short_name="无事项局")

    page = client.get("/").content.decode()

    assert home.departments() == [{"code": "scjgj", "short_name": "市场监管局", "n": 2}]
    assert 'href="/items/?by=department&amp;department=scjgj"' in page
    assert "2 项" in page and "无事项局" not in page


def test_life_events_list_the_published_bundles(client):
    Bundle.objects.create(code="chusheng", name="出生一件事", promised_days=5, status="published")
    Bundle.objects.create(code="caogao", name="草稿一件事", promised_days=5)

    page = client.get("/").content.decode()

    assert 'href="/bundles/chusheng/"' in page and "出生一件事" in page
    assert "草稿一件事" not in page


def test_a_signed_in_person_sees_pending_cases_and_unread_count(client):
    item = form_item(name="城乡居民养老保险")
    person = applicant_person()
    cases = [file_case(item, person) for _ in range(6)]
    done = cases[0]
    Case.objects.filter(pk=done.pk).update(status=Status.CONCLUDED)
    other = file_case(item, applicant_person())
    message_for(person)
    message_for(person)
    client.force_login(person)

    response = client.get("/")

    page = response.content.decode()
    mine = response.context["mine"]
    assert [c.number for c in mine["pending"]] == [c.number for c in reversed(cases[1:])]
    for case in cases[1:]:
        assert f'href="/my/cases/{case.number}/"' in page
    assert done.number not in page and other.number not in page
    assert mine["unread"] == notify.unread_count(person) >= 2
    assert f"未读消息 <strong>{mine['unread']}</strong> 条" in page
    assert 'href="/my/messages/"' in page


def test_pending_cases_leave_out_ended_ones_and_say_so_when_none(client):
    item = form_item()
    person = applicant_person()
    for status in (Status.REFUSED, Status.WITHDRAWN, Status.DELIVERED):
        Case.objects.filter(pk=file_case(item, person).pk).update(status=status)
    client.force_login(person)

    page = client.get("/").content.decode()

    assert "您目前没有正在办理的事项" in page


def test_the_home_page_asks_the_same_queries_for_one_case_or_many(
    client, django_assert_max_num_queries, settings
):
    settings.PORTAL_HOME_CACHE_SECONDS = 300
    item = form_item()
    person = applicant_person()
    file_case(item, person)
    client.force_login(person)
    client.get("/")  # warms the public cache
    with django_assert_max_num_queries(6):  # session, user, acting enterprise, cases, unread
        client.get("/")

    for _ in range(5):
        file_case(item, person)
        message_for(person)
    cache.clear()
    with django_assert_max_num_queries(14):  # cold: + hot items (2), bundles, departments, network
        response = client.get("/")
    assert len(response.context["mine"]["pending"]) == 5


def test_the_public_blocks_are_cached_a_few_minutes(client, django_assert_num_queries, settings):
    settings.PORTAL_HOME_CACHE_SECONDS = 300
    client.get("/")
    form_item()  # a new item shows once the cache expires

    with django_assert_num_queries(0):
        client.get("/")
    home.forget()
    assert client.get("/").context["departments"][0]["n"] == 1


def test_staff_see_no_personal_block(client):
    staff = StaffFactory()
    client.force_login(staff)

    assert client.get("/").context["mine"] is None


def test_no_cache_when_turned_off(client, settings):
    settings.PORTAL_HOME_CACHE_SECONDS = 0
    client.get("/")
    form_item()

    assert client.get("/").context["departments"][0]["n"] == 1
