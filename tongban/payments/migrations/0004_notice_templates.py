"""The notices a payer receives: a fee is due (in-app) and the fee was received (in-app)."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "payments.due",
        "channel": "in_app",
        "subject": "办件 {办件编号} 待缴费:{金额} 元",
        "body": "您申请的“{事项名称}”(办件编号 {办件编号})需缴纳费用 {金额} 元(缴费订单号"
        " {订单号}),请在 {缴费期限} 前登录周至通办完成缴费。",
        "variables": "办件编号,事项名称,金额,订单号,缴费期限",
    },
    {
        "code": "payments.paid",
        "channel": "in_app",
        "subject": "办件 {办件编号} 缴费成功",
        "body": "您为“{事项名称}”(办件编号 {办件编号})缴纳的 {金额} 元已于 {到账时间} 到账"
        "(缴费订单号 {订单号}),办件将继续办理。",
        "variables": "办件编号,事项名称,金额,订单号,到账时间",
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
        ("payments", "0003_finance_refund_template"),
        ("notify", "0002_system_templates"),
    ]
    operations = [migrations.RunPython(add, remove)]
