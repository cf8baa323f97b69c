"""The sections a space reads from the other apps: cases from every channel, the wallet,
materials on file, messages and ratings given; an enterprise's cases, licenses and ratings
for its people with the view scope. Nobody sees another's; no section costs a query a row."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases.models import Case, Channel
from tongban.cases.tests.factories import file_case, form_item
from tongban.core import clock
from tongban.licenses.models import License
from tongban.licenses.tests.factories import LicenseFactory
from tongban.notify import services as notify
from tongban.notify.models import Message
from tongban.registry import sections
from tongban.registry.tests.space_factories import agent, enterprise, person_account
from tongban.reviews import services as reviews

pytestmark = pytest.mark.django_db

MY_SPACE = "/my/space/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, notice_templates):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def message_to(user, subject="办件已受理", read=False) -> Message:
    now = clock.now()
    return Message.objects.create(
        recipient=user,
        channel="in_app",
        template_code="test.inbox",
        template_version=1,
        subject=subject,
        body=f"{subject}:请登录查看。",
        status=Message.Status.DELIVERED,
        idempotency_key=f"test:{user.pk}:{subject}:{Message.objects.count()}",
        created_at=now,
        read_at=now if read else None,
    )


def concluded(case) -> Case:
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CONCLUDED, concluded_at=clock.now())
    case.refresh_from_db()
    return case


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def person(item):
    """A person with two cases (web and kiosk), a license, an unread message and a bad
    rating of their concluded case."""
    user = person_account()
    first = concluded(file_case(item, user))
    second = file_case(item, user)
    Case.objects.filter(pk=second.pk).update(channel=Channel.KIOSK)
    LicenseFactory(holder_user=user)
    message_to(user, "补正通知")
    reviews.rate(user, case=first, level=1, channel="web", comment="等了很久")
    return user


def test_my_space_lists_cases_licenses_materials_messages_and_ratings(client, person):
    client.force_login(person)
    first, second = Case.objects.filter(applicant=person).order_by("pk")
    license = License.objects.get(holder_user=person)
    unread = notify.unread_count(person)
    rect = reviews.my_review(person, first).rectification

    response = client.get(MY_SPACE)

    assert response.status_code == 200
    html, text = response.content.decode(), text_of(response)
    for anchor in ("#cases", "#licenses", "#materials", "#messages", "#ratings", "#reads"):
        assert f'href="{anchor}"' in html  # in the table of contents
    assert f'href="/my/cases/{first.number}/"' in html
    assert f'href="/my/cases/{second.number}/"' in html
    assert "网上办理" in text and "自助终端" in text and "已办结" in text
    assert f'href="/my/licenses/{license.identifier}/"' in html
    assert license.license_type.name in text
    # materials on file: 申请书 once, from the latest case
    materials = html[html.index('id="materials"') : html.index('id="messages"')]
    assert materials.count("申请书") == 1 and second.number in materials
    assert first.number not in materials
    assert f"您有 {unread} 条未读消息" in text and "补正通知" in text
    assert 'href="/my/messages/"' in html
    assert "非常不满意" in text and rect.get_status_display() in text
    assert f'href="/reviews/mine/{rect.pk}/"' in html


def test_another_person_sees_none_of_it(client, person):
    numbers = list(Case.objects.filter(applicant=person).values_list("number", flat=True))
    other = person_account()
    client.force_login(other)

    response = client.get(MY_SPACE)

    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert not any(number in html for number in numbers)
    assert "还没有办件" in text and "还没有电子证照" in text and "还没有提交过材料" in text
    assert "没有未读消息" in text and "补正通知" not in text
    assert "您还没有评价过办件" in text
    assert sections.materials_on_file(other) == ([], None)
    assert sections.reusable_materials(other, ["申请书"]) == {}


def test_the_page_costs_the_same_queries_however_much_there_is(client, item, person):
    for n in range(sections.MESSAGES_SHOWN):  # enough unread to be counted
        message_to(person, f"提醒{n}")
    client.force_login(person)
    client.get(MY_SPACE)  # the first request after signing in saves the session
    with CaptureQueriesContext(connection) as before:
        assert client.get(MY_SPACE).status_code == 200
    for _ in range(3):  # more of everything
        case = concluded(file_case(item, person))
        reviews.rate(person, case=case, level=5, channel="web")
        LicenseFactory(holder_user=person)
        message_to(person, f"消息{case.pk}")

    with CaptureQueriesContext(connection) as after:
        response = client.get(MY_SPACE)

    unread = notify.unread_count(person)
    assert response.status_code == 200 and f"您有 {unread} 条未读消息" in text_of(response)
    assert len(after) == len(before), _repeated(after)


def _repeated(queries) -> list[str]:
    """The queries run more than once (by shape): what grows with the rows."""
    shapes = [re.sub(r"\d+", "N", q["sql"]) for q in queries.captured_queries]
    return [shape[:400] for shape in set(shapes) if shapes.count(shape) > 1]


def test_a_long_list_turns_its_pages_keeping_the_others(client, item):
    user = person_account()
    cases = [file_case(item, user) for _ in range(sections.SECTION_LIMIT + 2)]
    client.force_login(user)

    first = client.get(MY_SPACE).content.decode()
    found = re.search(r'href="(\?cases_before=\d+#cases)" rel="next"', first)
    assert found, "no next page link for the cases"
    second = client.get(MY_SPACE + found.group(1).replace("#cases", "")).content.decode()

    assert cases[-1].number in first and cases[0].number not in first
    section = second[second.index('id="cases"') : second.index('id="licenses"')]
    assert cases[0].number in section and cases[-1].number not in section
    assert "回到最近的记录" in section


def test_the_enterprise_space_shows_its_cases_licenses_and_ratings_to_its_people(client, item):
    company = enterprise()
    rep = company.legal_rep
    case = concluded(file_case(item, rep))
    Case.objects.filter(pk=case.pk).update(enterprise=company)
    own = file_case(item, rep)  # the representative's personal case
    held = LicenseFactory(enterprise=True, holder_enterprise=company)
    reviews.rate(rep, case=case, level=2, channel="web")
    viewer = agent(company, scopes=("view",))
    applier = agent(company, scopes=("apply",))
    url = f"/my/enterprises/{company.legal_entity.uscc}/space/"

    for user in (rep, viewer):
        client.force_login(user)
        response = client.get(url)
        html, text = response.content.decode(), text_of(response)
        assert response.status_code == 200
        assert f'href="/my/cases/{case.number}/"' in html and own.number not in html
        assert held.number in text and f'href="/my/licenses/{held.identifier}/"' in html
        assert "不满意" in text

    client.force_login(applier)
    response = client.get(url)
    assert response.status_code == 403 and case.number not in response.content.decode()

    # the representative's personal space lists both cases they filed
    client.force_login(rep)
    html = client.get(MY_SPACE).content.decode()
    assert case.number in html and own.number in html


def test_enterprise_sections_are_of_that_enterprise_only(item):
    mine, theirs = enterprise(), enterprise()
    case = file_case(item, theirs.legal_rep)
    Case.objects.filter(pk=case.pk).update(enterprise=theirs)
    LicenseFactory(enterprise=True, holder_enterprise=theirs)

    assert sections.enterprise_cases(mine) == ([], None)
    assert sections.enterprise_licenses(mine) == ([], None)
    assert sections.enterprise_ratings(mine) == ([], None)
    assert [c.number for c in sections.enterprise_cases(theirs)[0]] == [case.number]


def test_the_api_lists_my_materials_on_file_a_page_at_a_time(client, item):
    user = person_account()
    cases = [file_case(item, user) for _ in range(3)]
    Material = cases[0].materials.model
    # three names on file: rename two of the earlier materials
    for n, case in enumerate(cases[:2]):
        Material.objects.filter(case=case, name="申请书").update(name=f"旧材料{n}")
    client.force_login(user)

    page = client.get("/api/v1/spaces/me/materials", {"limit": 2}).json()
    assert [m["case_number"] for m in page["items"]] == [cases[2].number, cases[1].number]
    rest = client.get("/api/v1/spaces/me/materials", {"cursor": page["next_cursor"]}).json()
    assert [m["name"] for m in rest["items"]] == ["旧材料0"] and rest["next_cursor"] is None

    client.force_login(person_account())
    assert client.get("/api/v1/spaces/me/materials").json() == {"items": [], "next_cursor": None}
    assert client.get("/api/v1/spaces/me/materials", {"cursor": "bad"}).status_code == 422
