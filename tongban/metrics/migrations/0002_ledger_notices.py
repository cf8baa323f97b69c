"""The notice the units and supervisors receive when a ledger task goes overdue."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "metrics.ledger_overdue",
        "channel": "in_app",
        "subject": "台账任务逾期:第{任务序号}项 {任务名称}",
        "body": "工作任务台账第{任务序号}项“{任务名称}”(牵头单位:{牵头单位})已超过完成时限"
        "{完成时限},尚未完成,请尽快报送进展。",
        "variables": "任务序号,任务名称,完成时限,牵头单位",
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
    dependencies = [("metrics", "0001_ledger_and_snapshots"), ("notify", "0002_system_templates")]
    operations = [migrations.RunPython(add, remove)]
