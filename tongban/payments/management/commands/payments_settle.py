"""Settle unpaid orders now (query the channel, close expired ones); keep the worker at it."""

from django.core.management.base import BaseCommand

from tongban.payments import tasks


class Command(BaseCommand):
    help = "查询渠道补记未收到通知的缴费订单 / Settle payment orders whose notice never came"

    def handle(self, *args, **options):
        found = tasks.sweep()
        queued = tasks.ensure_scheduled()
        summary = ",".join(f"{key} {count}" for key, count in sorted(found.items()))
        self.stdout.write(
            f"缴费订单核查完成 / settled: {summary or '无 / none'}"
            + ("(已排定后台定时核查 / periodic sweep queued)" if queued else "")
        )
