from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.identity import demo


class Command(BaseCommand):
    help = (
        "显示演示工作人员账号当前的动态验证码 / Print the current TOTP code of the demo staff "
        "accounts (make totp)"
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("生产环境没有演示账号 / no demo accounts in production")
        self.stdout.write(demo.current_code())
        self.stderr.write(
            f"演示密钥 / demo secret: {demo.DEMO_TOTP_SECRET}(每 {demo.STEP} 秒更新 / "
            f"changes every {demo.STEP} s)"
        )
