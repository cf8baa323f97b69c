import pytest

from tongban.errors import InvalidInput
from tongban.identity.tests.helpers import verified_login
from tongban.notify import services
from tongban.notify.models import Channel, Message, Template
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db


def test_a_template_may_use_only_the_variables_it_declares():
    with pytest.raises(InvalidInput) as caught:
        services.save_template("case.done", Channel.SMS, body="{姓名},{未知}", variables="姓名")
    assert "未知" in caught.value.fields["body"][0]
    assert not Template.objects.filter(code="case.done").exists()


def test_double_braces_are_literal_text():
    template = services.save_template(
        "case.done", Channel.SMS, body="{{编号}} {姓名}", variables="姓名"
    )
    assert services.preview(template, {"姓名": "王丽"})["body"] == "{编号} 王丽"


def test_editing_makes_a_new_version_and_messages_keep_the_one_used():
    first = services.save_template(
        "case.done", Channel.IN_APP, body="{姓名}:已办结", variables="姓名"
    )
    user = staff_with_role(StaffMembership.Role.CLERK)
    [old] = services.send(user, "case.done", {"姓名": "王丽"})
    second = services.save_template(
        "case.done", Channel.IN_APP, body="{姓名}:办结了", variables="姓名"
    )
    [new] = services.send(user, "case.done", {"姓名": "王丽"})
    assert (first.version, second.version) == (1, 2)
    assert (old.template_version, old.body) == (1, "王丽:已办结")
    assert (new.template_version, new.body) == (2, "王丽:办结了")
    assert Template.objects.get(pk=first.pk).body == "{姓名}:已办结"


def test_preview_shows_missing_variables_as_placeholders():
    template = services.save_template(
        "case.done", Channel.EMAIL, subject="{事项}已办结", body="{姓名}您好", variables="姓名,事项"
    )
    assert services.preview(template, {"姓名": "王丽"}) == {
        "subject": "【事项】已办结",
        "body": "王丽您好",
    }


def test_the_admin_saves_a_new_version_and_shows_a_preview(client):
    admin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    verified_login(client, admin)
    template = services.save_template("case.done", Channel.SMS, body="{姓名}您好", variables="姓名")
    url = f"/admin/notify/template/{template.pk}/change/"
    assert "【姓名】您好" in client.get(url).content.decode()
    form = {"subject": "", "body": "{姓名}您好,已办结", "variables": "姓名"}
    assert client.post(url, form).status_code == 302
    assert list(Template.objects.filter(code="case.done").values_list("version", "body")) == [
        (2, "{姓名}您好,已办结"),
        (1, "{姓名}您好"),
    ]
    bad = client.post(url, {**form, "body": "{未知}"})
    assert bad.status_code == 200 and "未声明的变量" in bad.content.decode()


def test_only_the_system_administrator_manages_messages():
    admin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    clerk = staff_with_role(StaffMembership.Role.CLERK)
    assert admin.has_perm("notify.resend_message") and admin.has_perm("notify.view_deadletter")
    assert not clerk.has_perm("notify.view_message")


def test_the_admin_lists_dead_letters_masked_and_resends_them(client, notice):
    admin = staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)
    [message] = services.send(None, "case.accepted", notice, address="13812345678")
    Message.objects.filter(pk=message.pk).update(status=Message.Status.DEAD)
    verified_login(client, admin)
    page = client.get("/admin/notify/message/?status__exact=dead").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    detail = client.get(f"/admin/notify/message/{message.pk}/change/").content.decode()
    assert "13812345678" not in detail
    form = {"action": "resend", "_selected_action": [message.pk]}
    assert client.post("/admin/notify/message/", form).status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
