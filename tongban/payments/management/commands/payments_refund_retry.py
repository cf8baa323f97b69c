"""Send again the approved refunds the channel has not confirmed."""

from django.core.management.base import BaseCommand

from tongban.payments import refunds


class Command(BaseCommand):
    help = "重发已批准但渠道未确认的退款 / Send unconfirmed approved refunds again"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="最多多少笔 / at most")

    def handle(self, *args, **options):
        found = refunds.retry_approved(limit=options["limit"])
        self.stdout.write(
            f"重发 {found['sent']} 笔:已退款 {found['refunded']},失败 {found['failed']},"
            f"仍在处理 {found['waiting']} / sent {found['sent']}"
        )
