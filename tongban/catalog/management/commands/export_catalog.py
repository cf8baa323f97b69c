"""``manage.py export_catalog catalog.xlsx``: the whole catalog as one workbook."""

import time

from django.core.management.base import BaseCommand

from tongban.catalog.excel import export_catalog
from tongban.catalog.management.commands.import_catalog import ProgressBar


class Command(BaseCommand):
    help = "导出全部在用事项的现行版本为 Excel 文件(事项、办理流程、申请材料、下沉受理点、说明)"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要写入的 .xlsx 文件")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, path, quiet=False, **options):
        started = time.monotonic()
        bar = None if quiet else ProgressBar(self.stderr)
        count = export_catalog(path, progress=bar)
        if bar:
            bar.finish()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"已导出 {count} 个事项到 {path}(用时 {seconds:.1f} 秒)")
        )
