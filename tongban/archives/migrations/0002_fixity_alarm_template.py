from django.db import migrations

# The fixity alarm (完整性告警) to the system administrators.
VARIABLES = "档号,办件编号,状态,问题"
TEMPLATES = [
    {
        "code": "archives.fixity_alarm",
        "channel": "in_app",
        "subject": "电子档案完整性告警:{档号}",
        "body": (
            "电子档案 {档号}(办件编号 {办件编号})完整性校验未通过,状态:{状态};发现问题 {问题}。"
            "请立即核查存储并从备份恢复。"
        ),
        "variables": VARIABLES,
    },
    {
        "code": "archives.fixity_alarm",
        "channel": "sms",
        "subject": "",
        "body": "【电子档案】档案{档号}完整性校验未通过({状态}),请立即核查。",
        "variables": VARIABLES,
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
    dependencies = [
        ("archives", "0001_initial"),
        ("notify", "0003_encrypt_address"),
    ]

    operations = [migrations.RunPython(add, remove)]
