"""我的消息: the inbox page (unread first, mark one or all read) and its API for mobile apps
(cursor pages, mark read). One person can neither see nor mark another's messages."""

import pytest

from tongban.core import clock
from tongban.notify.models import Channel, Message
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import UserFactory, staff_with_role

pytestmark = pytest.mark.django_db

INBOX = "/my/messages/"
API = "/api/v1/notify/messages"
_made = iter(range(1_000_000))


def person():
    return UserFactory()


def message(user, subject="办件已受理", *, read=False, channel=Channel.IN_APP) -> Message:
    now = clock.now()
    return Message.objects.create(
        recipient=user,
        channel=channel,
        address="13800001111" if channel == Channel.SMS else "",
        template_code="test.inbox",
        template_version=1,
        subject=subject,
        body=f"{subject}的正文",
        status=Message.Status.DELIVERED,
        idempotency_key=f"test:inbox:{next(_made)}",
        created_at=now,
        read_at=now if read else None,
    )


def test_the_inbox_lists_my_in_app_messages_unread_first(client):
    me = person()
    old_unread = message(me, "旧的未读")
    read = message(me, "已读的", read=True)
    new_unread = message(me, "新的未读")
    message(me, "短信不在收件箱", channel=Channel.SMS)
    message(person(), "别人的消息")
    client.force_login(me)

    html = client.get(INBOX).content.decode()

    assert html.index("新的未读") < html.index("旧的未读") < html.index("已读的")
    assert "短信不在收件箱" not in html and "别人的消息" not in html
    assert "您有 2 条未读消息" in html and "全部标为已读" in html
    assert f'action="/my/messages/{new_unread.pk}/read/"' in html
    assert f'action="/my/messages/{old_unread.pk}/read/"' in html
    assert f'action="/my/messages/{read.pk}/read/"' not in html


def test_marking_one_and_then_all_read(client):
    me = person()
    first, *_ = (message(me, f"消息{n}") for n in range(3))
    client.force_login(me)

    response = client.post(f"/my/messages/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == INBOX
    first.refresh_from_db()
    assert first.read_at is not None

    response = client.post("/my/messages/read-all/")
    assert response.status_code == 302
    assert not Message.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert "已将 2 条消息标为已读" in client.get(INBOX).content.decode()


def test_a_person_cannot_mark_anothers_message(client):
    theirs = message(person())
    client.force_login(person())

    response = client.post(f"/my/messages/{theirs.pk}/read/")

    assert response.status_code == 404 and "没有这条消息" in response.content.decode()
    client.post("/my/messages/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_pages_and_a_broken_cursor_starts_again(client):
    me = person()
    for n in range(25):
        message(me, f"第{n}条")
    client.force_login(me)

    first = client.get(INBOX).content.decode()
    assert 'rel="next"' in first and "第24条" in first and "第0条" not in first
    cursor = first.split("?cursor=")[1].split('"')[0]
    second = client.get(f"{INBOX}?cursor={cursor}").content.decode()
    assert "第0条" in second and "第24条" not in second

    broken = client.get(f"{INBOX}?cursor=xyz").content.decode()
    assert "分页游标无效" in broken and "第24条" in broken


def test_anonymous_visitors_sign_in_and_staff_have_no_inbox(client):
    assert client.get(INBOX).status_code == 302
    client.force_login(staff_with_role(StaffMembership.Role.CLERK))
    assert client.get(INBOX).status_code == 403


def test_the_api_pages_unread_first_and_marks_read(client):
    me = person()
    read = message(me, "已读", read=True)
    unread = [message(me, f"未读{n}") for n in range(3)]
    message(person(), "别人的")
    client.force_login(me)

    page = client.get(API, {"limit": 2}).json()
    assert [item["id"] for item in page["items"]] == [unread[2].pk, unread[1].pk]
    assert page["unread"] == 3 and page["next_cursor"]
    rest = client.get(API, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [item["id"] for item in rest["items"]] == [unread[0].pk, read.pk]
    assert rest["next_cursor"] is None and rest["items"][1]["read"] is True

    answer = client.post(f"{API}/{unread[0].pk}/read")
    assert answer.status_code == 200 and answer.json()["read"] is True
    assert client.get(API).json()["unread"] == 2
    assert client.get(API, {"cursor": "%%%"}).status_code == 422


def test_the_api_will_not_mark_anothers_message(client):
    theirs = message(person())
    client.force_login(person())

    answer = client.post(f"{API}/{theirs.pk}/read")

    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(API).json() == {"items": [], "next_cursor": None, "unread": 0}
