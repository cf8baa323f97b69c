"""The notice an applicant receives on every status change of their case (in-app and SMS)."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "cases.status_changed",
        "channel": "in_app",
        "subject": "办件 {办件编号} 状态更新:{状态}",
        "body": "您申请的“{事项名称}”(办件编号 {办件编号})状态已更新为“{状态}”。{说明}",
        "variables": "办件编号,事项名称,状态,说明",
    },
    {
        "code": "cases.status_changed",
        "channel": "sms",
        "subject": "",
        "body": "您的办件{办件编号}({事项名称})状态已更新为“{状态}”,详情请登录周至通办查看。",
        "variables": "办件编号,事项名称,状态,说明",
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
    dependencies = [("cases", "0002_case_number_sequence"), ("notify", "0002_system_templates")]
    operations = [migrations.RunPython(add, remove)]
