"""``manage.py restore``: load a backup into a fresh instance, then prove it is whole.

    manage.py restore --input DIR --database-url URL --media-root DIR
    manage.py restore --verify --input DIR        # check this instance against DIR

The first form refuses a target database or media root that is not empty, restores, then
runs the second form as the restored instance (its DATABASE_URL and MEDIA_ROOT). Either
exits non-zero naming every difference.
"""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core.backup import BackupError, manifest, services


class Command(BaseCommand):
    help = "恢复备份到新实例并校验 / Restore a backup into a fresh instance and verify it"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True, help="备份目录 / backup directory")
        parser.add_argument("--database-url", help="新的空数据库 / the fresh, empty database")
        parser.add_argument("--media-root", type=Path, help="新的空文件目录 / fresh media root")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="只校验本实例与备份一致 / only verify this instance against the backup",
        )
        parser.add_argument("--report", type=Path, help="结果写成 JSON / write figures as JSON")

    def handle(self, *args, **options):
        try:
            if options["verify"]:
                self._verify(options)
            else:
                self._restore(options)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    def _restore(self, options):
        if not options["database_url"] or not options["media_root"]:
            raise CommandError(
                "恢复需要 --database-url 和 --media-root / restoring needs --database-url "
                "and --media-root (or --verify to check this instance)"
            )
        timings = services.restore_backup(
            options["input"],
            database_url=options["database_url"],
            media_root=options["media_root"],
        )
        self.stdout.write(
            f"已恢复 / restored: database {timings['database_seconds']:.2f} s, "
            f"files {timings['files_seconds']:.2f} s"
        )
        begun = time.perf_counter()
        child = services.verify_restored(
            options["input"],
            database_url=options["database_url"],
            media_root=options["media_root"],
        )
        timings["verify_seconds"] = round(time.perf_counter() - begun, 3)
        self.stdout.write(child.stdout, ending="")
        self._report(options, {**timings, "ok": child.returncode == 0})
        if child.returncode != 0:
            raise CommandError(child.stderr.strip() or "校验失败 / verification failed")

    def _verify(self, options):
        found = manifest.read(options["input"])
        report = services.verify_instance(found)
        for check, lines in report.checks.items():
            mark = self.style.SUCCESS("✓") if not lines else self.style.ERROR("✗")
            self.stdout.write(f"{mark} {check}: {len(lines)} 处不同 / differences")
        self.stdout.write(f"校验用时 / verified in {report.seconds:.2f} s")
        self._report(options, {"verify_seconds": round(report.seconds, 3), "ok": report.ok})
        if not report.ok:
            raise CommandError(
                "恢复的实例与备份不一致 / the instance differs from the backup:\n"
                + "\n".join(report.differences)
            )
        self.stdout.write(self.style.SUCCESS("与备份一致 / the instance matches the backup"))

    @staticmethod
    def _report(options, figures: dict) -> None:
        if options["report"]:
            Path(options["report"]).write_text(
                json.dumps(figures, indent=2) + "\n", encoding="utf-8"
            )
