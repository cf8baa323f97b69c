"""The notices an applicant receives from logistics: result posted (寄出), returned or not
delivered, and materials collected at the door arrived (in-app and SMS)."""

from django.db import migrations

VARIABLES = "办件编号,事项名称,运单号,快递状态"
NOTICES = {
    "logistics.dispatched": (
        "办件 {办件编号} 的结果已寄出",
        "您申请的“{事项名称}”(办件编号 {办件编号})的办理结果已寄出,运单号 {运单号},"
        "可在“我的办件”中查看物流轨迹。",
        "您的办件{办件编号}结果已寄出,运单号{运单号},请注意查收。",
    ),
    "logistics.returned": (
        "办件 {办件编号} 的邮件未能送达",
        "您申请的“{事项名称}”(办件编号 {办件编号})的邮件(运单号 {运单号}){快递状态},"
        "工作人员将与您联系重新寄送,您也可以到出件窗口领取。",
        "您的办件{办件编号}邮件(运单号{运单号}){快递状态},工作人员将与您联系。",
    ),
    "logistics.collected": (
        "办件 {办件编号} 的纸质材料已送达",
        "您为“{事项名称}”(办件编号 {办件编号})寄送的纸质材料已送达承办部门(运单号 {运单号})。",
        "您为办件{办件编号}寄送的纸质材料已送达承办部门。",
    ),
}
TEMPLATES = [
    fields
    for code, (subject, in_app, sms) in NOTICES.items()
    for fields in (
        {"code": code, "channel": "in_app", "subject": subject, "body": in_app},
        {"code": code, "channel": "sms", "subject": "", "body": sms},
    )
]


def add(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    for fields in TEMPLATES:
        Template.objects.get_or_create(
            code=fields["code"],
            channel=fields["channel"],
            version=1,
            defaults={**fields, "variables": VARIABLES, "created_by": "system"},
        )


def remove(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    for fields in TEMPLATES:
        Template.objects.filter(code=fields["code"], channel=fields["channel"], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial"), ("notify", "0002_system_templates")]
    operations = [migrations.RunPython(add, remove)]
