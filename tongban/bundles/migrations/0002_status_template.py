"""The one notice of a 一件事 filing: when it is filed (every item and its case number) and
when all its items have ended — instead of one notice per item."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "bundles.status_changed",
        "channel": "in_app",
        "subject": "一件事 {一件事编号} {状态}",
        "body": "您申请的“{一件事名称}”(编号 {一件事编号}){状态}。{说明}",
        "variables": "一件事编号,一件事名称,状态,说明",
    },
    {
        "code": "bundles.status_changed",
        "channel": "sms",
        "subject": "",
        "body": "您申请的“{一件事名称}”(编号{一件事编号}){状态},详情请登录周至通办查看。",
        "variables": "一件事编号,一件事名称,状态,说明",
    },
]


def add(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    for fields in TEMPLATES:
        Template.objects.get_or_create(
            code=fields["code"],
            channel=fields["channel"],
            version=1,
            defaults={**fields, "created_by": "system"},
        )


def remove(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    for fields in TEMPLATES:
        Template.objects.filter(code=fields["code"], channel=fields["channel"], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("bundles", "0001_initial"), ("notify", "0002_system_templates")]
    operations = [migrations.RunPython(add, remove)]
