from django.core.management.base import BaseCommand

from tongban.identity import services


class Command(BaseCommand):
    help = "删除全部演示账号(上线生产前执行) / Delete every demo account before going live"

    def handle(self, *args, **options):
        result = services.remove_demo_accounts()
        deleted, retired = result["deleted"], result["retired"]
        self.stdout.write(f"已删除演示账号 {len(deleted)} 个 / deleted {len(deleted)}")
        self.stdout.write(
            f"已停用有审计记录的演示账号 {len(retired)} 个 / retired {len(retired)} "
            "(audit records keep naming them)"
        )
        for username in deleted + retired:
            self.stdout.write(f"  - {username}")
