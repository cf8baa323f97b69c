"""Take the indicator snapshot of a day now (today by default); keep the worker at it daily."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tongban.metrics import snapshots, tasks


class Command(BaseCommand):
    help = "计算并保存当日自评估指标快照 / Store today's indicator snapshot"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="日期 YYYY-MM-DD(默认今天)/ day to store")
        parser.add_argument(
            "--no-schedule", action="store_true", help="不排定每日后台任务 / do not queue"
        )

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from error
        written = snapshots.take(day)
        queued = False if options["no_schedule"] else tasks.ensure_scheduled()
        self.stdout.write(
            f"指标快照已保存 {written} 条 / snapshot rows written: {written}"
            + ("(已排定每日快照 / daily snapshot queued)" if queued else "")
        )
