"""``manage.py import_entities FILE [--dry-run]``: entities from .xlsx or .csv."""

from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.excel import ImportRejected
from tongban.registry.imports import import_entities


class Command(BaseCommand):
    help = "从 Excel 或 CSV 导入法人库数据(有错则整批不写入) / Import entities, all rows or none"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不写入 / check only")

    def handle(self, *args, path, dry_run=False, **options):
        try:
            report = import_entities(path, by="import_entities", dry_run=dry_run)
        except ImportRejected as rejected:
            for error in rejected.report.errors:
                self.stderr.write(str(error))
            raise CommandError(rejected.report.summary()) from rejected
        self.stdout.write(self.style.SUCCESS(report.summary()))
