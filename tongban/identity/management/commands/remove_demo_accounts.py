from django.core.management.base import BaseCommand

from tongban.identity import services


class Command(BaseCommand):
    help = "删除全部演示账号(上线生产前执行) / Delete every demo account before going live"

    def handle(self, *args, **options):
        removed = services.remove_demo_accounts()
        self.stdout.write(
            f"已删除演示账号 {len(removed)} 个 / removed {len(removed)} demo accounts"
        )
        for username in removed:
            self.stdout.write(f"  - {username}")
