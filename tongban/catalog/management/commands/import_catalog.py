"""``manage.py import_catalog catalog.xlsx [--dry-run]``: check a workbook, then apply it.

Every row is checked first; when any is wrong, every error is printed (sheet, row, column,
reason) and the command exits non-zero without changing anything.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.excel import ImportRejected, import_catalog

STAGES = {"read": "读取", "check": "检查", "apply": "写入", "export": "导出"}


class ProgressBar:
    """Progress on stderr: a bar redrawn in place on a terminal (``检查 [#####     ] 512/1024``),
    one line per finished stage otherwise (logs, CI)."""

    width = 30

    def __init__(self, stream):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.stage = None
        self.open = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        label = STAGES.get(stage, stage)
        if self.stage not in (None, stage):
            self._end_line()
        self.stage = stage
        count = f"{done}/{total}" if total else str(done)
        if self.tty:
            filled = min(self.width, self.width * done // total) if total else 0
            bar = "#" * filled + " " * (self.width - filled)
            self._write(f"\r{label} [{bar}] {count}", ending="")
            self.open = True
        elif total and done >= total:
            self._write(f"{label} {count}")

    def finish(self) -> None:
        self._end_line()

    def _end_line(self) -> None:
        if self.open:
            self._write("")
            self.open = False

    def _write(self, text: str, ending: str = "\n") -> None:
        self.stream.write(text, style_func=lambda x: x, ending=ending)
        self.stream.flush()


class Command(BaseCommand):
    help = "从 Excel 文件导入事项目录:先检查全部行,有错误则列出并不作修改,全部正确才一次写入"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要导入的 .xlsx 文件(格式见 docs/catalog/excel.md)")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不写入")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, path, dry_run=False, quiet=False, **options):
        started = time.monotonic()
        bar = None if quiet else ProgressBar(self.stderr)
        try:
            report = import_catalog(path, by="import_catalog", progress=bar, dry_run=dry_run)
        except ImportRejected as error:
            if bar:
                bar.finish()
            for entry in error.report.errors:
                self.stderr.write(str(entry))
            raise CommandError(error.report.summary()) from None
        if bar:
            bar.finish()
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{report.summary()}(用时 {seconds:.1f} 秒)"))
