"""The templates the platform itself sends: the dead-letter alert and an SMS code."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "notify.dead_letter",
        "channel": "in_app",
        "subject": "消息发送失败:{模板}",
        "body": "消息 {消息编号}({渠道},模板 {模板})经 {尝试次数} 次尝试仍未发出,"
        "已进入死信列表,请在“消息”中查看并重新发送。最近错误:{错误}",
        "variables": "消息编号,渠道,模板,尝试次数,错误",
    },
    {
        "code": "identity.sms_code",
        "channel": "sms",
        "subject": "",
        "body": "您的验证码是{验证码},{分钟}分钟内有效,请勿泄露给他人。",
        "variables": "验证码,分钟",
    },
]


def add(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    for fields in TEMPLATES:
        Template.objects.get_or_create(
            code=fields["code"], channel=fields["channel"], version=1,
            defaults={**fields, "created_by": "system"},
        )


def remove(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    for fields in TEMPLATES:
        Template.objects.filter(code=fields["code"], channel=fields["channel"], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
