"""Send the messages that are due (a safety net for lost tasks); run it every minute."""

from django.core.management.base import BaseCommand

from tongban.notify import delivery


class Command(BaseCommand):
    help = "发送到期未发的消息 / Deliver messages that are due"

    def handle(self, *args, **options):
        sent = delivery.deliver_due()
        self.stdout.write(f"已发送 {sent} 条 / {sent} sent")
