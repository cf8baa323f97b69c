"""The payer's notice of a refund's every step (finance: refunds and reconciliation)."""

from django.db import migrations

VARIABLES = "办件编号,退费单号,金额,状态,说明"
TEMPLATES = [
    {
        "code": "payments.refund_changed",
        "channel": "in_app",
        "subject": "办件 {办件编号} 退费:{状态}",
        "body": (
            "您办件 {办件编号} 的退费(退费单号 {退费单号},金额 {金额} 元)状态为“{状态}”。{说明}"
        ),
        "variables": VARIABLES,
    },
    {
        "code": "payments.refund_changed",
        "channel": "sms",
        "subject": "",
        "body": "您办件{办件编号}的退费{金额}元状态为“{状态}”,详情请登录周至通办查看。",
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
        ("payments", "0002_order_sequence"),
        ("notify", "0003_encrypt_address"),
    ]

    operations = [migrations.RunPython(add, remove)]
