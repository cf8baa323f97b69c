"""``manage.py rotate_pii_keys [--reindex]``: re-encrypt personal data with the active key."""

from django.core.management.base import BaseCommand

from tongban.core.pii.rotation import rotate


class Command(BaseCommand):
    help = (
        "用当前密钥重新加密所有个人信息字段(可重复运行) / "
        "Re-encrypt every personal field with PII_ACTIVE_KEY"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="重写全部行并重算盲索引(更换 PII_INDEX_KEY 后) / rewrite all, recompute indexes",
        )
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, reindex=False, batch=500, **options):
        for result in rotate(reindex=reindex, batch=batch):
            self.stdout.write(str(result))
