"""Check every archive package now, and make sure the worker keeps checking them."""

from django.core.management.base import BaseCommand

from tongban.archives import fixity, tasks


class Command(BaseCommand):
    help = "电子档案完整性校验(全部档案包)/ Check the fixity of every archive package"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="最多校验多少件 / at most")

    def handle(self, *args, **options):
        found = fixity.sweep(limit=options["limit"])
        queued = tasks.ensure_scheduled()
        self.stdout.write(
            f"校验 {found['checked']} 件,未通过 {found['failed']} 件 / "
            f"{found['checked']} checked, {found['failed']} failed"
            + ("(已排定后台定时校验 / periodic check queued)" if queued else "")
        )
        if found["failed"]:
            raise SystemExit(1)
