"""Export archive packages for the archives bureau: one ZIP of packages and index.csv."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.archives import export


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD: {value}") from exc


class Command(BaseCommand):
    help = "导出电子档案移交档案馆 / Export archive packages for the archives bureau"

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=_day, help="归档日期起 YYYY-MM-DD")
        parser.add_argument("--until", type=_day, default=None, help="归档日期止 YYYY-MM-DD")
        parser.add_argument("--to", required=True, type=Path, help="输出目录 / directory")

    def handle(self, *args, **options):
        path, count = export.write_to_dir(
            options["since"], options["to"], until=options["until"], by="archives_export"
        )
        self.stdout.write(f"已导出 {count} 件:{path} / exported {count} packages to {path}")
