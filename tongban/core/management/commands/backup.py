"""``manage.py backup --output DIR``: the database and every stored file, with a manifest.

See docs/backup.md for the schedule, where the keys are kept and how to restore.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core.backup import BackupError, services


class Command(BaseCommand):
    help = "备份数据库与全部存储文件 / Back up the database and every stored file"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            required=True,
            help="新的空目录 / a new, empty directory",
        )

    def handle(self, *args, **options):
        try:
            sealed = services.create_backup(options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        stored, dumped = sealed["files"], sealed["database"]
        self.stdout.write(
            f"数据库 / database: {dumped['engine']} {len(sealed['tables'])} tables, "
            f"{sum(sealed['tables'].values())} rows, dump {dumped['size']} bytes "
            f"(snapshot at {sealed['snapshot_at']})\n"
            f"文件 / files: {stored['count']} ({stored['bytes']} bytes, "
            f"{stored['linked']} hard-linked)\n"
            f"用时 / time: {sealed['seconds']['total']:.2f} s  "
            f"清单摘要 / manifest sha256: {sealed['manifest_sha256']}"
        )
        self.stdout.write(self.style.SUCCESS(f"备份完成 / backup written to {options['output']}"))
