"""The notices of the reviews app: the invitation to rate a concluded case, the feedback of a
bad review's rectification, and the overdue alert to department administrators and
supervisors."""

from django.db import migrations

TEMPLATES = [
    {
        "code": "reviews.invite",
        "channel": "in_app",
        "subject": "请对办件 {办件编号} 进行评价",
        "body": "您申请的“{事项名称}”(办件编号 {办件编号})已办结,欢迎对本次服务进行评价:{评价链接}",
        "variables": "办件编号,事项名称,评价链接",
    },
    {
        "code": "reviews.invite",
        "channel": "sms",
        "subject": "",
        "body": "您的办件{办件编号}({事项名称})已办结,请对本次服务评价:{评价链接}",
        "variables": "办件编号,事项名称,评价链接",
    },
    {
        "code": "reviews.feedback",
        "channel": "in_app",
        "subject": "您的评价已处理:{结果}",
        "body": "您对{责任部门}的评价已处理。{反馈内容} 如对处理结果不满意,可在{申诉期限}前申诉:{链接}",
        "variables": "责任部门,结果,反馈内容,申诉期限,链接",
    },
    {
        "code": "reviews.feedback",
        "channel": "sms",
        "subject": "",
        "body": "您对{责任部门}的评价已处理({结果}),请登录周至通办查看并确认:{链接}",
        "variables": "责任部门,结果,反馈内容,申诉期限,链接",
    },
    {
        "code": "reviews.overdue",
        "channel": "in_app",
        "subject": "差评整改逾期督办:{责任部门}",
        "body": "{责任部门}的差评整改(编号 {整改编号})已超过{环节}期限 {期限},请督促办理。",
        "variables": "责任部门,整改编号,环节,期限",
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
    dependencies = [("reviews", "0001_initial"), ("notify", "0002_system_templates")]
    operations = [migrations.RunPython(add, remove)]
