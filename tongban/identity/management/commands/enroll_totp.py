import io

import qrcode
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit import services as audit
from tongban.identity.models import User


class Command(BaseCommand):
    help = (
        "为工作人员账号绑定动态验证码(TOTP)设备,输出 otpauth:// 地址与二维码 / "
        "Enroll a staff account's TOTP device; prints its otpauth:// URI and a QR code"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="删除该账号已有的设备后重新绑定 / remove the account's devices first",
        )
        parser.add_argument(
            "--name", default="动态口令", help="设备名称 / device name (default 动态口令)"
        )

    def handle(self, *args, username, replace=False, name="动态口令", **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号不存在 / no such account: {username}")
        existing = TOTPDevice.objects.filter(user=user)
        with transaction.atomic():
            if existing.exists():
                if not replace:
                    raise CommandError(
                        f"{username} 已绑定动态验证码设备;如需更换请加 --replace / "
                        "already enrolled; use --replace to enroll a new device"
                    )
                removed = list(existing.values_list("name", flat=True))
                existing.delete()
                audit.record(
                    "enroll_totp",
                    "identity.totp.remove",
                    user,
                    changes={"devices": [removed, []]},
                    note="replaced by manage.py enroll_totp --replace",
                )
            device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
            audit.record("enroll_totp", "identity.totp.enroll", user, note=f"TOTP device {name!r}")
        uri = device.config_url
        code = qrcode.QRCode(border=1)
        code.add_data(uri)
        picture = io.StringIO()
        code.print_ascii(out=picture)
        self.stdout.write(
            f"已为 {username} 绑定动态验证码设备。请用身份验证器应用扫描下方二维码,"
            f"或手动输入以下地址 / enrolled {username}; scan the code below or enter:"
        )
        self.stdout.write(uri)
        self.stdout.write(picture.getvalue())
